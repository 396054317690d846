import { assert } from '../errors/keeper-error.js';

/**
 * The sliding window of MsgApps a leader has sent to one follower and not yet seen acknowledged,
 * each remembered by the last index it carried. A ring buffer of fixed capacity: when full, the
 * leader stops sending to that follower until an acknowledgement frees a slot.
 */
export class Inflights {
  private readonly lastIndexes: number[];
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    assert(Number.isSafeInteger(capacity) && capacity > 0, 'inflights capacity must be a positive integer');
    this.lastIndexes = new Array<number>(capacity).fill(0);
  }

  get size(): number {
    return this.count;
  }

  full(): boolean {
    return this.count === this.capacity;
  }

  /** Records a MsgApp whose last entry is `lastIndex`; indexes must increase. */
  add(lastIndex: number): void {
    assert(!this.full(), 'cannot add to a full inflights window');
    if (this.count > 0) {
      const previous = this.lastIndexes[(this.start + this.count - 1) % this.capacity] ?? 0;
      assert(lastIndex > previous, `inflight index ${lastIndex} must exceed ${previous}`);
    }
    this.lastIndexes[(this.start + this.count) % this.capacity] = lastIndex;
    this.count += 1;
  }

  /** Frees every MsgApp whose last index is <= `index` (all acknowledged by a response for `index`). */
  freeLE(index: number): void {
    while (this.count > 0 && (this.lastIndexes[this.start] ?? 0) <= index) {
      this.start = (this.start + 1) % this.capacity;
      this.count -= 1;
    }
  }

  /** Frees the oldest MsgApp (after a heartbeat answer, so a window full of lost messages cannot stall). */
  freeFirst(): void {
    if (this.count === 0) return;
    this.start = (this.start + 1) % this.capacity;
    this.count -= 1;
  }

  reset(): void {
    this.start = 0;
    this.count = 0;
  }
}
