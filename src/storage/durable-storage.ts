import type { ConfState, Entry, HardState, Snapshot } from '../consensus/types.js';

/**
 * One durable write: what a Ready asked to persist. Applied in this order: snapshot (replaces the
 * log up to its index), entries (an entry at an index already held replaces it and everything
 * after it), hard state; then `compactTo` drops entries at and below that index (a snapshot must
 * already cover it).
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
  readonly confState: ConfState;
  readonly snapshot: Snapshot | null;
  /** Entries after the snapshot, in index order, contiguous. */
  readonly entries: readonly Entry[];
}

/**
 * Where a replica's log lives between restarts. Writes are submitted in order and complete in that
 * order; completion is reported through `onDurable` so the driver (or the simulator) feeds it back
 * into the replica as an event. A write that never completed may be lost at a crash.
 */
export interface DurableStorage {
  open(): Promise<RecoveredState>;
  /** Queues a write; `onDurable(ticket)` fires once it and every earlier write are durable. */
  submit(batch: WriteBatch): number;
  onDurable(listener: (ticket: number) => void): () => void;
  close(): Promise<void>;
}
