import { EMPTY_HARD_STATE, type Entry, type HardState } from '../consensus/types.js';
import { assert } from '../errors/keeper-error.js';

/** A snapshot's position in the log. */
export interface SnapshotMark {
  readonly index: number;
  readonly term: number;
}

interface TermRun {
  /** First index of the run; the run lasts until the next run's start (or the last index). */
  start: number;
  readonly term: number;
}

/**
 * The shape of a log without its data: where it starts and ends, the snapshot it follows, the term
 * of every index (as runs of equal terms, a handful of numbers) and the hard state. Storage keeps
 * one up to date with every submitted write to check the next one (and to tell whether a snapshot
 * matches the log) without holding entry data.
 *
 * Invariant: firstIndex === (snapshot?.index ?? 0) + 1, lastIndex >= firstIndex - 1.
 */
export class LogShape {
  private snapshotMark: SnapshotMark | null = null;
  private last = 0;
  private runs: TermRun[] = [];
  private hard: HardState = EMPTY_HARD_STATE;

  get snapshot(): SnapshotMark | null {
    return this.snapshotMark;
  }
  get firstIndex(): number {
    return (this.snapshotMark?.index ?? 0) + 1;
  }
  get lastIndex(): number {
    return this.last;
  }
  get hardState(): HardState {
    return this.hard;
  }

  /** The term of `index`, for index in [firstIndex - 1, lastIndex]; undefined outside. */
  termAt(index: number): number | undefined {
    if (index === this.firstIndex - 1) return this.snapshotMark?.term ?? 0;
    if (index < this.firstIndex || index > this.last) return undefined;
    let low = 0;
    let high = this.runs.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      const run = this.runs[middle];
      assert(run !== undefined, 'term run in range');
      if (run.start <= index) low = middle;
      else high = middle - 1;
    }
    return this.runs[low]?.term;
  }

  /** Replaces the log up to `mark.index`; keeps later entries only when `keepLater`. */
  applySnapshot(mark: SnapshotMark, keepLater: boolean): void {
    if (!keepLater || mark.index >= this.last) {
      this.runs = [];
      this.last = Math.max(mark.index, keepLater ? this.last : mark.index);
    } else {
      let drop = 0;
      while (drop + 1 < this.runs.length && (this.runs[drop + 1]?.start ?? Infinity) <= mark.index + 1) drop++;
      this.runs = this.runs.slice(drop);
      const first = this.runs[0];
      if (first !== undefined) first.start = mark.index + 1;
    }
    this.snapshotMark = { index: mark.index, term: mark.term };
  }

  /** Appends `entries` (contiguous), first dropping every index from the first entry's on. */
  appendEntries(entries: readonly Entry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    assert(first.index >= this.firstIndex && first.index <= this.last + 1, 'append stays inside the log');
    while (this.runs.length > 0 && (this.runs[this.runs.length - 1]?.start ?? 0) >= first.index) this.runs.pop();
    for (const entry of entries) {
      if (this.runs[this.runs.length - 1]?.term !== entry.term) this.runs.push({ start: entry.index, term: entry.term });
    }
    this.last = first.index + entries.length - 1;
  }

  setHardState(hardState: HardState): void {
    this.hard = { term: hardState.term, vote: hardState.vote, commit: hardState.commit };
  }

  /** The shape of a recovered log. */
  static of(snapshot: SnapshotMark | null, entries: readonly Entry[], hardState: HardState): LogShape {
    const shape = new LogShape();
    if (snapshot !== null) shape.applySnapshot(snapshot, false);
    shape.appendEntries(entries);
    shape.setHardState(hardState);
    return shape;
  }
}
