import { EMPTY_HARD_STATE, EntryType, type Entry, type HardState, type Snapshot } from '../../src/consensus/types.js';
import type { RecoveredState, WriteBatch } from '../../src/storage/durable-storage.js';
import type { Prng } from '../../src/util/prng.js';

/**
 * The dumbest model of what a durable log holds after a sequence of write batches (a map from index
 * to entry), written from the rules in durable-storage.ts without the code under test. The property
 * tests compare real storages against it, and use it to generate only valid batches.
 */
export class ReferenceLog {
  hardState: HardState = EMPTY_HARD_STATE;
  snapshot: Snapshot | null = null;
  entries = new Map<number, Entry>();

  get firstIndex(): number {
    return (this.snapshot?.metadata.index ?? 0) + 1;
  }

  get lastIndex(): number {
    let last = this.firstIndex - 1;
    while (this.entries.has(last + 1)) last++;
    return last;
  }

  termAt(index: number): number | undefined {
    if (index === this.firstIndex - 1) return this.snapshot?.metadata.term ?? 0;
    return this.entries.get(index)?.term;
  }

  apply(batch: WriteBatch): void {
    if (batch.snapshot !== undefined) {
      const { index, term } = batch.snapshot.metadata;
      const matches = this.termAt(index) === term;
      for (const held of [...this.entries.keys()]) {
        if (held <= index || !matches) this.entries.delete(held);
      }
      this.snapshot = batch.snapshot;
    }
    for (const entry of batch.entries) {
      if (this.entries.has(entry.index)) {
        for (const held of [...this.entries.keys()]) if (held >= entry.index) this.entries.delete(held);
      }
      this.entries.set(entry.index, entry);
    }
    if (batch.hardState !== undefined) this.hardState = batch.hardState;
  }

  expected(): RecoveredState {
    const entries: Entry[] = [];
    for (let index = this.firstIndex; index <= this.lastIndex; index++) {
      const entry = this.entries.get(index);
      if (entry !== undefined) entries.push(entry);
    }
    return {
      hardState: this.hardState,
      confState: this.snapshot?.metadata.confState ?? { voters: [], learners: [] },
      snapshot: this.snapshot,
      entries,
    };
  }

  /** A random batch that follows every rule, for the log as it is now. */
  randomBatch(prng: Prng, voters: readonly string[]): WriteBatch {
    const last = this.lastIndex;
    const lastTerm = this.termAt(last) ?? 0;
    const commit = this.hardState.commit;
    const choice = prng.nextInt(10);
    let snapshot: Snapshot | undefined;
    let entries: Entry[] = [];
    if (choice === 0 && last > this.firstIndex - 1) {
      // A local snapshot of a committed-or-held index: matches, later entries stay.
      const index = prng.nextIntBetween(Math.max(this.firstIndex, 1), last);
      snapshot = makeSnapshot(index, this.termAt(index) ?? 0, voters, prng);
    } else if (choice === 1) {
      // A snapshot from a leader, past the log: everything is replaced.
      const index = last + prng.nextIntBetween(1, 20);
      snapshot = makeSnapshot(index, Math.max(lastTerm, this.hardState.term) + prng.nextInt(2), voters, prng);
    } else if (choice <= 3 && last > commit && last >= this.firstIndex) {
      // A new leader's entries replace uncommitted ones.
      const from = prng.nextIntBetween(Math.max(commit + 1, this.firstIndex), last);
      const term = Math.max(lastTerm, this.hardState.term) + 1;
      entries = makeEntries(from, prng.nextIntBetween(1, 12), term, prng);
    } else if (choice <= 8) {
      entries = makeEntries(last + 1, prng.nextIntBetween(1, 40), Math.max(lastTerm, 1), prng);
    }
    const newLast = entries.length > 0 ? (entries[entries.length - 1]?.index ?? 0) : snapshot !== undefined && snapshot.metadata.index > last ? snapshot.metadata.index : last;
    const topTerm = Math.max(this.hardState.term, entries[0]?.term ?? 0, snapshot?.metadata.term ?? 0);
    let hardState: HardState | undefined;
    if (prng.chance(0.7)) {
      const term = topTerm + (prng.chance(0.1) ? 1 : 0);
      const vote = term === this.hardState.term ? this.hardState.vote ?? (prng.chance(0.5) ? voters[0] ?? null : null) : null;
      hardState = { term, vote, commit: prng.nextIntBetween(commit, Math.max(commit, newLast)) };
    }
    const batch: WriteBatch = { entries };
    return {
      ...batch,
      ...(snapshot === undefined ? {} : { snapshot }),
      ...(hardState === undefined ? {} : { hardState }),
      ...(snapshot !== undefined && prng.chance(0.5) ? { compactTo: snapshot.metadata.index } : {}),
    };
  }
}

export function makeEntries(from: number, count: number, term: number, prng?: Prng): Entry[] {
  return Array.from({ length: count }, (_, offset) => {
    const index = from + offset;
    const length = prng === undefined ? 8 : prng.nextInt(prng.chance(0.05) ? 3000 : 60);
    const data = new Uint8Array(length);
    for (let byte = 0; byte < length; byte++) data[byte] = (index * 31 + term * 7 + byte) & 0xff;
    return { term, index, type: index % 7 === 0 ? EntryType.ConfChange : EntryType.Normal, data };
  });
}

export function makeSnapshot(index: number, term: number, voters: readonly string[], prng?: Prng): Snapshot {
  const length = prng === undefined ? 16 : prng.nextInt(200);
  const data = new Uint8Array(length);
  for (let byte = 0; byte < length; byte++) data[byte] = (index + byte * 13) & 0xff;
  return { metadata: { index, term, confState: { voters: [...voters], learners: ['observer'] } }, data };
}
