import fc from 'fast-check';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../src/wire/crc32.js';

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('crc32', () => {
  it('gives the IEEE CRC-32 check values', () => {
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(utf8('123456789'))).toBe(0xcbf43926);
    expect(crc32(utf8('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
  });

  it('agrees with zlib on any bytes and any sub-range (the 8-byte loop and the tail)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const start = bytes.length === 0 ? 0 : a % (bytes.length + 1);
        const end = start + (b % (bytes.length - start + 1));
        expect(crc32(bytes, start, end)).toBe(zlib.crc32(bytes.subarray(start, end)));
      }),
    );
  });

  it('changes when any single bit flips', () => {
    const bytes = utf8('a snapshot body of some length, longer than eight bytes');
    const original = crc32(bytes);
    for (let i = 0; i < bytes.length * 8; i++) {
      const flipped = bytes.slice();
      flipped[i >> 3]! ^= 1 << (i & 7);
      expect(crc32(flipped)).not.toBe(original);
    }
  });
});
