/**
 * The vocabulary of meshkeeper's consensus (Raft, in etcd-raft's shape). Pure data: every value here
 * can be encoded by src/wire and persisted by src/storage.
 */

/** A replica's id: stable across restarts of the tab that hosts it (device id + slot). */
export type ReplicaId = string;

export const EntryType = {
  /** A state-machine command (an encoded txn batch), or empty (a new leader's first entry). */
  Normal: 0,
  /** A membership change (an encoded ConfChange). */
  ConfChange: 1,
} as const;
export type EntryTypeNumber = (typeof EntryType)[keyof typeof EntryType];

export interface Entry {
  readonly term: number;
  readonly index: number;
  readonly type: EntryTypeNumber;
  readonly data: Uint8Array;
}

/** What must be durable before a replica answers a vote or acknowledges an append. */
export interface HardState {
  readonly term: number;
  /** The candidate voted for in `term`, or null. */
  readonly vote: ReplicaId | null;
  readonly commit: number;
}

/** Who votes and who only learns (ZooKeeper's observers). */
export interface ConfState {
  readonly voters: readonly ReplicaId[];
  readonly learners: readonly ReplicaId[];
}

export interface SnapshotMetadata {
  readonly index: number;
  readonly term: number;
  readonly confState: ConfState;
}

/** The state machine's image up to `metadata.index` (the encoded tree and session table). */
export interface Snapshot {
  readonly metadata: SnapshotMetadata;
  readonly data: Uint8Array;
}

export const EMPTY_HARD_STATE: HardState = { term: 0, vote: null, commit: 0 };
