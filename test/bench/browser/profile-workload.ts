/**
 * CPU profiles of one workload of the browser benchmark, in every tab's page and replica worker:
 *   node test/loopback-namespace.mjs node --import tsx test/bench/browser/profile-workload.ts \
 *     [--placement one-profile|separate-devices] [--durability strict|relaxed] [--op setData|getData]
 *     [--window 128] [--via follower|leader] [--ms 3000] [--threads]
 * Writes the .cpuprofile files (DevTools loads them) under test/bench/results/profiles/<time>/ and
 * prints each context's heaviest functions (self time) and heaviest call paths (total time).
 * With --threads it profiles no JavaScript: it samples the CPU time of every Chromium thread over
 * the run instead (thread-sampler.ts), which shows the browser's own work (IndexedDB, WebRTC, IPC).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { heaviestFunctions, heaviestTotals, TabProfiler } from './cdp-profiler.js';
import { startThreadSampling } from './thread-sampler.js';
import { MeshHarness, type BenchTab, type Durability, type Placement } from './mesh-harness.js';
import type { LoopSpec } from '../pages/bench-page-api.js';

const { values } = parseArgs({
  options: {
    placement: { type: 'string', default: 'one-profile' },
    durability: { type: 'string', default: 'strict' },
    op: { type: 'string', default: 'setData' },
    window: { type: 'string', default: '128' },
    via: { type: 'string', default: 'follower' },
    ms: { type: 'string', default: '3000' },
    top: { type: 'string', default: '20' },
    threads: { type: 'boolean', default: false },
  },
});
const op = values.op === 'getData' ? 'getData' : 'setData';
const outstanding = Number(values.window);
const top = Number(values.top);

const harness = await MeshHarness.start({ placement: values.placement as Placement, tabs: 3, sessionTimeoutMs: 4_000, durability: values.durability as Durability, log: console.log });
try {
  const leader = await harness.leaderTab();
  const [follower] = await harness.followerTabs();
  const driver = values.via === 'leader' ? leader : follower;
  if (driver === undefined) throw new Error('no tab to drive');
  await driver.page.evaluate(() => window.mkBench!.ensure('/bench', 10_000));
  const spec = { op, path: '/bench', window: outstanding, dataBytes: 100, durationMs: 1_000, warmup: 200 } as const;
  await driver.page.evaluate((s) => window.mkBench!.closedLoop(s), spec);
  if (values.threads) {
    const stop = startThreadSampling([...new Set(harness.tabs.map((tab) => tab.device.profileDir))]);
    const result = await driver.page.evaluate((s) => window.mkBench!.closedLoop(s), { ...spec, durationMs: Number(values.ms), warmup: 0 });
    const groups = stop();
    console.log(`${op} ${outstanding} outstanding via ${values.via}: ${Math.round((result.ok / result.elapsedMs) * 1000)} ops/s, p50 ${result.summary.p50Ms.toFixed(2)} ms`);
    console.log(`Chromium threads, % of one core (this machine has ${availableParallelism()} cores):`);
    for (const g of groups.slice(0, top)) console.log(`  ${g.cpuPercent.toFixed(1).padStart(6)}%  ${g.process.padEnd(26)} ${g.thread}`);
    console.log(`  ${groups.reduce((sum, g) => sum + g.cpuPercent, 0).toFixed(1).padStart(6)}%  in all`);
  } else {
    await profileJavaScript(driver, spec);
  }
} finally {
  await harness.close();
}

/** The run under the DevTools profiler of every tab's page and workers. */
async function profileJavaScript(driver: BenchTab, spec: LoopSpec): Promise<void> {
  const profilers = await Promise.all(harness.tabs.map((tab) => TabProfiler.attach(tab.page)));
  await Promise.all(profilers.map((p) => p.start()));
  const result = await driver.page.evaluate((s) => window.mkBench!.closedLoop(s), { ...spec, durationMs: Number(values.ms), warmup: 0 });
  const profiles = await Promise.all(profilers.map((p) => p.stop()));
  const roles = await harness.statuses();
  await Promise.all(profilers.map((p) => p.detach()));
  console.log(`${op} ${outstanding} outstanding via ${values.via}: ${Math.round((result.ok / result.elapsedMs) * 1000)} ops/s, p50 ${result.summary.p50Ms.toFixed(2)} ms, p99 ${result.summary.p99Ms.toFixed(2)} ms`);
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'results', 'profiles', new Date().toISOString().replace(/[:.]/g, '-'));
  mkdirSync(dir, { recursive: true });
  for (const [i, tab] of harness.tabs.entries()) {
    const role = roles[i]?.role ?? 'unknown';
    const driving = tab === driver ? ', driving' : '';
    const contexts = [{ name: 'page', profile: profiles[i]!.page }, ...profiles[i]!.workers.map((profile, w) => ({ name: `worker${w}`, profile }))];
    for (const { name, profile } of contexts) {
      const file = join(dir, `${role}-${tab.replicaId.slice(-6)}-${name}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      const wallMs = (profile.endTime - profile.startTime) / 1000;
      const functions = heaviestFunctions(profile, Number.POSITIVE_INFINITY);
      const busy = functions.filter((f) => !['(idle)', '(program)', '(garbage collector)'].some((s) => f.name.startsWith(s))).reduce((sum, f) => sum + f.selfMs, 0);
      const gc = functions.filter((f) => f.name.startsWith('(garbage collector)')).reduce((sum, f) => sum + f.selfMs, 0);
      const program = functions.filter((f) => f.name.startsWith('(program)')).reduce((sum, f) => sum + f.selfMs, 0);
      console.log(`\n== ${role}${driving} ${tab.replicaId.slice(-6)} ${name}: ${wallMs.toFixed(0)} ms profiled, JS ${busy.toFixed(0)} ms, GC ${gc.toFixed(0)} ms, (program) ${program.toFixed(0)} ms  -> ${file}`);
      console.log('  self ms  total ms  function');
      for (const f of functions.slice(0, top)) console.log(`  ${f.selfMs.toFixed(1).padStart(7)}  ${f.totalMs.toFixed(1).padStart(8)}  ${f.name}`);
      console.log('  heaviest totals:');
      for (const f of heaviestTotals(profile, top)) console.log(`  ${''.padStart(7)}  ${f.totalMs.toFixed(1).padStart(8)}  ${f.name}`);
    }
  }
}
