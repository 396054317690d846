/**
 * Benchmark runner.
 * - `npm run bench [-- --quick|--smoke] [--vs-zookeeper] ...`: the browser benchmark
 *   (test/bench/browser/browser-bench.ts), inside the loopback-only network namespace.
 * - `npm run bench -- <name> [<name>...]`: the in-process benches of BENCHES. Each returns records;
 *   the runner prints them as a table and writes test/bench/results/<timestamp>-<name>.json.
 * Benchmarks are not tests: they assert nothing, they measure. Node runs with --expose-gc.
 * To add an in-process bench, add one line to BENCHES.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One measured number. `target` is what the number should reach (`atLeast` / `atMost`). */
export interface BenchRecord {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly target?: { readonly atLeast?: number; readonly atMost?: number };
}

type Bench = () => Promise<readonly BenchRecord[]>;

const BENCHES: Readonly<Record<string, Bench>> = {
  tree: async () => (await import('./tree-bench.js')).runTreeBench(),
  wire: async () => (await import('./wire-bench.js')).runWireBench(),
  consensus: async () => (await import('./consensus-bench.js')).runConsensusBench(),
  peer: async () => (await import('./peer-bench.js')).runPeerBench(),
  replica: async () => (await import('./replica-bench.js')).runReplicaBench(),
  floor: async () => (await import('./browser/floor-bench.js')).runFloorBench(),
};

function meets(record: BenchRecord): string {
  const target = record.target;
  if (target === undefined) return '';
  const ok = (target.atLeast === undefined || record.value >= target.atLeast) && (target.atMost === undefined || record.value <= target.atMost);
  return ok ? 'yes' : 'NO';
}

function targetText(record: BenchRecord): string {
  const target = record.target;
  if (target === undefined) return '';
  if (target.atLeast !== undefined) return `>= ${target.atLeast.toLocaleString('en-US')}`;
  if (target.atMost !== undefined) return `<= ${target.atMost.toLocaleString('en-US')}`;
  return '';
}

function formatValue(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(2);
}

function printTable(bench: string, records: readonly BenchRecord[]): void {
  const rows = records.map((r) => [r.name, formatValue(r.value), r.unit, targetText(r), meets(r)]);
  const header = ['measure', 'value', 'unit', 'target', 'met'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 1 ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join('  ');
  console.log(`\n${bench}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

/** The browser benchmark, re-run inside the loopback-only namespace when not in it yet. */
async function browserBench(args: readonly string[]): Promise<number> {
  const { BROWSER_BENCH_USAGE, parseBrowserBenchArgs, runBrowserBench } = await import('./browser/browser-bench.js');
  if (args.includes('--help')) {
    console.log(`usage: ${BROWSER_BENCH_USAGE}\n   or: npm run bench -- <${Object.keys(BENCHES).join('|')}> ...`);
    return 0;
  }
  const options = parseBrowserBenchArgs(args);
  if (typeof options === 'string') {
    console.error(`${options}\nusage: ${BROWSER_BENCH_USAGE}`);
    return 1;
  }
  if (process.env.MESHKEEPER_LOOPBACK_NETNS !== '1') {
    const namespace = fileURLToPath(new URL('../loopback-namespace.mjs', import.meta.url));
    const self = fileURLToPath(import.meta.url);
    const result = spawnSync(process.execPath, [namespace, process.execPath, ...process.execArgv, self, ...args], { stdio: 'inherit' });
    return result.status ?? 1;
  }
  try {
    await runBrowserBench(options);
    return 0;
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
}

async function main(names: readonly string[]): Promise<number> {
  if (names.length === 0 || names[0]?.startsWith('--') === true) return browserBench(names);
  const unknown = names.filter((name) => !(name in BENCHES));
  if (unknown.length > 0) {
    console.error(`unknown bench ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}`);
    return 1;
  }
  const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(resultsDir, { recursive: true });
  for (const name of names) {
    const records = await (BENCHES[name] as Bench)();
    printTable(name, records);
    const at = new Date().toISOString();
    const file = join(resultsDir, `${at.replace(/[:.]/g, '-')}-${name}.json`);
    writeFileSync(file, `${JSON.stringify({ bench: name, at, node: process.version, records }, null, 2)}\n`);
    console.log(`\nwrote ${file}`);
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
