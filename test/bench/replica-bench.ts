/**
 * Replica benchmark: 3 voters in one process, memory transport and storage, no delay.
 * - core: ReplicaCores driven directly (no timers; peer messages through the real codec, storage
 *   the real MemoryStorage completed at once): setData of 100 B with 1 / 16 / 128 outstanding
 *   (ops/s, p50/p99), create p50/p99, getData ops/s, watch latency (A sets, B's watcher fires);
 * - ensemble: the same through the public client (MeshKeeperClient) against createTestEnsemble
 *   (Replica glue, real timers and microtasks, memory links, client frames encoded as bytes).
 *   The issue's target (>= 50k setData/s at 128 outstanding) is checked on both.
 * Run: `npm run bench -- replica`.
 */
import { createTestEnsemble } from '../../src/testing/test-ensemble.js';
import type { RequestBody, ReplicaFrame } from '../../src/wire/client-message.js';
import { CoreCluster } from '../server/core-cluster.js';
import { create, exists, getData } from '../server/requests.js';
import { TestClient } from '../server/test-client.js';
import type { BenchRecord } from './run.js';

const DATA = new Uint8Array(100).fill(7);
const setData100 = (path: string): RequestBody => ({ type: 'setData', path, data: DATA, version: -1 });

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** A TestClient that calls back on each reply and event instead of keeping every frame. */
class BenchClient extends TestClient {
  onReply: (xid: number) => void = () => undefined;
  onEvent: () => void = () => undefined;
  override receive(frame: ReplicaFrame): void {
    if (frame.kind === 'reply') this.onReply(frame.message.xid);
    else if (frame.kind === 'watchEvent') this.onEvent();
    else super.receive(frame);
  }
}

interface RunResult {
  readonly opsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

function coreCluster(): CoreCluster {
  const cluster = new CoreCluster({ voters: 3, options: { snapshotEveryEntries: 1_000_000, maxQueuedPerSession: 10_000 } });
  cluster.elect('r1');
  return cluster;
}

/** Keeps `window` requests in flight from one client until `total` are answered. */
function coreRun(cluster: CoreCluster, client: BenchClient, total: number, window: number, body: (i: number) => RequestBody): RunResult {
  const started = new Map<number, number>();
  const latencies: number[] = [];
  let sent = 0;
  const issue = (): void => {
    const xid = client.send(body(sent));
    started.set(xid, performance.now());
    sent++;
  };
  client.onReply = (xid) => {
    latencies.push(performance.now() - (started.get(xid) as number));
    started.delete(xid);
    if (sent < total) issue();
  };
  const begin = performance.now();
  for (let i = 0; i < window && sent < total; i++) issue();
  while (latencies.length < total) if (!cluster.step()) throw new Error('the cluster stalled');
  const elapsedMs = performance.now() - begin;
  latencies.sort((a, b) => a - b);
  return { opsPerSecond: (total / elapsedMs) * 1000, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
}

function coreBench(records: BenchRecord[]): void {
  const cluster = coreCluster();
  const onLeader = cluster.session('r1', {}, (id) => new BenchClient('r1', id, () => cluster.core('r1'))) as BenchClient;
  const onFollower = cluster.session('r2', {}, (id) => new BenchClient('r2', id, () => cluster.core('r2'))) as BenchClient;
  onLeader.send(create('/bench', ''));
  cluster.settle();
  coreRun(cluster, onLeader, 20_000, 128, () => setData100('/bench'));
  for (const window of [1, 16, 128]) {
    const total = window === 1 ? 5_000 : 60_000;
    const result = coreRun(cluster, onLeader, total, window, () => setData100('/bench'));
    records.push({ name: `core setData 100 B, ${window} outstanding`, value: result.opsPerSecond, unit: 'ops/s', ...(window === 128 ? { target: { atLeast: 50_000 } } : {}) });
    records.push({ name: `core setData ${window} outstanding p50`, value: result.p50Ms, unit: 'ms' });
    records.push({ name: `core setData ${window} outstanding p99`, value: result.p99Ms, unit: 'ms' });
  }
  const follower = coreRun(cluster, onFollower, 60_000, 128, () => setData100('/bench'));
  records.push({ name: 'core setData via a follower, 128 outstanding', value: follower.opsPerSecond, unit: 'ops/s' });
  const creates = coreRun(cluster, onLeader, 20_000, 16, (i) => create(`/c${i}`, 'x'));
  records.push({ name: 'core create p50 (16 outstanding)', value: creates.p50Ms, unit: 'ms' });
  records.push({ name: 'core create p99 (16 outstanding)', value: creates.p99Ms, unit: 'ms' });
  const reads = coreRun(cluster, onFollower, 100_000, 128, () => getData('/bench'));
  records.push({ name: 'core getData, 128 outstanding', value: reads.opsPerSecond, unit: 'ops/s' });
  // Watch latency: A (on the leader) sets, B (on a follower) has a watch; time until B's event.
  const watchLatencies: number[] = [];
  for (let i = 0; i < 2_000; i++) {
    onFollower.send(exists('/bench', true));
    cluster.settle();
    let firedAt = 0;
    onFollower.onEvent = () => (firedAt = performance.now());
    const start = performance.now();
    onLeader.send(setData100('/bench'));
    while (firedAt === 0) if (!cluster.step()) throw new Error('the watch never fired');
    watchLatencies.push(firedAt - start);
    cluster.settle();
  }
  watchLatencies.sort((a, b) => a - b);
  records.push({ name: 'core watch latency p50', value: percentile(watchLatencies, 50), unit: 'ms' });
  records.push({ name: 'core watch latency p99', value: percentile(watchLatencies, 99), unit: 'ms' });
}

/** Keeps `window` calls in flight until `total` have resolved; each call's latency is recorded. */
async function clientRun(total: number, window: number, call: (i: number) => Promise<unknown>): Promise<RunResult> {
  const latencies: number[] = [];
  let sent = 0;
  const worker = async (): Promise<void> => {
    while (sent < total) {
      const i = sent++;
      const start = performance.now();
      await call(i);
      latencies.push(performance.now() - start);
    }
  };
  const begin = performance.now();
  await Promise.all(Array.from({ length: window }, worker));
  const elapsedMs = performance.now() - begin;
  latencies.sort((a, b) => a - b);
  return { opsPerSecond: (total / elapsedMs) * 1000, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
}

/** The public client (MeshKeeperClient) against createTestEnsemble: what an app's test sees. */
async function ensembleBench(records: BenchRecord[]): Promise<void> {
  const ensemble = await createTestEnsemble({ voters: 3, seed: 7, options: { snapshotEveryEntries: 1_000_000, maxQueuedPerSession: 10_000 } });
  try {
    const leader = await ensemble.waitForLeader();
    const follower = (leader + 1) % 3;
    const writer = await ensemble.connect({ replica: leader });
    const watcher = await ensemble.connect({ replica: follower });
    await writer.create('/bench', '');
    await clientRun(5_000, 128, () => writer.setData('/bench', DATA));
    for (const window of [1, 16, 128]) {
      const result = await clientRun(window === 1 ? 2_000 : 40_000, window, () => writer.setData('/bench', DATA));
      records.push({ name: `ensemble setData 100 B, ${window} outstanding`, value: result.opsPerSecond, unit: 'ops/s', ...(window === 128 ? { target: { atLeast: 50_000 } } : {}) });
      records.push({ name: `ensemble setData ${window} outstanding p50`, value: result.p50Ms, unit: 'ms' });
      records.push({ name: `ensemble setData ${window} outstanding p99`, value: result.p99Ms, unit: 'ms' });
    }
    const followerWrites = await clientRun(40_000, 128, () => watcher.setData('/bench', DATA));
    records.push({ name: 'ensemble setData via a follower, 128 outstanding', value: followerWrites.opsPerSecond, unit: 'ops/s' });
    const creates = await clientRun(2_000, 1, (i) => writer.create(`/c${i}`, DATA));
    records.push({ name: 'ensemble create p50 (1 outstanding)', value: creates.p50Ms, unit: 'ms' });
    records.push({ name: 'ensemble create p99 (1 outstanding)', value: creates.p99Ms, unit: 'ms' });
    const reads = await clientRun(100_000, 128, () => watcher.getData('/bench'));
    records.push({ name: 'ensemble getData (follower), 128 outstanding', value: reads.opsPerSecond, unit: 'ops/s' });
    // Watch latency: A (on the leader) sets, B (on a follower) has a data watch; time until B's event.
    const latencies: number[] = [];
    for (let i = 0; i < 500; i++) {
      let firedAt: (ms: number) => void = () => undefined;
      const fired = new Promise<number>((resolve) => (firedAt = resolve));
      await watcher.getData('/bench', { watch: () => firedAt(performance.now()) });
      const start = performance.now();
      const write = writer.setData('/bench', DATA);
      latencies.push((await fired) - start);
      await write;
    }
    latencies.sort((a, b) => a - b);
    records.push({ name: 'ensemble watch latency p50', value: percentile(latencies, 50), unit: 'ms' });
    records.push({ name: 'ensemble watch latency p99', value: percentile(latencies, 99), unit: 'ms' });
    await writer.close();
    await watcher.close();
  } finally {
    await ensemble.close();
  }
}

export async function runReplicaBench(): Promise<BenchRecord[]> {
  const records: BenchRecord[] = [];
  coreBench(records);
  await ensembleBench(records);
  return records;
}
