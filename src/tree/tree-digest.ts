import { HIGH_WORD, LOW_WORD } from './int64-words.js';
import type { Znode } from './znode.js';
import {
  AVERSION,
  CREATES,
  CTIME,
  CZXID,
  INT64_PER_SLOT,
  INTS_PER_SLOT,
  MODE,
  MTIME,
  MZXID,
  OWNER,
  PZXID,
  TIMES_PER_SLOT,
  TTL,
  VERSION,
  type ZnodeColumns,
} from './znode-columns.js';

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

// The stream state between segments of one hash. Inside a segment the lanes live in locals and the
// words go through one loop: strings and bytes are mixed as they are read, fixed-size fields are
// first staged as words, then mixed by mixStaged (one call instead of one per field).
let laneA = 0;
let laneB = 0;
let wordCount = 0;

/** The most fixed-size words one segment stages (the meta part's 18). */
const STAGED_WORDS = 32;
/** Fixed-size fields as words; an Int32Array store is ToInt32, so a store is `mod 2^32` by itself. */
const staged = new Int32Array(STAGED_WORDS);

function begin(): void {
  laneA = 0x3c6ef372;
  laneB = 0x6a09e667;
  wordCount = 0;
}

/** One word into lane A (murmur3-style). */
function mixLaneA(lane: number, word: number): number {
  let k = Math.imul(word, MURMUR_C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, MURMUR_C2);
  lane ^= k;
  lane = (lane << 13) | (lane >>> 19);
  return (Math.imul(lane, 5) + 0xe6546b64) | 0;
}

/**
 * One word into lane B (xxhash32-style). `lane | 0` changes no value (a lane is always a 32-bit
 * integer) but tells the compiler so: without it the sum is done in floating point, which triples
 * the time of every word.
 */
function mixLaneB(lane: number, word: number): number {
  lane = ((lane | 0) + Math.imul(word ^ 0x2545f491, XX_PRIME_2)) | 0;
  lane = (lane << 13) | (lane >>> 19);
  return Math.imul(lane, XX_PRIME_1);
}

/** Mixes staged[0, count). */
function mixStaged(count: number): void {
  let a = laneA;
  let b = laneB;
  for (let i = 0; i < count; i++) {
    const word = staged[i] as number;
    a = mixLaneA(a, word);
    b = mixLaneB(b, word);
  }
  laneA = a;
  laneB = b;
  wordCount += count;
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

/** The string's UTF-16 code units two a word, an odd last unit tagged, then the length. */
function mixString(text: string): void {
  const length = text.length;
  let a = laneA;
  let b = laneB;
  let i = 0;
  for (; i + 1 < length; i += 2) {
    const word = text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16);
    a = mixLaneA(a, word);
    b = mixLaneB(b, word);
  }
  let words = i >>> 1;
  if (i < length) {
    const word = text.charCodeAt(i) | 0x10000000;
    a = mixLaneA(a, word);
    b = mixLaneB(b, word);
    words++;
  }
  laneA = mixLaneA(a, length);
  laneB = mixLaneB(b, length);
  wordCount += words + 1;
}

/** The bytes four a word (little-endian), the last 0-3 bytes as one more word, then the length. */
function mixBytes(bytes: Uint8Array): void {
  const length = bytes.length;
  let a = laneA;
  let b = laneB;
  let i = 0;
  for (; i + 3 < length; i += 4) {
    const word = (bytes[i] as number) | ((bytes[i + 1] as number) << 8) | ((bytes[i + 2] as number) << 16) | ((bytes[i + 3] as number) << 24);
    a = mixLaneA(a, word);
    b = mixLaneB(b, word);
  }
  let tail = 0;
  for (let shift = 0; i < length; i++, shift += 8) tail |= (bytes[i] as number) << shift;
  a = mixLaneA(a, tail);
  b = mixLaneB(b, tail);
  laneA = mixLaneA(a, length);
  laneB = mixLaneB(b, length);
  wordCount += (length >>> 2) + 2;
}

/** Stages a safe integer (milliseconds) as two words at `at`: its low 32 bits, then the rest. */
function stageSafeInteger(at: number, value: number): void {
  staged[at] = value;
  staged[at + 1] = Math.floor(value / TWO_POW_32);
}

/** A 64-bit hash of an ACL list (as two 32-bit halves), for the ACL cache to remember. */
export function hashAcl(acl: readonly { readonly perms: number; readonly id: { readonly scheme: string; readonly id: string } }[]): {
  readonly high: number;
  readonly low: number;
} {
  begin();
  for (const entry of acl) {
    staged[0] = entry.perms;
    mixStaged(1);
    mixString(entry.id.scheme);
    mixString(entry.id.id);
  }
  staged[0] = acl.length;
  mixStaged(1);
  return { high: finalize(laneA, XX_PRIME_2), low: finalize(laneB, MURMUR_C1) };
}

const DATA_TAG = 0x44415441;
const META_TAG = 0x4d455441;

const SLOT_WORDS = 6;

/** Stages the 64-bit field `field` of `slot` as two words at `at`: low half, high half. */
function stageInt64(at: number, words: Int32Array, slot: number, field: number): void {
  const pair = (slot * INT64_PER_SLOT + field) * 2;
  staged[at] = words[pair + LOW_WORD] as number;
  staged[at + 1] = words[pair + HIGH_WORD] as number;
}

/**
 * The running sum of node hashes, mod 2^64, as two unsigned 32-bit halves. Each node's hash is the
 * sum of two parts, each keyed by a 64-bit hash of the path: a data part (data, version, mzxid, mtime)
 * and a meta part (czxid, ctime, pzxid, create counter, aversion, owner, mode, TTL, ACL). The path hash
 * and both parts are remembered per node (at the node's slot in one typed array, 24 bytes a node), so
 * a change rehashes only the part it touches, a delete rehashes nothing, and a child create rehashes
 * only its parent's meta part, never the parent's data or path. Fields are read from the tree's
 * columns as words (64-bit fields are hashed low word first, times as their low 32 bits then the rest).
 */
export class TreeDigest {
  private high = 0;
  private low = 0;
  /** Per slot: path hash high, low; data part high, low; meta part high, low. */
  private parts = new Uint32Array(0);

  constructor(private readonly columns: ZnodeColumns) {}

  /** Counts a new node in (its fields are set). */
  addNode(node: Znode, aclHigh: number, aclLow: number): void {
    const slot = node.slot;
    if ((slot + 1) * SLOT_WORDS > this.parts.length) {
      const grown = new Uint32Array(Math.max(this.columns.slotCapacity, slot + 1) * SLOT_WORDS);
      grown.set(this.parts);
      this.parts = grown;
    }
    const base = slot * SLOT_WORDS;
    begin();
    mixString(node.path);
    this.parts[base] = finalize(laneA, XX_PRIME_2);
    this.parts[base + 1] = finalize(laneB, MURMUR_C1);
    this.parts[base + 2] = 0;
    this.parts[base + 3] = 0;
    this.parts[base + 4] = 0;
    this.parts[base + 5] = 0;
    this.updateData(node);
    this.updateMeta(node, aclHigh, aclLow);
  }

  /** Counts a node out (no hashing: its parts are remembered). */
  removeNode(node: Znode): void {
    const base = node.slot * SLOT_WORDS;
    this.replace(base + 2, 0, 0);
    this.replace(base + 4, 0, 0);
  }

  /** Rehashes the data part (after setData). */
  updateData(node: Znode): void {
    const slot = node.slot;
    const base = slot * SLOT_WORDS;
    begin();
    staged[0] = DATA_TAG;
    staged[1] = this.parts[base] as number;
    staged[2] = this.parts[base + 1] as number;
    mixStaged(3);
    mixBytes(node.data);
    const { times, ints } = this.columns;
    staged[0] = ints[slot * INTS_PER_SLOT + VERSION] as number;
    stageInt64(1, this.columns.int64Words, slot, MZXID);
    stageSafeInteger(3, times[slot * TIMES_PER_SLOT + MTIME] as number);
    mixStaged(5);
    this.replace(base + 2, finalize(laneA, XX_PRIME_2), finalize(laneB, MURMUR_C1));
  }

  /** Rehashes the meta part (after a child create or delete, or setACL). */
  updateMeta(node: Znode, aclHigh: number, aclLow: number): void {
    const slot = node.slot;
    const base = slot * SLOT_WORDS;
    const { int64Words, times, ints } = this.columns;
    begin();
    staged[0] = META_TAG;
    staged[1] = this.parts[base] as number;
    staged[2] = this.parts[base + 1] as number;
    stageInt64(3, int64Words, slot, CZXID);
    stageSafeInteger(5, times[slot * TIMES_PER_SLOT + CTIME] as number);
    stageInt64(7, int64Words, slot, PZXID);
    staged[9] = ints[slot * INTS_PER_SLOT + CREATES] as number;
    staged[10] = ints[slot * INTS_PER_SLOT + AVERSION] as number;
    stageInt64(11, int64Words, slot, OWNER);
    staged[13] = ints[slot * INTS_PER_SLOT + MODE] as number;
    stageSafeInteger(14, times[slot * TIMES_PER_SLOT + TTL] as number);
    staged[16] = aclHigh;
    staged[17] = aclLow;
    mixStaged(18);
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
