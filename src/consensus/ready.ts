import type { WriteBatch } from '../storage/durable-storage.js';
import type { Message } from './message.js';
import type { ReadState } from './read-only.js';
import type { ConfState, Entry, HardState, ReplicaId, Snapshot } from './types.js';

export type RaftRole = 'follower' | 'pre-candidate' | 'candidate' | 'leader';

/** What a replica knows that is not persisted: who leads and what this replica is. */
export interface SoftState {
  readonly lead: ReplicaId | null;
  readonly role: RaftRole;
}

/**
 * One batch of work for the driver (src/replica, or the simulator). Handle it in this order:
 * 1. persist `snapshot`/`localSnapshot`, `entries` and `hardState` as one write (`readyToWriteBatch`);
 *    send `messages` meanwhile (they do not depend on that write);
 * 2. once the write, and every earlier write, is durable: send `messagesAfterDurable`;
 * 3. restore the state machine from `snapshot` (if any), then apply `committedEntries` in order;
 *    answer `readStates` once the applied index reaches theirs;
 * 4. call `advance()`. Only then ask for the next Ready.
 */
export interface Ready {
  /** Present when the leader or this replica's role changed since the last Ready. */
  readonly softState?: SoftState;
  /** Present when term, vote or commit changed since the last Ready. */
  readonly hardState?: HardState;
  /** Present when the configuration in force changed (it takes effect when appended; see ConfHistory). */
  readonly confState?: ConfState;
  /** Entries to append to durable storage (one at an index already held replaces it and all after it). */
  readonly entries: readonly Entry[];
  /** A snapshot received from the leader: persist it, then restore the state machine from it. */
  readonly snapshot?: Snapshot;
  /** A snapshot the application took (`RaftNode.compact`): persist it; the log up to it is dropped. */
  readonly localSnapshot?: Snapshot;
  /** Committed entries to apply, in order. */
  readonly committedEntries: readonly Entry[];
  /** Messages to send now. */
  readonly messages: readonly Message[];
  /** Messages that may leave only after this Ready's write is durable (acknowledgements, votes). */
  readonly messagesAfterDurable: readonly Message[];
  /** ReadIndex results (sync()). */
  readonly readStates: readonly ReadState[];
  /** Whether the write must be fsynced (it carries entries, a snapshot, or a new term or vote). */
  readonly mustSync: boolean;
}

/** The durable write a Ready asks for, or null when it asks for none. */
export function readyToWriteBatch(ready: Ready): WriteBatch | null {
  const snapshot = ready.snapshot ?? ready.localSnapshot;
  if (snapshot === undefined && ready.entries.length === 0 && ready.hardState === undefined) return null;
  return {
    entries: ready.entries,
    ...(snapshot === undefined ? {} : { snapshot }),
    ...(ready.hardState === undefined ? {} : { hardState: ready.hardState }),
  };
}
