import type { Bitset } from './bitset.js';
import { combineHashes } from './hash.js';
import type { Model } from './model.js';

/**
 * The memo of Lowe's just-in-time linearizability check: the (linearized set, state) pairs the
 * search has already reached. Reaching one again cannot lead anywhere new, so the search skips it.
 * Its size is bounded by the search's step budget (one entry per successful step at most).
 */
export class StateCache<State> {
  private readonly buckets = new Map<number, { readonly members: Uint32Array; readonly state: State }[]>();
  private count = 0;

  constructor(private readonly model: Model<State, unknown, unknown>) {}

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
    bucket.push({ members: linearized.snapshot(), state });
    this.count += 1;
    return true;
  }
}
