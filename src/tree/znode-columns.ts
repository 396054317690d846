/**
 * The numeric fields of every znode of one tree, as columns: one slot per live node, the slot's
 * fields at fixed places in a few typed arrays. A znode object keeps only its references (path, data,
 * ACL, children) and its slot, so a node costs one small object instead of one large object plus a
 * heap box for every time and a bigint for every zxid; a snapshot restore fills the columns without
 * allocating anything per field, and the digest and the snapshot encoder read them as plain words.
 *
 * Slots of deleted nodes are reused: a znode removed from its tree must not be read any more.
 */

/** 64-bit fields, four a slot in `int64` (a BigInt64Array), eight words a slot in `int64Words`. */
export const CZXID = 0;
export const MZXID = 1;
export const PZXID = 2;
export const OWNER = 3;
export const INT64_PER_SLOT = 4;

/** Millisecond fields (safe integers), three a slot in `times`. */
export const CTIME = 0;
export const MTIME = 1;
export const TTL = 2;
export const TIMES_PER_SLOT = 3;

/** 32-bit fields, four a slot in `ints`. */
export const VERSION = 0;
export const CREATES = 1;
export const AVERSION = 2;
export const MODE = 3;
export const INTS_PER_SLOT = 4;

const INITIAL_SLOTS = 1024;

export class ZnodeColumns {
  /** czxid, mzxid, pzxid, ephemeralOwner of each slot. */
  int64: BigInt64Array;
  /** The same bytes as `int64`, as 32-bit words (pairs laid out as int64-words.ts says). */
  int64Words: Int32Array;
  /** ctime, mtime, ttlMs of each slot. */
  times: Float64Array;
  /** version, creates, aversion, mode of each slot. */
  ints: Int32Array;
  private capacity = 0;
  private nextSlot = 0;
  private readonly freeSlots: number[] = [];

  constructor() {
    this.int64 = new BigInt64Array(0);
    this.int64Words = new Int32Array(0);
    this.times = new Float64Array(0);
    this.ints = new Int32Array(0);
    this.grow(INITIAL_SLOTS);
  }

  /** How many slots the arrays hold (listeners such as the digest size their own arrays by it). */
  get slotCapacity(): number {
    return this.capacity;
  }

  /** A free slot (its fields hold whatever the last node there left: the caller sets them all). */
  allocate(): number {
    const reused = this.freeSlots.pop();
    if (reused !== undefined) return reused;
    if (this.nextSlot === this.capacity) this.grow(Math.max(INITIAL_SLOTS, Math.ceil(this.capacity * 1.5)));
    return this.nextSlot++;
  }

  release(slot: number): void {
    this.freeSlots.push(slot);
  }

  /** Makes room for `count` more slots at once (a restore knows how many nodes are coming). */
  reserve(count: number): void {
    const needed = this.nextSlot + Math.max(0, count - this.freeSlots.length);
    if (needed > this.capacity) this.grow(needed);
  }

  private grow(capacity: number): void {
    const int64 = new BigInt64Array(capacity * INT64_PER_SLOT);
    int64.set(this.int64);
    const times = new Float64Array(capacity * TIMES_PER_SLOT);
    times.set(this.times);
    const ints = new Int32Array(capacity * INTS_PER_SLOT);
    ints.set(this.ints);
    this.int64 = int64;
    this.int64Words = new Int32Array(int64.buffer);
    this.times = times;
    this.ints = ints;
    this.capacity = capacity;
  }
}
