import { EntryType, type Entry, type HardState, type Snapshot } from '../consensus/types.js';
import { assert } from '../errors/keeper-error.js';
import type { WriteBatch } from './durable-storage.js';
import type { LogShape } from './log-shape.js';

/** A checked WriteBatch, resolved against the log it applies to. */
export interface WritePlan {
  /** The snapshot, and whether the log held its index with its term (entries after it survive). */
  readonly snapshot: { readonly snapshot: Snapshot; readonly keepsLaterEntries: boolean } | null;
  /** The index from which held entries are replaced by `entries`, or null for a pure append. */
  readonly truncateFrom: number | null;
  readonly entries: readonly Entry[];
  readonly hardState: HardState | null;
}

const isIndex = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

function checkEntryShape(entry: Entry, expectedIndex: number): void {
  assert(entry.index === expectedIndex, `entries must be contiguous: expected index ${expectedIndex}, got ${entry.index}`);
  assert(isIndex(entry.term), `entry ${entry.index} has an invalid term ${String(entry.term)}`);
  assert(
    entry.type === EntryType.Normal || entry.type === EntryType.ConfChange,
    `entry ${entry.index} has an unknown type ${String(entry.type)}`,
  );
  assert(entry.data instanceof Uint8Array, `entry ${entry.index} data must be a Uint8Array`);
}

function checkSnapshot(shape: LogShape, snapshot: Snapshot): boolean {
  const { index, term, confState } = snapshot.metadata;
  assert(isIndex(index) && index > 0, `snapshot index must be a positive integer, got ${String(index)}`);
  assert(isIndex(term), `snapshot term must be a non-negative integer, got ${String(term)}`);
  assert(snapshot.data instanceof Uint8Array, 'snapshot data must be a Uint8Array');
  assert(
    Array.isArray(confState.voters) && Array.isArray(confState.learners),
    'snapshot confState needs voters and learners',
  );
  const current = shape.snapshot;
  if (current !== null) {
    assert(index >= current.index, `snapshot ${index} would go back behind snapshot ${current.index}`);
    if (index === current.index) {
      assert(term === current.term, `snapshot ${index} has term ${term}, the held one term ${current.term}`);
    }
  }
  const keepsLaterEntries = shape.termAt(index) === term;
  assert(
    keepsLaterEntries || index >= shape.hardState.commit,
    `snapshot ${index} (term ${term}) does not match the log and would drop committed entries up to ${shape.hardState.commit}`,
  );
  return keepsLaterEntries;
}

function checkHardState(previous: HardState, next: HardState, lastIndex: number): void {
  assert(isIndex(next.term), `hard state term must be a non-negative integer, got ${String(next.term)}`);
  assert(isIndex(next.commit), `hard state commit must be a non-negative integer, got ${String(next.commit)}`);
  assert(next.vote === null || typeof next.vote === 'string', 'hard state vote must be a replica id or null');
  assert(next.term >= previous.term, `hard state term went back from ${previous.term} to ${next.term}`);
  if (next.term === previous.term && previous.vote !== null) {
    assert(
      next.vote === previous.vote,
      `vote changed within term ${next.term} from ${previous.vote} to ${String(next.vote)}`,
    );
  }
  assert(next.commit >= previous.commit, `commit went back from ${previous.commit} to ${next.commit}`);
  assert(next.commit <= lastIndex, `commit ${next.commit} is past the last index ${lastIndex}`);
}

/**
 * Checks `batch` against `shape` (the log after every earlier submitted write) and resolves it.
 * Throws an assertion error for a batch no correct replica produces; `shape` is not changed.
 */
export function planWrite(shape: LogShape, batch: WriteBatch): WritePlan {
  assert(Array.isArray(batch.entries), 'a write batch needs an entries array');
  let firstIndex = shape.firstIndex;
  let lastIndex = shape.lastIndex;
  let termBefore = (index: number) => shape.termAt(index);
  let snapshotIndex = shape.snapshot?.index ?? 0;
  let snapshotPlan: WritePlan['snapshot'] = null;

  if (batch.snapshot !== undefined) {
    const snapshot = batch.snapshot;
    const keepsLaterEntries = checkSnapshot(shape, snapshot);
    snapshotPlan = { snapshot, keepsLaterEntries };
    snapshotIndex = snapshot.metadata.index;
    firstIndex = snapshotIndex + 1;
    lastIndex = keepsLaterEntries ? Math.max(lastIndex, snapshotIndex) : snapshotIndex;
    const snapshotTerm = snapshot.metadata.term;
    termBefore = (index) =>
      index === snapshotIndex ? snapshotTerm : index > snapshotIndex && keepsLaterEntries ? shape.termAt(index) : undefined;
  }

  let truncateFrom: number | null = null;
  const first = batch.entries[0];
  if (first !== undefined) {
    assert(isIndex(first.index), `entry index must be a non-negative integer, got ${String(first.index)}`);
    assert(first.index >= firstIndex, `entry ${first.index} is at or below the snapshot index ${snapshotIndex}`);
    assert(first.index <= lastIndex + 1, `entry ${first.index} leaves a gap after the last index ${lastIndex}`);
    let previousTerm = termBefore(first.index - 1);
    assert(previousTerm !== undefined, `no term known for index ${first.index - 1}`);
    batch.entries.forEach((entry, offset) => {
      checkEntryShape(entry, first.index + offset);
      assert(
        entry.term >= (previousTerm ?? 0),
        `entry ${entry.index} has term ${entry.term} below the term ${String(previousTerm)} before it`,
      );
      previousTerm = entry.term;
    });
    if (first.index <= lastIndex) {
      truncateFrom = first.index;
      assert(
        first.index > shape.hardState.commit,
        `entry ${first.index} would replace a committed entry (commit ${shape.hardState.commit})`,
      );
    }
    lastIndex = first.index + batch.entries.length - 1;
  }

  if (batch.hardState !== undefined) checkHardState(shape.hardState, batch.hardState, lastIndex);

  if (batch.compactTo !== undefined) {
    assert(isIndex(batch.compactTo), `compactTo must be a non-negative integer, got ${String(batch.compactTo)}`);
    assert(
      batch.compactTo <= snapshotIndex,
      `compactTo ${batch.compactTo} is past the snapshot index ${snapshotIndex}`,
    );
  }

  return { snapshot: snapshotPlan, truncateFrom, entries: batch.entries, hardState: batch.hardState ?? null };
}

/** Moves `shape` past a plan made from it. */
export function applyPlanToShape(shape: LogShape, plan: WritePlan): void {
  if (plan.snapshot !== null) {
    const { index, term } = plan.snapshot.snapshot.metadata;
    shape.applySnapshot({ index, term }, plan.snapshot.keepsLaterEntries);
  }
  shape.appendEntries(plan.entries);
  if (plan.hardState !== null) shape.setHardState(plan.hardState);
}
