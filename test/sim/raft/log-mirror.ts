import type { Entry } from '../../../src/consensus/types.js';
import { assert } from '../../../src/errors/keeper-error.js';
import { combineHashes, mix32 } from '../lincheck/hash.js';

/** FNV-1a over bytes. */
function hashBytes(data: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < data.byteLength; i++) {
    h ^= data[i]!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The hash of a log prefix ending with `entry`, given the hash of the prefix before it. */
export function prefixHash(previous: number, entry: Entry): number {
  const own = mix32((Math.imul(entry.term, 0x9e3779b1) ^ Math.imul(entry.index, 0x85ebca6b) ^ (entry.type << 30) ^ hashBytes(entry.data)) >>> 0);
  return combineHashes(previous, own);
}

/** One entry position as the invariants see it: its term and the hash of the whole prefix up to it. */
export interface MirroredEntry {
  readonly index: number;
  readonly term: number;
  readonly hash: number;
}

/**
 * What one replica's log holds, as far as its Readys told: the compaction point (index, term and the
 * prefix hash there) and, per later index, the entry's term and the rolling hash of the prefix up to
 * it. Two logs holding the same (index, term) must hold the same prefix (Log Matching): with the
 * rolling hash that is one comparison per entry, made when the entry is appended.
 */
export class LogMirror {
  snapshotIndex = 0;
  snapshotTerm = 0;
  snapshotHash = 0;
  private terms: number[] = [];
  private hashes: number[] = [];

  lastIndex(): number {
    return this.snapshotIndex + this.terms.length;
  }

  termAt(index: number): number | undefined {
    if (index === this.snapshotIndex) return this.snapshotTerm;
    return this.terms[index - this.snapshotIndex - 1];
  }

  /** The prefix hash at `index`, or undefined when it is compacted away or past the end. */
  hashAt(index: number): number | undefined {
    if (index === this.snapshotIndex) return this.snapshotHash;
    return this.hashes[index - this.snapshotIndex - 1];
  }

  /** Appends (replacing from the first entry's index on); answers the positions written. */
  append(entries: readonly Entry[]): MirroredEntry[] {
    const first = entries[0];
    if (first === undefined) return [];
    assert(
      first.index > this.snapshotIndex && first.index <= this.lastIndex() + 1,
      `entries from ${first.index} do not attach to a log of (${this.snapshotIndex}, ${this.lastIndex()}]`,
    );
    const keep = first.index - this.snapshotIndex - 1;
    this.terms.length = keep;
    this.hashes.length = keep;
    let previous = this.hashAt(first.index - 1)!;
    const written: MirroredEntry[] = [];
    for (const entry of entries) {
      assert(entry.index === this.lastIndex() + 1, `entries must be contiguous at ${entry.index}`);
      const hash = prefixHash(previous, entry);
      this.terms.push(entry.term);
      this.hashes.push(hash);
      written.push({ index: entry.index, term: entry.term, hash });
      previous = hash;
    }
    return written;
  }

  /** The application's snapshot at `index`: the prefix up to it is dropped (its hash is kept). */
  compactTo(index: number): void {
    if (index <= this.snapshotIndex) return;
    const term = this.termAt(index);
    const hash = this.hashAt(index);
    assert(term !== undefined && hash !== undefined, `cannot compact the mirror to ${index}: not held`);
    const drop = index - this.snapshotIndex;
    this.terms.splice(0, drop);
    this.hashes.splice(0, drop);
    this.snapshotIndex = index;
    this.snapshotTerm = term;
    this.snapshotHash = hash;
  }

  /** A snapshot from the leader replaced the whole log. */
  restore(index: number, term: number, hash: number): void {
    this.terms = [];
    this.hashes = [];
    this.snapshotIndex = index;
    this.snapshotTerm = term;
    this.snapshotHash = hash;
  }
}
