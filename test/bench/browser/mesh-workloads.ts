import type { LoopSpec } from '../pages/bench-page-api.js';
import { summarize } from './latency-summary.js';
import type { BenchTab, MeshHarness, Placement } from './mesh-harness.js';
import type { Progress } from './progress.js';
import { record, type WorkloadId, type WorkloadPlan, type WorkloadRecord } from './workload-plan.js';

/**
 * The workloads against a meshkeeper room of N tabs (mesh-harness.ts), each driven and timed inside
 * a page (bench-page.ts). The driving tab is a follower's unless a record says `via: 'leader'`.
 */

const BENCH_NODE = '/bench';
const WATCH_NODE = '/bench-watch';
const STREAM_NODE = '/bench-stream';
/** How long one failover or ephemeral run may take before it counts as failed. */
const RUN_TIMEOUT_MS = 30_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runMeshWorkloads(harness: MeshHarness, plan: WorkloadPlan, progress: Progress): Promise<WorkloadRecord[]> {
  const placement: Placement = harness.options.placement;
  const base = { system: 'meshkeeper', setup: placement, members: harness.tabs.length } as const;
  const settings = { tabs: harness.tabs.length, placement, dataBytes: plan.dataBytes, sessionTimeoutMs: plan.sessionTimeoutMs, durability: harness.options.durability };
  const records: WorkloadRecord[] = [];
  const [first] = await harness.followerTabs();
  if (first === undefined) throw new Error('no follower tab');
  for (const path of [BENCH_NODE, WATCH_NODE, STREAM_NODE]) {
    const made = await first.page.evaluate(([p, t]) => window.mkBench!.ensure(p, t), [path, 20_000] as const);
    if (!made.ok) throw new Error(`could not create ${path}: ${made.code}`);
  }

  /** Who leads, in which term, as each tab sees it: recorded around each loop, so errors can be told apart. */
  const ensembleView = async () => (await harness.statuses()).map((s) => `${s.replicaId.slice(-6)}: ${s.role}, term ${s.term}, leader ${s.leader?.slice(-6) ?? 'none'}`);
  const loop = async (tab: BenchTab, id: WorkloadId, spec: LoopSpec): Promise<void> => {
    const label = `${id.workload}${id.outstanding === undefined ? '' : ` ${id.outstanding} outstanding`} via ${id.via}`;
    const ensembleBefore = await ensembleView();
    const result = await progress.during(label, tab.page.evaluate((s) => window.mkBench!.closedLoop(s), spec), async () => {
      const p = await tab.page.evaluate(() => window.mkBench!.progress());
      return `${p.done.toLocaleString('en-US')} done${p.errors > 0 ? `, ${p.errors} errors` : ''}`;
    });
    const opsPerSecond = (result.ok / result.elapsedMs) * 1000;
    const ensembleAfter = await ensembleView();
    if (result.errors > 0) progress.line(`${label}: ${result.errors} errors ${JSON.stringify(result.errorCodes)}; driving ${tab.replicaId.slice(-6)}; before [${ensembleBefore.join('; ')}], after [${ensembleAfter.join('; ')}]`);
    records.push(record(base, id, result.summary, { opsPerSecond, errors: result.errors, settings: { ...settings, ...spec, errorCodes: result.errorCodes, ensembleBefore, ensembleAfter } }));
    progress.line(`${label}: ${Math.round(opsPerSecond).toLocaleString('en-US')} ops/s, p50 ${result.summary.p50Ms.toFixed(2)} ms, p99 ${result.summary.p99Ms.toFixed(2)} ms`);
  };

  // Sequential creates, then the closed loops: from a follower's tab, then from the leader's.
  const createParent = `/bench-create-${Date.now()}`;
  await first.page.evaluate(([p, t]) => window.mkBench!.ensure(p, t), [createParent, 20_000] as const);
  const leader = await harness.leaderTab();
  const [follower] = await harness.followerTabs();
  if (follower === undefined) throw new Error('no follower tab');
  await loop(follower, { workload: 'create', via: 'follower' }, { op: 'create', path: createParent, window: 1, dataBytes: plan.dataBytes, count: plan.createCount, warmup: 0 });
  for (const window of plan.windows) {
    await loop(follower, { workload: 'setData', outstanding: window, via: 'follower' }, { op: 'setData', path: BENCH_NODE, window, dataBytes: plan.dataBytes, durationMs: plan.loopMs, warmup: plan.warmup });
  }
  for (const window of plan.windows) {
    await loop(follower, { workload: 'getData', outstanding: window, via: 'follower' }, { op: 'getData', path: BENCH_NODE, window, dataBytes: plan.dataBytes, durationMs: plan.loopMs, warmup: plan.warmup });
  }
  for (const window of plan.leaderWindows) {
    await loop(leader, { workload: 'setData', outstanding: window, via: 'leader' }, { op: 'setData', path: BENCH_NODE, window, dataBytes: plan.dataBytes, durationMs: plan.loopMs, warmup: plan.warmup });
  }

  records.push(await watchLatency(harness, plan, progress, base, settings));
  records.push(await failover(harness, plan, progress, base, settings, 'close'));
  records.push(await failover(harness, plan, progress, base, settings, 'freeze'));
  records.push(await ephemeral(harness, plan, progress, base, settings, 'close'));
  records.push(await ephemeral(harness, plan, progress, base, settings, 'freeze'));
  return records;
}

type Base = Pick<WorkloadRecord, 'system' | 'setup' | 'members'>;

/** Tab A (a follower) sets; tab B (another follower) has an exists-watch: A's call to B's event. */
async function watchLatency(harness: MeshHarness, plan: WorkloadPlan, progress: Progress, base: Base, settings: Record<string, unknown>): Promise<WorkloadRecord> {
  const followers = await harness.followerTabs();
  const leader = await harness.leaderTab();
  const writer = followers[0] as BenchTab;
  const watcher = followers[1] ?? leader;
  const offsets = [await harness.clockOffset(writer), await harness.clockOffset(watcher)];
  const latencies: number[] = [];
  let misses = 0;
  /** Why each miss happened: the set's error code, or that no event came. */
  const missReasons: Record<string, number> = {};
  await progress.during(
    'watch latency',
    (async () => {
      for (let i = 0; i < plan.watchSamples; i++) {
        const armed = await watcher.page.evaluate((p) => window.mkBench!.armWatch(p), WATCH_NODE);
        if (!armed.ok) throw new Error(`armWatch failed: ${armed.code}`);
        const set = await writer.page.evaluate((p) => window.mkBench!.stampedSet(p), WATCH_NODE);
        const fired = await watcher.page.evaluate((t) => window.mkBench!.watchFired(t), 5_000);
        if (!set.ok || fired === null) {
          misses++;
          const reason = !set.ok ? `set failed: ${String(set.code)}` : 'no watch event within 5 s of a successful set';
          missReasons[reason] = (missReasons[reason] ?? 0) + 1;
          progress.line(`watch latency: sample ${i} missed: ${reason}`);
        } else latencies.push(fired.stamp - set.stamp);
      }
    })(),
    async () => `${latencies.length} samples`,
  );
  const summary = summarize(latencies);
  progress.line(`watch latency: p50 ${summary.p50Ms.toFixed(2)} ms, p99 ${summary.p99Ms.toFixed(2)} ms`);
  return record(base, { workload: 'watch', via: 'follower' }, summary, {
    errors: misses,
    settings: { ...settings, samples: plan.watchSamples, watcherIsLeader: watcher === leader, clockOffsetsMs: offsets, missReasons },
  });
}

/**
 * During a stream of writes from a follower's tab, the leader's tab closes or freezes; the time
 * from then (Node's stamp, in the writer page's clock) to the end of the first successful write
 * that started after it. The tab is replaced afterwards (same device: it resumes the same replica).
 */
async function failover(
  harness: MeshHarness,
  plan: WorkloadPlan,
  progress: Progress,
  base: Base,
  settings: Record<string, unknown>,
  how: 'close' | 'freeze',
): Promise<WorkloadRecord> {
  const times: number[] = [];
  const details: Record<string, unknown>[] = [];
  let failedRuns = 0;
  for (let run = 0; run < plan.failoverRuns; run++) {
    const leader = await harness.leaderTab();
    const [writer] = await harness.followerTabs();
    if (writer === undefined) throw new Error('no follower tab');
    const { offsetMs } = await harness.clockOffset(writer);
    await writer.page.evaluate((p) => window.mkBench!.startStream(p), STREAM_NODE);
    await sleep(300);
    const at = (how === 'close' ? await harness.closeTab(leader) : await harness.freezeTab(leader)) + offsetMs;
    let end: number | null = null;
    const deadline = Date.now() + RUN_TIMEOUT_MS;
    while (end === null && Date.now() < deadline) {
      await sleep(20);
      end = await writer.page.evaluate((s) => window.mkBench!.firstOkAfter(s), at);
    }
    const log = await writer.page.evaluate(() => window.mkBench!.stopStream());
    const failures = log.requests.filter(([start, , code]) => start >= at - 50 && code !== '').map(([, , code]) => code);
    // A run counts only when the write went through another leader (the one closed or frozen was leading).
    const newLeader = (await writer.page.evaluate(() => window.mkBench!.status())).leader;
    const valid = end !== null && newLeader !== leader.replicaId;
    if (valid && end !== null) times.push(end - at);
    else failedRuns++;
    details.push({ ms: end === null ? null : end - at, failures: failures.length, codes: [...new Set(failures)], stopped: leader.replicaId, newLeader, valid });
    const outcome = end === null ? 'no write succeeded' : `${(end - at).toFixed(0)} ms${valid ? '' : ` (NOT COUNTED: ${leader.replicaId.slice(-6)} still leads)`}`;
    progress.line(`failover (leader tab ${how === 'close' ? 'closed' : 'frozen'}) run ${run + 1}/${plan.failoverRuns}: ${outcome} (${failures.length} failed writes)`);
    if (how === 'freeze') await harness.discardTab(leader);
    await harness.replaceTab(leader.device);
  }
  return record(base, { workload: how === 'close' ? 'failover-close' : 'failover-freeze', via: 'follower' }, summarize(times), {
    errors: failedRuns,
    settings: { ...settings, runs: plan.failoverRuns, details },
  });
}

/**
 * A follower's tab owns an ephemeral node; another tab has an exists-watch on it. The owner's tab
 * closes or freezes: the time from then until the watch fires (NodeDeleted) at the other tab.
 */
async function ephemeral(
  harness: MeshHarness,
  plan: WorkloadPlan,
  progress: Progress,
  base: Base,
  settings: Record<string, unknown>,
  how: 'close' | 'freeze',
): Promise<WorkloadRecord> {
  const times: number[] = [];
  const details: Record<string, unknown>[] = [];
  let failedRuns = 0;
  for (let run = 0; run < plan.ephemeralRuns; run++) {
    const followers = await harness.followerTabs();
    const leader = await harness.leaderTab();
    const owner = followers[followers.length - 1] as BenchTab;
    const watcher = followers.length > 1 ? (followers[0] as BenchTab) : leader;
    const path = `/bench-ephemeral-${how}-${Date.now()}`;
    const created = await owner.page.evaluate((p) => window.mkBench!.createEphemeral(p), path);
    if (!created.ok) throw new Error(`could not create ${path}: ${created.code}`);
    const armed = await watcher.page.evaluate(([p, t]) => window.mkBench!.armWatch(p, t), [path, 10_000] as const);
    if (!armed.ok || !armed.exists) throw new Error(`the watcher never saw ${path}`);
    const { offsetMs } = await harness.clockOffset(watcher);
    const at = (how === 'close' ? await harness.closeTab(owner) : await harness.freezeTab(owner)) + offsetMs;
    const fired = await watcher.page.evaluate((t) => window.mkBench!.watchFired(t), RUN_TIMEOUT_MS);
    const ok = fired !== null && fired.type === 'NodeDeleted';
    if (ok) times.push(fired.stamp - at);
    else failedRuns++;
    details.push({ ms: ok ? fired.stamp - at : null, event: fired?.type ?? null, watcherIsLeader: watcher === leader });
    progress.line(`ephemeral node of a ${how === 'close' ? 'closed' : 'frozen'} tab, run ${run + 1}/${plan.ephemeralRuns}: ${ok ? `gone after ${(fired.stamp - at).toFixed(0)} ms` : `not deleted (${fired?.type ?? 'no event'})`}`);
    if (how === 'freeze') await harness.discardTab(owner);
    await harness.replaceTab(owner.device);
  }
  return record(base, { workload: how === 'close' ? 'ephemeral-close' : 'ephemeral-freeze', via: 'follower' }, summarize(times), {
    errors: failedRuns,
    settings: { ...settings, runs: plan.ephemeralRuns, details },
  });
}
