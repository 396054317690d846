import type { Znode } from './znode.js';

/**
 * The tree digest: an order-independent sum (mod 2^64) of one 64-bit hash per node, over the node's
 * path, data, every stored stat field, its mode, TTL and ACL. Kept up to date on every change (the old
 * hash of a node is subtracted before it changes, the new one added after), so two replicas that
 * applied the same txns compare equal in O(1). Like ZooKeeper's DigestCalculator, but ACLs count too.
 *
 * The per-node hash runs two 32-bit lanes (murmur3-style and xxhash32-style mixing) over one word
 * stream; all arithmetic is on 32-bit integers so the hot path allocates nothing.
 */

const MURMUR_C1 = 0xcc9e2d51;
const MURMUR_C2 = 0x1b873593;
const XX_PRIME_1 = 0x9e3779b1;
const XX_PRIME_2 = 0x85ebca77;
const XX_PRIME_3 = 0xc2b2ae3d;
const TWO_POW_32 = 4294967296;

let laneA = 0;
let laneB = 0;
let wordCount = 0;

function begin(): void {
  laneA = 0x3c6ef372;
  laneB = 0x6a09e667;
  wordCount = 0;
}

function mixWord(word: number): void {
  let k = Math.imul(word, MURMUR_C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, MURMUR_C2);
  laneA ^= k;
  laneA = (laneA << 13) | (laneA >>> 19);
  laneA = (Math.imul(laneA, 5) + 0xe6546b64) | 0;

  laneB = (laneB + Math.imul(word ^ 0x2545f491, XX_PRIME_2)) | 0;
  laneB = (laneB << 13) | (laneB >>> 19);
  laneB = Math.imul(laneB, XX_PRIME_1);
  wordCount++;
}

function finalize(lane: number, prime: number): number {
  let h = lane ^ wordCount;
  h ^= h >>> 16;
  h = Math.imul(h, prime);
  h ^= h >>> 13;
  h = Math.imul(h, XX_PRIME_3);
  h ^= h >>> 16;
  return h >>> 0;
}

function mixString(text: string): void {
  const length = text.length;
  let i = 0;
  for (; i + 1 < length; i += 2) mixWord(text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16));
  if (i < length) mixWord(text.charCodeAt(i) | 0x10000000);
  mixWord(length);
}

function mixBytes(bytes: Uint8Array): void {
  const length = bytes.length;
  let i = 0;
  for (; i + 3 < length; i += 4) {
    mixWord((bytes[i] as number) | ((bytes[i + 1] as number) << 8) | ((bytes[i + 2] as number) << 16) | ((bytes[i + 3] as number) << 24));
  }
  let tail = 0;
  let shift = 0;
  for (; i < length; i++, shift += 8) tail |= (bytes[i] as number) << shift;
  mixWord(tail);
  mixWord(length);
}

/** Integral milliseconds (or any safe integer) as two words. */
function mixSafeInteger(value: number): void {
  mixWord(value % TWO_POW_32 | 0);
  mixWord(Math.floor(value / TWO_POW_32) | 0);
}

// Converting a bigint to words costs more than the rest of a node's hash: zxids below 2^53 go through
// one Number(); the last few conversions are remembered (a txn stamps one zxid on several fields).
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
let cachedBig = 0n;
let cachedLow = 0;
let cachedHigh = 0;

function mixBigint(value: bigint): void {
  if (value === 0n) {
    mixWord(0);
    mixWord(0);
    return;
  }
  if (value !== cachedBig) {
    cachedBig = value;
    if (value > 0n && value <= MAX_SAFE) {
      const n = Number(value);
      cachedLow = n >>> 0;
      cachedHigh = Math.floor(n / TWO_POW_32) >>> 0;
    } else {
      cachedLow = Number(BigInt.asUintN(32, value)) >>> 0;
      cachedHigh = Number(BigInt.asUintN(32, value >> 32n)) >>> 0;
    }
  }
  mixWord(cachedLow);
  mixWord(cachedHigh);
}

/** A 64-bit hash of an ACL list (as two 32-bit halves), for the ACL cache to remember. */
export function hashAcl(acl: readonly { readonly perms: number; readonly id: { readonly scheme: string; readonly id: string } }[]): {
  readonly high: number;
  readonly low: number;
} {
  begin();
  for (const entry of acl) {
    mixWord(entry.perms);
    mixString(entry.id.scheme);
    mixString(entry.id.id);
  }
  mixWord(acl.length);
  return { high: finalize(laneA, XX_PRIME_2), low: finalize(laneB, MURMUR_C1) };
}

const SLOT_WORDS = 6;

/**
 * The running sum of node hashes, mod 2^64, as two unsigned 32-bit halves. Each node's hash is the
 * sum of two parts, each keyed by a 64-bit hash of the path: a data part (data, version, mzxid, mtime)
 * and a meta part (czxid, ctime, pzxid, create counter, aversion, owner, mode, TTL, ACL). The path hash
 * and both parts are remembered per node (in a slot of one typed array, 24 bytes a node), so a change
 * rehashes only the part it touches, a delete rehashes nothing, and a child create rehashes only its
 * parent's meta part, never the parent's data or path.
 */
export class TreeDigest {
  private high = 0;
  private low = 0;
  /** Per slot: data part high, data part low, meta part high, meta part low. */
  private parts = new Uint32Array(SLOT_WORDS * 1024);
  private readonly freeSlots: number[] = [];
  private nextSlot = 0;

  /** Counts a new node in; returns the slot that remembers its parts. */
  addNode(path: string, node: Znode, aclHigh: number, aclLow: number): number {
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      slot = this.nextSlot++;
      if (slot * SLOT_WORDS >= this.parts.length) {
        const grown = new Uint32Array(this.parts.length * 2);
        grown.set(this.parts);
        this.parts = grown;
      }
    }
    const base = slot * SLOT_WORDS;
    begin();
    mixString(path);
    this.parts[base] = finalize(laneA, XX_PRIME_2);
    this.parts[base + 1] = finalize(laneB, MURMUR_C1);
    this.parts[base + 2] = 0;
    this.parts[base + 3] = 0;
    this.parts[base + 4] = 0;
    this.parts[base + 5] = 0;
    this.updateData(slot, node);
    this.updateMeta(slot, node, aclHigh, aclLow);
    return slot;
  }

  /** Counts a node out (no hashing: its parts are remembered). */
  removeNode(slot: number): void {
    const base = slot * SLOT_WORDS;
    this.replace(base + 2, 0, 0);
    this.replace(base + 4, 0, 0);
    this.freeSlots.push(slot);
  }

  /** Rehashes the data part (after setData). */
  updateData(slot: number, node: Znode): void {
    const base = slot * SLOT_WORDS;
    begin();
    mixWord(0x44415441);
    mixWord(this.parts[base] as number);
    mixWord(this.parts[base + 1] as number);
    mixBytes(node.data);
    mixWord(node.version);
    mixBigint(node.mzxid);
    mixSafeInteger(node.mtime);
    this.replace(base + 2, finalize(laneA, XX_PRIME_2), finalize(laneB, MURMUR_C1));
  }

  /** Rehashes the meta part (after a child create or delete, or setACL). */
  updateMeta(slot: number, node: Znode, aclHigh: number, aclLow: number): void {
    const base = slot * SLOT_WORDS;
    begin();
    mixWord(0x4d455441);
    mixWord(this.parts[base] as number);
    mixWord(this.parts[base + 1] as number);
    mixBigint(node.czxid);
    mixSafeInteger(node.ctime);
    mixBigint(node.pzxid);
    mixWord(node.creates);
    mixWord(node.aversion);
    mixBigint(node.ephemeralOwner);
    mixWord(node.mode);
    mixSafeInteger(node.ttlMs);
    mixWord(aclHigh);
    mixWord(aclLow);
    this.replace(base + 4, finalize(laneA, XX_PRIME_2), finalize(laneB, MURMUR_C1));
  }

  value(): bigint {
    return (BigInt(this.high) << 32n) | BigInt(this.low);
  }

  /** Swaps the part stored at `index` (data or meta) for (high, low) in the running sum. */
  private replace(index: number, high: number, low: number): void {
    const parts = this.parts;
    const oldHigh = parts[index] as number;
    const oldLow = parts[index + 1] as number;
    let sumLow = this.low - oldLow + low;
    let carry = 0;
    if (sumLow >= TWO_POW_32) {
      sumLow -= TWO_POW_32;
      carry = 1;
    } else if (sumLow < 0) {
      sumLow += TWO_POW_32;
      carry = -1;
    }
    this.low = sumLow;
    this.high = (this.high - oldHigh + high + carry) >>> 0;
    parts[index] = high;
    parts[index + 1] = low;
  }
}
