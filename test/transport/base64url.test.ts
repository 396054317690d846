import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeBase64url, encodeBase64url } from '../../src/transport/base64url.js';

describe('base64url', () => {
  it('round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const text = encodeBase64url(bytes);
        expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(decodeBase64url(text)).toEqual(bytes);
      }),
    );
  });

  it('encodes large inputs (chunked)', () => {
    const bytes = new Uint8Array(100_000).map((_, index) => index % 251);
    expect(decodeBase64url(encodeBase64url(bytes))).toEqual(bytes);
  });

  it('rejects padding, foreign characters, impossible lengths and non-canonical text', () => {
    expect(decodeBase64url('AA==')).toBeUndefined();
    expect(decodeBase64url('A+/A')).toBeUndefined();
    expect(decodeBase64url('AAAAA')).toBeUndefined();
    expect(decodeBase64url('AB')).toBeUndefined(); // 'AA' is the canonical form of that byte
    expect(decodeBase64url('AA')).toEqual(new Uint8Array([0]));
  });
});
