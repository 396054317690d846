import { assert } from '../../../src/errors/keeper-error.js';
import { mix32 } from './hash.js';

/**
 * A fixed-size set of operation indices (the operations linearized so far) with an incremental
 * Zobrist hash: every index has a random-looking 32-bit key and the hash is the XOR of the keys of
 * the members, so set/clear update it in O(1).
 */
export class Bitset {
  readonly size: number;
  private readonly words: Uint32Array;
  private zobrist = 0;

  constructor(size: number) {
    assert(Number.isInteger(size) && size >= 0, `bitset size must be a non-negative integer, got ${size}`);
    this.size = size;
    this.words = new Uint32Array(Math.ceil(size / 32));
  }

  has(index: number): boolean {
    return ((this.words[index >>> 5]! >>> (index & 31)) & 1) === 1;
  }

  set(index: number): void {
    assert(index >= 0 && index < this.size, `bitset index ${index} out of range 0..${this.size - 1}`);
    assert(!this.has(index), `bitset index ${index} is already set`);
    this.words[index >>> 5]! |= 1 << (index & 31);
    this.zobrist = (this.zobrist ^ keyOf(index)) >>> 0;
  }

  clear(index: number): void {
    assert(index >= 0 && index < this.size, `bitset index ${index} out of range 0..${this.size - 1}`);
    assert(this.has(index), `bitset index ${index} is not set`);
    this.words[index >>> 5]! &= ~(1 << (index & 31));
    this.zobrist = (this.zobrist ^ keyOf(index)) >>> 0;
  }

  hash(): number {
    return this.zobrist;
  }

  /** A frozen copy of the members, for the cache. */
  snapshot(): Uint32Array {
    return this.words.slice();
  }

  equalsSnapshot(snapshot: Uint32Array): boolean {
    if (snapshot.length !== this.words.length) return false;
    for (let i = 0; i < snapshot.length; i++) {
      if (snapshot[i] !== this.words[i]) return false;
    }
    return true;
  }
}

function keyOf(index: number): number {
  return mix32(Math.imul(index + 1, 0x9e3779b9) >>> 0);
}
