import type { LatencySummary } from '../pages/bench-page-api.js';

/**
 * The workloads of the browser benchmark, the same for meshkeeper and for ZooKeeper, each as
 * ZooKeeper's own benchmarks run it, with 100-byte data:
 * - create: sequential creates, one in flight;
 * - setData / getData: a closed loop with 1, 16 and 128 requests outstanding for a fixed time;
 * - watch: A sets, B's watcher fires (two clients on two replicas/servers);
 * - failover: the leader closes (tab closed / JVM killed) or freezes (tab frozen / JVM stopped)
 *   during a steady stream of writes: time to the next successful write started after it;
 * - ephemeral: the owner of an ephemeral node closes or freezes: time until another client sees
 *   the node deleted (its watch fires).
 */
export interface WorkloadPlan {
  readonly createCount: number;
  readonly loopMs: number;
  readonly windows: readonly number[];
  /** setData windows also run from the leader's tab (meshkeeper) / the leader server (ZooKeeper). */
  readonly leaderWindows: readonly number[];
  readonly watchSamples: number;
  readonly failoverRuns: number;
  readonly ephemeralRuns: number;
  readonly dataBytes: number;
  /** Requests before a timed loop starts (not timed). */
  readonly warmup: number;
  /** The session timeout every client asks for (the ephemeral-of-a-frozen-owner time depends on it). */
  readonly sessionTimeoutMs: number;
}

export const FULL_PLAN: WorkloadPlan = {
  createCount: 2_000,
  loopMs: 10_000,
  windows: [1, 16, 128],
  leaderWindows: [1, 128],
  watchSamples: 500,
  failoverRuns: 5,
  ephemeralRuns: 5,
  dataBytes: 100,
  warmup: 200,
  sessionTimeoutMs: 4_000,
};

export const QUICK_PLAN: WorkloadPlan = {
  ...FULL_PLAN,
  createCount: 300,
  loopMs: 1_500,
  watchSamples: 100,
  failoverRuns: 1,
  ephemeralRuns: 1,
  warmup: 100,
};

/** Just enough of each workload to check the harness end to end (bench-smoke test). */
export const SMOKE_PLAN: WorkloadPlan = {
  ...FULL_PLAN,
  createCount: 20,
  loopMs: 200,
  windows: [1, 16],
  leaderWindows: [1],
  watchSamples: 10,
  failoverRuns: 1,
  ephemeralRuns: 1,
  warmup: 5,
};

export type SystemName = 'meshkeeper' | 'zookeeper';
/** meshkeeper's placements of tabs, or ZooKeeper's servers. */
export type SetupName = 'one-profile' | 'separate-devices' | 'zookeeper-3-servers';

/** Which workload a record measured; `key` is what the table and the ratios match on. */
export interface WorkloadId {
  readonly workload: 'create' | 'setData' | 'getData' | 'watch' | 'failover-close' | 'failover-freeze' | 'ephemeral-close' | 'ephemeral-freeze';
  /** Requests outstanding (closed loops). */
  readonly outstanding?: number;
  /** Where the driving client is attached: a follower replica/server, or the leader's. */
  readonly via: 'follower' | 'leader';
}

/** One record per workload (the JSON's `records`). */
export interface WorkloadRecord extends WorkloadId, LatencySummary {
  readonly key: string;
  readonly system: SystemName;
  readonly setup: SetupName;
  /** Tabs (meshkeeper) or servers (ZooKeeper). */
  readonly members: number;
  readonly opsPerSecond?: number;
  readonly errors: number;
  readonly settings: Readonly<Record<string, unknown>>;
}

export function workloadKey(id: WorkloadId): string {
  const outstanding = id.outstanding === undefined ? '' : ` ${id.outstanding} outstanding`;
  return `${id.workload}${outstanding} via ${id.via}`;
}

/** Builds a record from a latency summary. */
export function record(
  base: { readonly system: SystemName; readonly setup: SetupName; readonly members: number },
  id: WorkloadId,
  summary: LatencySummary,
  extra: { readonly opsPerSecond?: number; readonly errors?: number; readonly settings?: Readonly<Record<string, unknown>> } = {},
): WorkloadRecord {
  return {
    ...base,
    ...id,
    key: workloadKey(id),
    ...summary,
    ...(extra.opsPerSecond === undefined ? {} : { opsPerSecond: extra.opsPerSecond }),
    errors: extra.errors ?? 0,
    settings: extra.settings ?? {},
  };
}
