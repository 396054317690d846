import { assert } from '../errors/keeper-error.js';
import type { Entry, Snapshot } from './types.js';

/** A write of entries handed out to the driver and not yet durable (see RaftLog.handOut). */
export interface PersistToken {
  /** The last entry it makes stable (lowered when a truncation replaces entries it carried). */
  readonly lastIndex: number;
}

interface TokenInProgress {
  lastIndex: number;
}

/** The bytes an entry counts for in message-size and uncommitted-size limits. */
export function entrySizeBytes(entry: Entry): number {
  return entry.data.byteLength + 16;
}

/**
 * One replica's log, in memory: the compaction point (the latest snapshot's index and term), the
 * entries after it, and the cursors the Ready cycle moves:
 *
 *   snapshotIndex < applied <= committed <= lastIndex,   stableIndex <= lastIndex
 *
 * Entries after `stableIndex` are not durable yet; `ready()` hands them to the driver to persist
 * (they are then "in progress", up to `inProgressIndex`) and `advance()` or `persisted()` marks them
 * stable. Several writes may be in progress at once (RaftNode.accept); each is a PersistToken, and
 * a truncation or a restored snapshot lowers what a token in progress will make stable, since the
 * entries it carried are no longer the log's. A snapshot received from the leader replaces the log
 * and waits in `pendingSnapshot` until it is persisted.
 */
export class RaftLog {
  snapshotIndex: number;
  snapshotTerm: number;
  private entries: Entry[];
  /** The last index known durable. */
  stableIndex: number;
  /** The last index handed out to be persisted (lowered if a truncation replaced it); -1 for none. */
  inProgressIndex = -1;
  /** Writes handed out and not yet durable, oldest first. */
  private readonly inProgress: TokenInProgress[] = [];
  committed: number;
  applied: number;
  /** A snapshot received from the leader, to persist and restore (null when none). */
  pendingSnapshot: Snapshot | null = null;

  constructor(snapshotIndex: number, snapshotTerm: number, entries: readonly Entry[], committed: number) {
    for (let i = 0; i < entries.length; i++) {
      assert((entries[i] as Entry).index === snapshotIndex + 1 + i, 'recovered entries must follow the snapshot contiguously');
    }
    this.snapshotIndex = snapshotIndex;
    this.snapshotTerm = snapshotTerm;
    this.entries = entries.slice();
    this.stableIndex = this.lastIndex();
    assert(committed >= snapshotIndex && committed <= this.lastIndex(), `recovered commit ${committed} is outside the log`);
    this.committed = committed;
    this.applied = snapshotIndex;
  }

  firstIndex(): number {
    return this.snapshotIndex + 1;
  }

  lastIndex(): number {
    return this.snapshotIndex + this.entries.length;
  }

  /** The term of the entry at `index`, or undefined when it is compacted or beyond the log. */
  term(index: number): number | undefined {
    if (index === this.snapshotIndex) return this.snapshotTerm;
    const entry = this.entries[index - this.snapshotIndex - 1];
    return entry === undefined ? undefined : entry.term;
  }

  lastTerm(): number {
    return this.term(this.lastIndex()) ?? 0;
  }

  entryAt(index: number): Entry | undefined {
    return this.entries[index - this.snapshotIndex - 1];
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** §5.4.1: a log ending at (lastIndex, lastTerm) is at least as up to date as this one. */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const ownTerm = this.lastTerm();
    return lastTerm > ownTerm || (lastTerm === ownTerm && lastIndex >= this.lastIndex());
  }

  /**
   * The index of the first of `entries` that this log does not hold (absent, or a different term),
   * or 0 when it holds them all.
   */
  findConflict(entries: readonly Entry[]): number {
    for (const entry of entries) {
      if (!this.matchTerm(entry.index, entry.term)) return entry.index;
    }
    return 0;
  }

  /**
   * For fast backtracking: the largest index <= `index` whose term is <= `term`, with that term.
   * Every entry above it has a larger term, so it cannot match a log whose entry at `index` has
   * `term`. A compacted position reports term 0.
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    let probe = Math.min(index, this.lastIndex());
    for (;;) {
      const probeTerm = this.term(probe);
      if (probeTerm === undefined) return { index: probe, term: 0 };
      if (probeTerm <= term) return { index: probe, term: probeTerm };
      probe -= 1;
    }
  }

  /**
   * Appends `entries` (contiguous), replacing any entry at the same index and everything after it.
   * Returns the index the log was truncated from, or 0.
   */
  append(entries: readonly Entry[]): number {
    if (entries.length === 0) return 0;
    const first = (entries[0] as Entry).index;
    assert(first > this.committed, `cannot overwrite committed entry ${first} (commit ${this.committed})`);
    assert(first <= this.lastIndex() + 1 && first > this.snapshotIndex, `entry ${first} leaves a gap after ${this.lastIndex()}`);
    let truncatedFrom = 0;
    if (first <= this.lastIndex()) {
      this.entries.length = first - this.snapshotIndex - 1;
      truncatedFrom = first;
      this.lowerUnstable(first - 1);
    }
    for (const entry of entries) this.entries.push(entry);
    return truncatedFrom;
  }

  /**
   * Entries [low, high) capped at `maxBytes` (at least one entry) and `maxCount`; undefined when
   * part of the range is compacted.
   */
  slice(low: number, high: number, maxBytes: number, maxCount: number): Entry[] | undefined {
    if (low <= this.snapshotIndex) return undefined;
    const end = Math.min(high, this.lastIndex() + 1, low + maxCount);
    if (low >= end) return [];
    const offset = this.snapshotIndex + 1;
    let bytes = 0;
    let stop = low;
    while (stop < end) {
      const size = entrySizeBytes(this.entries[stop - offset] as Entry);
      if (stop > low && bytes + size > maxBytes) break;
      bytes += size;
      stop += 1;
    }
    return this.entries.slice(low - offset, stop - offset);
  }

  commitTo(index: number): boolean {
    if (index <= this.committed) return false;
    assert(index <= this.lastIndex(), `commit ${index} is beyond the last index ${this.lastIndex()}`);
    this.committed = index;
    return true;
  }

  /** The last index durable or handed out to be persisted. */
  handedIndex(): number {
    return Math.max(this.stableIndex, this.inProgressIndex, this.snapshotIndex);
  }

  /** Entries neither durable nor handed out yet (to persist in the next Ready). */
  unstableEntries(): Entry[] {
    const from = this.handedIndex() + 1;
    return from > this.lastIndex() ? [] : this.entries.slice(from - this.snapshotIndex - 1);
  }

  /** The entries up to `lastIndex` were handed out to be persisted; the token marks them stable later. */
  handOut(lastIndex: number): PersistToken {
    assert(lastIndex <= this.lastIndex(), `cannot hand out entries up to ${lastIndex} past the last index ${this.lastIndex()}`);
    this.inProgressIndex = Math.max(this.inProgressIndex, lastIndex);
    const token: TokenInProgress = { lastIndex };
    this.inProgress.push(token);
    return token;
  }

  /** The write of `token`, and every write handed out before it, is durable. */
  persisted(token: PersistToken): void {
    const at = this.inProgress.indexOf(token as TokenInProgress);
    assert(at >= 0, 'persisted() of a token not in progress (or persisted twice)');
    this.inProgress.splice(0, at + 1);
    this.stableIndex = Math.max(this.stableIndex, Math.min(token.lastIndex, this.lastIndex()));
  }

  /** Writes handed out and not durable yet. */
  get writesInProgress(): number {
    return this.inProgress.length;
  }

  /** Entries after `index` are replaced: nothing in progress makes them stable. */
  private lowerUnstable(index: number): void {
    this.stableIndex = Math.min(this.stableIndex, index);
    this.inProgressIndex = Math.min(this.inProgressIndex, index);
    for (const token of this.inProgress) token.lastIndex = Math.min(token.lastIndex, index);
  }

  /** Committed entries after `applied`, up to `maxBytes` (at least one); none while a snapshot is pending. */
  committedToApply(maxBytes: number): Entry[] {
    if (this.pendingSnapshot !== null || this.applied >= this.committed) return [];
    return this.slice(this.applied + 1, this.committed + 1, maxBytes, Number.MAX_SAFE_INTEGER) ?? [];
  }

  hasCommittedToApply(): boolean {
    return this.pendingSnapshot === null && this.applied < this.committed;
  }

  /** The leader's (or the app's) snapshot at or below `applied`: drop the log prefix it covers. */
  compactTo(index: number, term: number): void {
    assert(index <= this.applied, `cannot compact past applied index ${this.applied}`);
    if (index <= this.snapshotIndex) return;
    assert(this.term(index) === term, `snapshot term ${term} does not match the log at ${index}`);
    this.entries.splice(0, index - this.snapshotIndex);
    this.snapshotIndex = index;
    this.snapshotTerm = term;
  }

  /** A snapshot from the leader replaces the whole log. */
  restore(snapshot: Snapshot): void {
    const { index, term } = snapshot.metadata;
    assert(index > this.committed, 'a restored snapshot must be ahead of the commit index');
    this.entries = [];
    this.snapshotIndex = index;
    this.snapshotTerm = term;
    this.committed = index;
    this.lowerUnstable(index);
    this.pendingSnapshot = snapshot;
  }
}
