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

// Converting a bigint to words costs more than the rest of a node's hash: remember the last few.
let cachedBig0 = 0n;
let cachedLow0 = 0;
let cachedHigh0 = 0;
let cachedBig1 = 0n;
let cachedLow1 = 0;
let cachedHigh1 = 0;

function mixBigint(value: bigint): void {
  if (value === 0n) {
    mixWord(0);
    mixWord(0);
    return;
  }
  if (value === cachedBig0) {
    mixWord(cachedLow0);
    mixWord(cachedHigh0);
    return;
  }
  if (value !== cachedBig1) {
    cachedBig1 = value;
    cachedLow1 = Number(BigInt.asUintN(32, value)) | 0;
    cachedHigh1 = Number(BigInt.asUintN(32, value >> 32n)) | 0;
  }
  // Swap so the most recent stays in slot 0.
  const big = cachedBig1;
  const low = cachedLow1;
  const high = cachedHigh1;
  cachedBig1 = cachedBig0;
  cachedLow1 = cachedLow0;
  cachedHigh1 = cachedHigh0;
  cachedBig0 = big;
  cachedLow0 = low;
  cachedHigh0 = high;
  mixWord(low);
  mixWord(high);
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

/** The running sum of node hashes, mod 2^64, as two unsigned 32-bit halves. */
export class TreeDigest {
  private high = 0;
  private low = 0;

  /** Adds (sign 1) or subtracts (sign -1) the hash of one node. */
  account(path: string, node: Znode, aclHigh: number, aclLow: number, sign: 1 | -1): void {
    begin();
    mixString(path);
    mixBytes(node.data);
    mixBigint(node.czxid);
    mixBigint(node.mzxid);
    mixBigint(node.pzxid);
    mixSafeInteger(node.ctime);
    mixSafeInteger(node.mtime);
    mixWord(node.version);
    mixWord(node.creates);
    mixWord(node.aversion);
    mixBigint(node.ephemeralOwner);
    mixWord(node.mode);
    mixSafeInteger(node.ttlMs);
    mixWord(aclHigh);
    mixWord(aclLow);
    const high = finalize(laneA, XX_PRIME_2);
    const low = finalize(laneB, MURMUR_C1);
    if (sign === 1) {
      let sumLow = this.low + low;
      let carry = 0;
      if (sumLow >= TWO_POW_32) {
        sumLow -= TWO_POW_32;
        carry = 1;
      }
      this.low = sumLow;
      this.high = (this.high + high + carry) >>> 0;
    } else {
      let diffLow = this.low - low;
      let borrow = 0;
      if (diffLow < 0) {
        diffLow += TWO_POW_32;
        borrow = 1;
      }
      this.low = diffLow;
      this.high = (this.high - high - borrow) >>> 0;
    }
  }

  value(): bigint {
    return (BigInt(this.high) << 32n) | BigInt(this.low);
  }
}
