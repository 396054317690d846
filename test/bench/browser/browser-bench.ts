import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_PATH } from '../../e2e/chromium.js';
import { MeshHarness, PLACEMENT_LABEL, type Durability, type Placement } from './mesh-harness.js';
import { runMeshWorkloads } from './mesh-workloads.js';
import { Progress } from './progress.js';
import { printTables, TARGETS, targetBound, meetsTarget } from './report.js';
import { FULL_PLAN, QUICK_PLAN, SMOKE_PLAN, type WorkloadPlan, type WorkloadRecord } from './workload-plan.js';
import { ZookeeperEnsemble, zookeeperAvailable, zookeeperVersion } from './zookeeper-ensemble.js';
import { runZookeeperWorkloads } from './zookeeper-workloads.js';

/**
 * The browser benchmark (`npm run bench`, or `npm run bench -- --quick|--smoke|--vs-zookeeper`):
 * meshkeeper in headless Chromium, N tabs of one room in two placements, and with --vs-zookeeper a
 * 3-server ZooKeeper ensemble through node-zookeeper-client in the same run. Runs inside the
 * loopback-only network namespace (run.ts enters it). Prints progress and a table; writes
 * test/bench/results/<timestamp>.json with one record per workload.
 */

export interface BrowserBenchOptions {
  readonly mode: 'full' | 'quick' | 'smoke';
  readonly vsZookeeper: boolean;
  readonly tabs: readonly number[];
  readonly placements: readonly Placement[];
  /** IndexedDB durability of the replicas' logs ('strict' by default, as the library's). */
  readonly durability: Durability;
  /** Skip meshkeeper (ZooKeeper only; for checking the ZooKeeper side). */
  readonly zookeeperOnly: boolean;
}

export const BROWSER_BENCH_USAGE = `npm run bench [-- --quick | --smoke] [--vs-zookeeper] [--tabs 3,5] [--placement one-profile,separate-devices] [--durability strict|relaxed|default] [--zookeeper-only]
  (no flag: the full browser benchmark, 3 and 5 tabs, both placements)`;

/** Parses the browser bench's flags; a string is the error. */
export function parseBrowserBenchArgs(args: readonly string[]): BrowserBenchOptions | string {
  let mode: BrowserBenchOptions['mode'] = 'full';
  let vsZookeeper = false;
  let zookeeperOnly = false;
  let tabs: number[] | null = null;
  let placements: Placement[] = ['one-profile', 'separate-devices'];
  let durability: Durability = 'strict';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--quick') mode = mode === 'smoke' ? 'smoke' : 'quick';
    else if (arg === '--smoke') mode = 'smoke';
    else if (arg === '--vs-zookeeper') vsZookeeper = true;
    else if (arg === '--zookeeper-only') {
      zookeeperOnly = true;
      vsZookeeper = true;
    } else if (arg === '--tabs') {
      const list = (args[++i] ?? '').split(',').map(Number);
      if (list.length === 0 || !list.every((n) => Number.isInteger(n) && n >= 3 && n <= 7)) return '--tabs takes a list of tab counts from 3 to 7, e.g. 3,5';
      tabs = list;
    } else if (arg === '--placement') {
      const list = (args[++i] ?? '').split(',');
      if (!list.every((p): p is Placement => p === 'one-profile' || p === 'separate-devices')) return '--placement takes one-profile and/or separate-devices';
      placements = list;
    } else if (arg === '--durability') {
      const value = args[++i];
      if (value !== 'strict' && value !== 'relaxed' && value !== 'default') return '--durability takes strict, relaxed or default';
      durability = value;
    } else return `unknown flag ${arg}`;
  }
  return { mode, vsZookeeper, zookeeperOnly, durability, tabs: tabs ?? (mode === 'full' ? [3, 5] : [3]), placements };
}

function planOf(mode: BrowserBenchOptions['mode']): WorkloadPlan {
  return mode === 'full' ? FULL_PLAN : mode === 'quick' ? QUICK_PLAN : SMOKE_PLAN;
}

function quietly(command: string, args: readonly string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

function versions(vsZookeeper: boolean): Record<string, string> {
  const root = fileURLToPath(new URL('../../..', import.meta.url));
  const packageVersion = (name: string) => (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  const dirty = quietly('git', ['-C', root, 'status', '--porcelain']) === '' ? '' : ' (modified)';
  return {
    meshkeeper: `${quietly('git', ['-C', root, 'rev-parse', '--short', 'HEAD'])}${dirty}`,
    node: process.version,
    chromium: quietly(CHROMIUM_PATH, ['--version']),
    'playwright-core': packageVersion('playwright-core'),
    ...(vsZookeeper ? { zookeeper: zookeeperVersion(), 'node-zookeeper-client': packageVersion('node-zookeeper-client'), java: quietly('/usr/bin/java', ['--version']).split('\n')[0] ?? 'unknown' } : {}),
  };
}

export interface BrowserBenchResult {
  readonly records: readonly WorkloadRecord[];
  readonly file: string;
}

export interface RunEnvironment {
  /** Where the JSON goes (default test/bench/results). */
  readonly resultsDir?: string;
  /** Progress lines and the table (default console.log). */
  readonly write?: (line: string) => void;
}

export async function runBrowserBench(options: BrowserBenchOptions, environment: RunEnvironment = {}): Promise<BrowserBenchResult> {
  const plan = planOf(options.mode);
  const write = environment.write ?? ((line: string) => console.log(line));
  const progress = new Progress('', write);
  if (options.vsZookeeper && !zookeeperAvailable()) throw new Error("--vs-zookeeper needs Debian's zookeeper package (apt-get install zookeeper) and /usr/bin/java");
  const at = new Date().toISOString();
  const started = Date.now();
  const load = loadavg();
  progress.line(`browser benchmark (${options.mode}): tabs ${options.tabs.join(', ')}; ${options.placements.map((p) => PLACEMENT_LABEL[p]).join(', ')}; IndexedDB durability ${options.durability}${options.vsZookeeper ? '; ZooKeeper 3 servers' : ''}; load average ${load.map((l) => l.toFixed(2)).join(' ')}`);
  const records: WorkloadRecord[] = [];
  const failures: string[] = [];
  if (!options.zookeeperOnly) {
    for (const tabs of options.tabs) {
      for (const placement of options.placements) {
        const scope = progress.child(`[meshkeeper ${PLACEMENT_LABEL[placement]}, ${tabs} tabs]`);
        scope.line('starting the signaling server, vite and the browsers');
        let harness: MeshHarness | null = null;
        try {
          harness = await MeshHarness.start({ placement, tabs, sessionTimeoutMs: plan.sessionTimeoutMs, durability: options.durability, log: (line) => scope.line(line.trim()) });
          records.push(...(await runMeshWorkloads(harness, plan, scope)));
        } catch (error) {
          const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
          failures.push(`meshkeeper ${placement} ${tabs} tabs: ${message}`);
          scope.line(`FAILED: ${message}`);
        } finally {
          await harness?.close();
        }
      }
    }
  }
  if (options.vsZookeeper) {
    const scope = progress.child('[ZooKeeper 3 servers]');
    scope.line('starting 3 JVMs (QuorumPeerMain) on 127.0.0.1');
    let ensemble: ZookeeperEnsemble | null = null;
    try {
      ensemble = await ZookeeperEnsemble.start({ log: (line) => scope.line(line.trim()) });
      scope.line(`ensemble up: ${[...(await ensemble.modes())].map(([id, mode]) => `${id}=${mode}`).join(' ')}`);
      records.push(...(await runZookeeperWorkloads(ensemble, plan, scope)));
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      failures.push(`zookeeper: ${message}`);
      scope.line(`FAILED: ${message}`);
    } finally {
      await ensemble?.close();
    }
  }

  printTables(records, write);
  const summary = targetSummary(records);
  if (summary.length > 0) {
    write('\ntargets (3 tabs):');
    for (const line of summary) write(`  ${line}`);
  }
  const resultsDir = environment.resultsDir ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${at.replace(/[:.]/g, '-')}.json`);
  const document = {
    bench: 'browser',
    at,
    mode: options.mode,
    durability: options.durability,
    durationS: Math.round((Date.now() - started) / 1000),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', loadAverageAtStart: load },
    versions: versions(options.vsZookeeper),
    plan,
    records,
    ratios: ratios(records),
    failures,
  };
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
  write(`\nwrote ${file}`);
  if (failures.length > 0) throw new Error(`${failures.length} part(s) of the benchmark failed:\n${failures.join('\n')}`);
  return { records, file };
}

/** meshkeeper / ZooKeeper for every record that has a ZooKeeper counterpart in the same run. */
function ratios(records: readonly WorkloadRecord[]) {
  const zookeeper = new Map(records.filter((r) => r.system === 'zookeeper').map((r) => [r.key, r]));
  return records
    .filter((r) => r.system === 'meshkeeper' && zookeeper.has(r.key))
    .map((r) => {
      const zk = zookeeper.get(r.key) as WorkloadRecord;
      const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || b === 0 || r.n === 0 || zk.n === 0 ? null : a / b);
      return { key: r.key, setup: r.setup, tabs: r.members, opsPerSecond: ratio(r.opsPerSecond, zk.opsPerSecond), p50Ms: ratio(r.p50Ms, zk.p50Ms), p99Ms: ratio(r.p99Ms, zk.p99Ms) };
    });
}

function targetSummary(records: readonly WorkloadRecord[]): string[] {
  const lines: string[] = [];
  const zookeeper = records.filter((r) => r.system === 'zookeeper');
  for (const target of TARGETS) {
    const bound = targetBound(target, zookeeper.find((r) => r.key === target.key));
    for (const r of records.filter((x) => x.system === 'meshkeeper' && x.members === 3 && x.key === target.key)) {
      const value = r.n === 0 ? undefined : r[target.metric];
      const ok = meetsTarget(value, bound);
      const limit = bound.atLeast !== undefined ? `>= ${bound.atLeast.toFixed(bound.atLeast < 10 ? 2 : 0)}` : `<= ${(bound.atMost ?? 0).toString()}`;
      const by =
        value === undefined ? '' : bound.atLeast !== undefined ? ` (${((value / bound.atLeast) * 100).toFixed(0)}% of it)` : ` (${(value / (bound.atMost ?? 1)).toFixed(2)}x the bound)`;
      lines.push(`${ok === undefined ? '-  ' : ok ? 'met' : 'MISSED'} ${PLACEMENT_LABEL[r.setup as Placement]}: ${target.key} ${target.metric} = ${value === undefined ? 'no data' : value.toFixed(value < 10 ? 2 : 0)}, target ${limit}${by}`);
    }
  }
  return lines;
}
