import { MAX_APPEND_ENTRIES, MAX_PEER_FRAME_BYTES } from '../wire/limits.js';
import { KeeperError } from '../errors/keeper-error.js';
import type { ReplicaId } from './types.js';

/**
 * Every knob and limit of one replica's consensus, in one object. Build it with `createRaftConfig`,
 * which fills defaults and rejects values that cannot work.
 */
export interface RaftConfig {
  /** This replica's id. */
  readonly id: ReplicaId;
  /**
   * Ticks a follower waits without hearing from a leader before it campaigns. The real timeout is
   * drawn from [electionTicks, 2 * electionTicks) by the seeded PRNG after each reset.
   */
  readonly electionTicks: number;
  /** Ticks between a leader's heartbeats; must be smaller than electionTicks. */
  readonly heartbeatTicks: number;
  /** Upper bound on the entry bytes of one MsgApp (at least one entry is always sent). */
  readonly maxSizePerMsg: number;
  /** Upper bound on the entries of one MsgApp. */
  readonly maxEntriesPerMsg: number;
  /** MsgApps a leader keeps unacknowledged per follower in the replicate state (the pipeline window). */
  readonly maxInflightMsgs: number;
  /** Bytes of entries a leader accepts that are not yet committed; proposals beyond it are refused. */
  readonly maxUncommittedBytes: number;
  /** Bytes of snapshot data in one MsgSnap chunk. */
  readonly snapshotChunkBytes: number;
  /** Chunks of one snapshot a leader sends ahead of the follower's acknowledgement. */
  readonly maxSnapshotChunksInFlight: number;
  /** The largest snapshot a follower accepts to reassemble. */
  readonly maxSnapshotBytes: number;
  /** Entries one `propose` call may carry. */
  readonly maxProposalBatch: number;
  /** Bytes of committed entries one Ready hands to the application (at least one entry). */
  readonly maxCommittedBytesPerReady: number;
  /** ReadIndex requests a leader holds while it confirms its leadership. */
  readonly maxPendingReads: number;
  /** Run the PreVote phase before a real election (§9.6), so a rejoining replica does not disrupt. */
  readonly preVote: boolean;
  /** A leader steps down when it has not heard from a quorum for an election timeout (§6.2). */
  readonly checkQuorum: boolean;
}

export type RaftConfigInput = Partial<RaftConfig> & { readonly id: ReplicaId };

export const DEFAULT_RAFT_CONFIG: Omit<RaftConfig, 'id'> = {
  electionTicks: 10,
  heartbeatTicks: 1,
  maxSizePerMsg: 1024 * 1024,
  maxEntriesPerMsg: 4096,
  maxInflightMsgs: 256,
  maxUncommittedBytes: 64 * 1024 * 1024,
  snapshotChunkBytes: 256 * 1024,
  maxSnapshotChunksInFlight: 4,
  maxSnapshotBytes: 1024 * 1024 * 1024,
  maxProposalBatch: 10_000,
  maxCommittedBytesPerReady: 8 * 1024 * 1024,
  maxPendingReads: 10_000,
  preVote: true,
  checkQuorum: true,
};

/** The longest replica id accepted (ids travel in every message). */
export const MAX_REPLICA_ID_LENGTH = 128;

const POSITIVE_INTEGER_KEYS = [
  'electionTicks',
  'heartbeatTicks',
  'maxSizePerMsg',
  'maxEntriesPerMsg',
  'maxInflightMsgs',
  'maxUncommittedBytes',
  'snapshotChunkBytes',
  'maxSnapshotChunksInFlight',
  'maxSnapshotBytes',
  'maxProposalBatch',
  'maxCommittedBytesPerReady',
  'maxPendingReads',
] as const;

export function validateReplicaId(id: unknown): asserts id is ReplicaId {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_REPLICA_ID_LENGTH) {
    throw new KeeperError('BADARGUMENTS', `replica id must be a non-empty string of at most ${MAX_REPLICA_ID_LENGTH} characters`);
  }
}

/** Fills defaults and validates; throws KeeperError BADARGUMENTS naming the first bad field. */
export function createRaftConfig(input: RaftConfigInput): RaftConfig {
  validateReplicaId(input.id);
  const config: RaftConfig = { ...DEFAULT_RAFT_CONFIG, ...stripUndefined(input) };
  for (const key of POSITIVE_INTEGER_KEYS) {
    const value = config[key];
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new KeeperError('BADARGUMENTS', `raft config ${key} must be a positive integer, got ${String(value)}`);
    }
  }
  if (config.heartbeatTicks >= config.electionTicks) {
    throw new KeeperError('BADARGUMENTS', `raft config heartbeatTicks (${config.heartbeatTicks}) must be smaller than electionTicks (${config.electionTicks})`);
  }
  // Every message must fit one peer frame (src/wire/limits.ts), with room for the envelope.
  const maxMessageBytes = MAX_PEER_FRAME_BYTES - 64 * 1024;
  if (config.maxSizePerMsg > maxMessageBytes || config.snapshotChunkBytes > maxMessageBytes) {
    throw new KeeperError('BADARGUMENTS', `raft config maxSizePerMsg and snapshotChunkBytes must be at most ${maxMessageBytes} (a peer frame)`);
  }
  if (config.maxEntriesPerMsg > MAX_APPEND_ENTRIES) {
    throw new KeeperError('BADARGUMENTS', `raft config maxEntriesPerMsg must be at most ${MAX_APPEND_ENTRIES}`);
  }
  if (config.snapshotChunkBytes > config.maxSnapshotBytes) {
    throw new KeeperError('BADARGUMENTS', 'raft config snapshotChunkBytes must not exceed maxSnapshotBytes');
  }
  if (typeof config.preVote !== 'boolean' || typeof config.checkQuorum !== 'boolean') {
    throw new KeeperError('BADARGUMENTS', 'raft config preVote and checkQuorum must be booleans');
  }
  return Object.freeze(config);
}

function stripUndefined(input: RaftConfigInput): RaftConfigInput {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) if (value !== undefined) out[key] = value;
  return out as RaftConfigInput;
}
