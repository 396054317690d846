import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Client } from 'node-zookeeper-client';
import { LatencyBuffer, summarize } from './latency-summary.js';
import type { Progress } from './progress.js';
import { nodeStamp } from './stamp.js';
import { ZOOKEEPER_SPIN_DELAY_MS, closeZookeeper, codeOf, connectZookeeper, create, ensure, exists, getData, setData, Event } from './zookeeper-client.js';
import type { ZookeeperEnsemble, ZookeeperServer } from './zookeeper-ensemble.js';
import { record, type WorkloadId, type WorkloadPlan, type WorkloadRecord } from './workload-plan.js';

/**
 * The browser benchmark's workloads (workload-plan.ts) against a 3-server ZooKeeper ensemble,
 * through node-zookeeper-client in this process, timed here with performance.now(). The driving
 * client is attached to a follower unless a record says `via: 'leader'`.
 */

const BENCH_NODE = '/bench';
const WATCH_NODE = '/bench-watch';
const STREAM_NODE = '/bench-stream';
const RUN_TIMEOUT_MS = 60_000;
const OWNER_SCRIPT = fileURLToPath(new URL('./zookeeper-ephemeral-owner.ts', import.meta.url));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for `promise` at most `ms` (the timer does not outlive it). */
async function atMost(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

type Base = Pick<WorkloadRecord, 'system' | 'setup' | 'members'>;

export async function runZookeeperWorkloads(ensemble: ZookeeperEnsemble, plan: WorkloadPlan, progress: Progress): Promise<WorkloadRecord[]> {
  const base: Base = { system: 'zookeeper', setup: 'zookeeper-3-servers', members: ensemble.servers.length };
  const settings = { servers: ensemble.servers.length, dataBytes: plan.dataBytes, sessionTimeoutMs: plan.sessionTimeoutMs, tickTime: 2000, forceSync: 'yes', client: 'node-zookeeper-client', spinDelayMs: ZOOKEEPER_SPIN_DELAY_MS };
  const data = Buffer.alloc(plan.dataBytes, 0x61);
  const records: WorkloadRecord[] = [];
  const [follower] = await ensemble.followers();
  const leader = await ensemble.leader();
  if (follower === undefined) throw new Error('no ZooKeeper follower');
  const viaFollower = await connectZookeeper(ensemble.connectionString(follower), plan.sessionTimeoutMs);
  const viaLeader = await connectZookeeper(ensemble.connectionString(leader), plan.sessionTimeoutMs);
  try {
    const createParent = `/bench-create-${Date.now()}`;
    for (const path of [BENCH_NODE, WATCH_NODE, STREAM_NODE, createParent]) await ensure(viaFollower, path, data);

    const loop = async (client: Client, id: WorkloadId, op: 'create' | 'setData' | 'getData', window: number, limit: { count?: number; durationMs?: number }): Promise<void> => {
      const label = `${id.workload}${id.outstanding === undefined ? '' : ` ${id.outstanding} outstanding`} via ${id.via}`;
      let sequence = 0;
      const request = (): Promise<unknown> =>
        op === 'setData' ? setData(client, BENCH_NODE, data) : op === 'getData' ? getData(client, BENCH_NODE) : create(client, `${createParent}/n${sequence++}`, data);
      const state = { done: 0, errors: 0 };
      const warmup = op === 'create' ? 0 : plan.warmup;
      const result = await progress.during(label, closedLoop(request, window, limit, warmup, state), async () => `${state.done.toLocaleString('en-US')} done`);
      const opsPerSecond = (result.ok / result.elapsedMs) * 1000;
      records.push(record(base, id, result.summary, { opsPerSecond, errors: result.errors, settings: { ...settings, op, window, ...limit, warmup, errorCodes: result.errorCodes } }));
      progress.line(`${label}: ${Math.round(opsPerSecond).toLocaleString('en-US')} ops/s, p50 ${result.summary.p50Ms.toFixed(2)} ms, p99 ${result.summary.p99Ms.toFixed(2)} ms`);
    };

    await loop(viaFollower, { workload: 'create', via: 'follower' }, 'create', 1, { count: plan.createCount });
    for (const window of plan.windows) await loop(viaFollower, { workload: 'setData', outstanding: window, via: 'follower' }, 'setData', window, { durationMs: plan.loopMs });
    for (const window of plan.windows) await loop(viaFollower, { workload: 'getData', outstanding: window, via: 'follower' }, 'getData', window, { durationMs: plan.loopMs });
    for (const window of plan.leaderWindows) await loop(viaLeader, { workload: 'setData', outstanding: window, via: 'leader' }, 'setData', window, { durationMs: plan.loopMs });
  } finally {
    closeZookeeper(viaFollower);
    closeZookeeper(viaLeader);
  }
  records.push(await watchLatency(ensemble, plan, progress, base, settings, data));
  records.push(await failover(ensemble, plan, progress, base, settings, data, 'kill'));
  records.push(await failover(ensemble, plan, progress, base, settings, data, 'freeze'));
  records.push(await ephemeral(ensemble, plan, progress, base, settings, 'kill'));
  records.push(await ephemeral(ensemble, plan, progress, base, settings, 'freeze'));
  return records;
}

interface LoopOutcome {
  readonly ok: number;
  readonly errors: number;
  readonly errorCodes: Record<string, number>;
  readonly elapsedMs: number;
  readonly summary: ReturnType<typeof summarize>;
}

async function closedLoop(request: () => Promise<unknown>, window: number, limit: { count?: number; durationMs?: number }, warmup: number, state: { done: number; errors: number }): Promise<LoopOutcome> {
  for (let i = 0; i < warmup; i++) await request().catch(() => undefined);
  const latencies = new LatencyBuffer();
  const errorCodes: Record<string, number> = {};
  const count = limit.count ?? Number.POSITIVE_INFINITY;
  const begin = performance.now();
  const deadline = limit.durationMs === undefined ? Number.POSITIVE_INFINITY : begin + limit.durationMs;
  let issued = 0;
  const worker = async (): Promise<void> => {
    while (issued < count && performance.now() < deadline) {
      issued++;
      const start = performance.now();
      try {
        await request();
        latencies.push(performance.now() - start);
        state.done++;
      } catch (error) {
        const code = codeOf(error);
        errorCodes[code] = (errorCodes[code] ?? 0) + 1;
        state.errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: window }, worker));
  const elapsedMs = performance.now() - begin;
  return { ok: latencies.size, errors: state.errors, errorCodes, elapsedMs, summary: latencies.summary() };
}

/** Client A (on one follower) sets; client B (on the other follower) has an exists-watch. */
async function watchLatency(ensemble: ZookeeperEnsemble, plan: WorkloadPlan, progress: Progress, base: Base, settings: Record<string, unknown>, data: Buffer): Promise<WorkloadRecord> {
  const [first, second] = await ensemble.followers();
  if (first === undefined || second === undefined) throw new Error('the watch workload needs two ZooKeeper followers');
  const writer = await connectZookeeper(ensemble.connectionString(first), plan.sessionTimeoutMs);
  const watcher = await connectZookeeper(ensemble.connectionString(second), plan.sessionTimeoutMs);
  const latencies: number[] = [];
  let misses = 0;
  try {
    await progress.during(
      'watch latency',
      (async () => {
        for (let i = 0; i < plan.watchSamples; i++) {
          let firedAt = 0;
          let onFired: () => void = () => undefined;
          const fired = new Promise<void>((resolve) => (onFired = resolve));
          await exists(watcher, WATCH_NODE, () => {
            firedAt = performance.now();
            onFired();
          });
          const start = performance.now();
          await setData(writer, WATCH_NODE, data);
          await atMost(fired, 5_000);
          if (firedAt === 0) misses++;
          else latencies.push(firedAt - start);
        }
      })(),
      async () => `${latencies.length} samples`,
    );
  } finally {
    closeZookeeper(writer);
    closeZookeeper(watcher);
  }
  const summary = summarize(latencies);
  progress.line(`watch latency: p50 ${summary.p50Ms.toFixed(2)} ms, p99 ${summary.p99Ms.toFixed(2)} ms`);
  return record(base, { workload: 'watch', via: 'follower' }, summary, { errors: misses, settings: { ...settings, samples: plan.watchSamples } });
}

/**
 * During a stream of writes from a client on a follower, the leader's JVM is killed (SIGKILL) or
 * frozen (SIGSTOP): the time to the end of the first successful write started after it. Then the
 * server is restarted (or resumed) and the ensemble is healthy again before the next run.
 */
async function failover(
  ensemble: ZookeeperEnsemble,
  plan: WorkloadPlan,
  progress: Progress,
  base: Base,
  settings: Record<string, unknown>,
  data: Buffer,
  how: 'kill' | 'freeze',
): Promise<WorkloadRecord> {
  const times: number[] = [];
  const details: Record<string, unknown>[] = [];
  let failedRuns = 0;
  for (let run = 0; run < plan.failoverRuns; run++) {
    const leader = await ensemble.leader();
    const [follower] = await ensemble.followers();
    if (follower === undefined) throw new Error('no ZooKeeper follower');
    const writer = await connectZookeeper(ensemble.connectionString(follower), 30_000);
    const requests: [number, number, string][] = [];
    let stop = false;
    const streaming = (async () => {
      while (!stop) {
        const start = nodeStamp();
        let code = '';
        try {
          await setData(writer, STREAM_NODE, data);
        } catch (error) {
          code = codeOf(error);
          await sleep(1);
        }
        requests.push([start, nodeStamp(), code]);
      }
    })();
    await sleep(300);
    const at = nodeStamp();
    if (how === 'kill') await ensemble.kill(leader);
    else ensemble.freeze(leader);
    let end: number | null = null;
    const deadline = Date.now() + RUN_TIMEOUT_MS;
    while (end === null && Date.now() < deadline) {
      await sleep(20);
      end = requests.find(([start, , code]) => start >= at && code === '')?.[1] ?? null;
    }
    stop = true;
    await atMost(streaming, 5_000);
    closeZookeeper(writer);
    const failures = requests.filter(([start, , code]) => start >= at - 50 && code !== '').map(([, , code]) => code);
    if (end === null) failedRuns++;
    else times.push(end - at);
    details.push({ ms: end === null ? null : end - at, failures: failures.length, codes: [...new Set(failures)] });
    progress.line(`failover (leader JVM ${how === 'kill' ? 'killed' : 'stopped'}) run ${run + 1}/${plan.failoverRuns}: ${end === null ? 'no write succeeded' : `${(end - at).toFixed(0)} ms`} (${failures.length} failed writes)`);
    if (how === 'kill') ensemble.restart(leader);
    else ensemble.resume(leader);
    await ensemble.waitHealthy(60_000);
  }
  return record(base, { workload: how === 'kill' ? 'failover-close' : 'failover-freeze', via: 'follower' }, summarize(times), {
    errors: failedRuns,
    settings: { ...settings, runs: plan.failoverRuns, how: how === 'kill' ? 'leader JVM SIGKILL' : 'leader JVM SIGSTOP', details },
  });
}

/** Starts an owner process holding `path` as an ephemeral node; resolves once it is created. */
function startOwner(server: ZookeeperServer, path: string, sessionTimeoutMs: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', OWNER_SCRIPT, `127.0.0.1:${server.clientPort}`, path, String(sessionTimeoutMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const created = new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('created')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the ephemeral owner exited (${code}) before creating ${path}`)));
  });
  return { child, created };
}

/**
 * A client in another process (on one follower) owns an ephemeral node; a client here (on the
 * other follower) watches it. The owner process is killed (its socket closes; the session expires)
 * or stopped: the time until the watch fires with NodeDeleted.
 */
async function ephemeral(ensemble: ZookeeperEnsemble, plan: WorkloadPlan, progress: Progress, base: Base, settings: Record<string, unknown>, how: 'kill' | 'freeze'): Promise<WorkloadRecord> {
  const times: number[] = [];
  const details: Record<string, unknown>[] = [];
  let failedRuns = 0;
  for (let run = 0; run < plan.ephemeralRuns; run++) {
    const [ownerServer, watcherServer] = await ensemble.followers();
    if (ownerServer === undefined || watcherServer === undefined) throw new Error('the ephemeral workload needs two ZooKeeper followers');
    const path = `/bench-ephemeral-${how}-${Date.now()}`;
    const owner = startOwner(ownerServer, path, plan.sessionTimeoutMs);
    const watcher = await connectZookeeper(ensemble.connectionString(watcherServer), 30_000);
    try {
      await owner.created;
      const deadline = Date.now() + 10_000;
      while (!(await exists(watcher, path)) && Date.now() < deadline) await sleep(5);
      let deleted: number | null = null;
      let onDeleted: () => void = () => undefined;
      const gone = new Promise<void>((resolve) => (onDeleted = resolve));
      const present = await exists(watcher, path, (event) => {
        if (event.getType() !== Event.NODE_DELETED) return;
        deleted = nodeStamp();
        onDeleted();
      });
      if (!present) throw new Error(`the watcher never saw ${path}`);
      const at = nodeStamp();
      if (owner.child.pid !== undefined) process.kill(owner.child.pid, how === 'kill' ? 'SIGKILL' : 'SIGSTOP');
      await atMost(gone, RUN_TIMEOUT_MS);
      const ms = deleted === null ? null : deleted - at;
      if (ms === null) failedRuns++;
      else times.push(ms);
      details.push({ ms });
      progress.line(`ephemeral node of a ${how === 'kill' ? 'killed' : 'stopped'} client, run ${run + 1}/${plan.ephemeralRuns}: ${ms === null ? 'not deleted' : `gone after ${ms.toFixed(0)} ms`}`);
    } finally {
      if (owner.child.pid !== undefined && owner.child.exitCode === null) {
        try {
          process.kill(owner.child.pid, 'SIGCONT');
          process.kill(owner.child.pid, 'SIGKILL');
        } catch {
          // It exited already.
        }
      }
      closeZookeeper(watcher);
    }
  }
  return record(base, { workload: how === 'kill' ? 'ephemeral-close' : 'ephemeral-freeze', via: 'follower' }, summarize(times), {
    errors: failedRuns,
    settings: { ...settings, runs: plan.ephemeralRuns, how: how === 'kill' ? 'owner process SIGKILL' : 'owner process SIGSTOP', details },
  });
}
