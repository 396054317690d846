import type { RaftConfigInput } from '../consensus/config.js';
import { KeeperError } from '../errors/keeper-error.js';
import { CONTAINER_GRACE_MS } from '../tree/expiry.js';
import type { WatchLimits } from '../watch/watch-limits.js';

/**
 * Every knob and limit of one replica (DESIGN.md, "Limits"), in one object. `resolveCoreOptions`
 * fills the defaults and refuses values that cannot work (BADARGUMENTS naming the field).
 */
export interface ReplicaCoreOptions {
  /** Milliseconds per Raft tick: `tick(nowMs)` turns elapsed time into this many-ms ticks. */
  readonly tickMs: number;
  /** Raft's election timeout and heartbeat interval, in ticks. */
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  /** The bounds a session timeout is negotiated into (ZooKeeper: 2 to 20 ticks). */
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
  /** Client connections one replica holds at once. */
  readonly maxClients: number;
  /** Requests one session may have unanswered at its replica; beyond it they answer THROTTLEDOP. */
  readonly maxQueuedPerSession: number;
  /** Writes this replica has forwarded to the leader and not yet seen applied (all sessions). */
  readonly maxForwardedInFlight: number;
  /** Txns in one log entry, and its encoded bytes (a single larger txn still gets an entry alone). */
  readonly maxTxnsPerEntry: number;
  readonly maxEntryBytes: number;
  /** Txns the leader has proposed and not yet applied; more requests wait in its queue. */
  readonly maxUncommittedTxns: number;
  /** Requests waiting in the leader's queue; beyond it a request is answered THROTTLEDOP. */
  readonly maxLeaderQueue: number;
  /** How long a connect may wait (for a leader, or for this replica to reach lastZxidSeen). */
  readonly connectWaitMs: number;
  /** How long a replica keeps its clients without a leader before it closes their connections. */
  readonly leaderlessGraceMs: number;
  /** A new leader waits this long for links before it ends fate-shared sessions of absent replicas. */
  readonly fateShareGraceMs: number;
  /** How often the leader looks for containers and TTL nodes to delete. */
  readonly sweepIntervalMs: number;
  /** How long a container that never had a child lives (Infinity: forever). */
  readonly containerGraceMs: number;
  /** Applied entries between two snapshots (each followed by log compaction). */
  readonly snapshotEveryEntries: number;
  /** How often a replica reports the sessions it heard from to the leader. */
  readonly activityReportMs: number;
  /** The watch manager's caps. */
  readonly watchLimits: Partial<WatchLimits>;
  /** Anything else of the Raft configuration (its own defaults otherwise). */
  readonly raft: Omit<Partial<RaftConfigInput>, 'id' | 'electionTicks' | 'heartbeatTicks'>;
}

export const DEFAULT_CORE_OPTIONS: ReplicaCoreOptions = {
  tickMs: 10,
  electionTicks: 10,
  heartbeatTicks: 1,
  minSessionTimeoutMs: 400,
  maxSessionTimeoutMs: 40_000,
  maxClients: 1_000,
  maxQueuedPerSession: 1_000,
  maxForwardedInFlight: 10_000,
  maxTxnsPerEntry: 1_000,
  maxEntryBytes: 1024 * 1024,
  maxUncommittedTxns: 20_000,
  maxLeaderQueue: 50_000,
  connectWaitMs: 2_000,
  leaderlessGraceMs: 2_000,
  fateShareGraceMs: 2_000,
  sweepIntervalMs: 1_000,
  containerGraceMs: CONTAINER_GRACE_MS,
  snapshotEveryEntries: 10_000,
  activityReportMs: 100,
  watchLimits: {},
  raft: {},
};

/**
 * Raft's largest message must carry the largest txn: a setData of 1 MiB - 1 bytes and its header.
 * (The transport's frames must be at least this large too.)
 */
export const DEFAULT_RAFT_MAX_SIZE_PER_MSG = 2 * 1024 * 1024;

const POSITIVE_INTEGERS = [
  'tickMs',
  'electionTicks',
  'heartbeatTicks',
  'minSessionTimeoutMs',
  'maxSessionTimeoutMs',
  'maxClients',
  'maxQueuedPerSession',
  'maxForwardedInFlight',
  'maxTxnsPerEntry',
  'maxEntryBytes',
  'maxUncommittedTxns',
  'maxLeaderQueue',
  'connectWaitMs',
  'leaderlessGraceMs',
  'fateShareGraceMs',
  'sweepIntervalMs',
  'snapshotEveryEntries',
  'activityReportMs',
] as const;

function withoutUndefined<T extends object>(input: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) if (value !== undefined) out[key] = value;
  return out as Partial<T>;
}

export function resolveCoreOptions(input: Partial<ReplicaCoreOptions> = {}): ReplicaCoreOptions {
  const options: ReplicaCoreOptions = { ...DEFAULT_CORE_OPTIONS, ...withoutUndefined(input) };
  for (const key of POSITIVE_INTEGERS) {
    const value = options[key];
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new KeeperError('BADARGUMENTS', `replica option ${key} must be a positive integer, got ${String(value)}`);
    }
  }
  if (options.minSessionTimeoutMs > options.maxSessionTimeoutMs) {
    throw new KeeperError('BADARGUMENTS', 'replica option minSessionTimeoutMs must not exceed maxSessionTimeoutMs');
  }
  if (options.heartbeatTicks >= options.electionTicks) {
    throw new KeeperError('BADARGUMENTS', 'replica option heartbeatTicks must be smaller than electionTicks');
  }
  if (options.maxTxnsPerEntry > 10_000) {
    throw new KeeperError('BADARGUMENTS', 'replica option maxTxnsPerEntry must be at most 10,000 (a txn batch holds no more)');
  }
  if (!(options.containerGraceMs >= 0)) {
    throw new KeeperError('BADARGUMENTS', 'replica option containerGraceMs must be a non-negative number or Infinity');
  }
  return Object.freeze(options);
}
