import type { ConfState, Entry, HardState, Snapshot } from '../consensus/types.js';
import type { KeeperError } from '../errors/keeper-error.js';

/**
 * One durable write: what a Ready asked to persist. Applied in this order:
 * 1. `snapshot` replaces the log up to and including its index: entries at or below the index are
 *    dropped; entries above it are kept only when the log holds the snapshot's index with the
 *    snapshot's term (the Raft paper's InstallSnapshot rule), otherwise the whole log is dropped.
 *    A snapshot never goes back: its index is at least the current snapshot's.
 * 2. `entries` (contiguous, ascending): an entry at an index already held replaces it and
 *    everything after it; the first entry lies in (snapshot index, last index + 1].
 * 3. `hardState` replaces the hard state (term never decreases, a vote is never changed within a
 *    term, commit never decreases and never passes the last index).
 * 4. `compactTo` drops entries at and below it; it must not pass the snapshot index. Because a
 *    snapshot already drops every entry at or below its index, this is a checked no-op today;
 *    it is kept so that a later "retain a tail behind the snapshot" rule needs no interface change.
 * Breaking these rules is a programmer error (an assertion), never data loss.
 */
export interface WriteBatch {
  readonly snapshot?: Snapshot;
  readonly entries: readonly Entry[];
  readonly hardState?: HardState;
  readonly compactTo?: number;
}

/** What a replica finds on open: everything that was durable when it last stopped. */
export interface RecoveredState {
  readonly hardState: HardState;
  /**
   * The membership recorded in the snapshot's metadata (empty without a snapshot). Conf-change
   * entries after the snapshot are in `entries`; decoding them is the consensus layer's job.
   */
  readonly confState: ConfState;
  readonly snapshot: Snapshot | null;
  /** Entries after the snapshot (from snapshot index + 1), in index order, contiguous. */
  readonly entries: readonly Entry[];
}

/**
 * Where a replica's log lives between restarts. Writes are submitted in order and complete in that
 * order; completion is reported through `onDurable` so the driver (or the simulator) feeds it back
 * into the replica as an event. A write that never completed may be lost at a crash.
 */
export interface DurableStorage {
  /** Reads what is durable; called once, before any `submit`. Corruption rejects with DATAINCONSISTENCY. */
  open(): Promise<RecoveredState>;
  /**
   * Queues a write and returns its ticket (1, 2, 3, … per opened instance); `onDurable(ticket)`
   * fires once it and every earlier write are durable. Throws KeeperError BADARGUMENTS for a batch
   * over the size limits and THROTTLEDOP when too much is already queued; either way nothing is
   * queued and nothing changes.
   */
  submit(batch: WriteBatch): number;
  onDurable(listener: (ticket: number) => void): () => void;
  /**
   * Reports a write that failed (quota exceeded, database closed under us). After a failure no
   * further ticket completes and `submit` throws; the replica must stop and reopen.
   */
  onError(listener: (error: KeeperError) => void): () => void;
  /** Waits for queued writes to become durable, then releases the storage. Rejects after a failure. */
  close(): Promise<void>;
}
