import type { Bitset } from './bitset.js';
import { combineHashes } from './hash.js';
import type { Model } from './model.js';

/**
 * The memo of Lowe's just-in-time linearizability check: the (linearized set, state) pairs the
 * search has already reached. Reaching one again cannot lead anywhere new, so the search skips it.
 * Bounded: past `maxWords` words of stored sets it forgets everything and starts over, which only
 * costs time (the memo prunes; it never decides).
 */
export class StateCache<State> {
  private buckets = new Map<number, { readonly members: Uint32Array; readonly state: State }[]>();
  private count = 0;
  private words = 0;
  /** How many times the cache was full and forgot everything. */
  resets = 0;

  constructor(
    private readonly model: Model<State, unknown, unknown>,
    private readonly maxWords: number,
  ) {}

  get size(): number {
    return this.count;
  }

  /** Adds the pair and answers true, or answers false when it was already there. */
  addIfAbsent(linearized: Bitset, state: State): boolean {
    const key = combineHashes(linearized.hash(), this.model.hash(state));
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = [];
      this.buckets.set(key, bucket);
    }
    for (const entry of bucket) {
      if (linearized.equalsSnapshot(entry.members) && this.model.equal(entry.state, state)) return false;
    }
    const members = linearized.snapshot();
    if (this.words + members.length + 1 > this.maxWords) {
      this.buckets = new Map([[key, []]]);
      bucket = this.buckets.get(key)!;
      this.count = 0;
      this.words = 0;
      this.resets += 1;
    }
    bucket.push({ members, state });
    this.count += 1;
    this.words += members.length + 1;
    return true;
  }
}
