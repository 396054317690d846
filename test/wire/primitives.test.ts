import fc from 'fast-check';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import {
  enumCodec,
  readBool,
  readBytes,
  readCount,
  readInt,
  readInt32,
  readInt53,
  readInt64,
  readString,
  readUint,
  readUint8,
  wellFormedUtf8Length,
  writeBool,
  writeBytes,
  writeInt32,
  writeInt53,
  writeInt64,
  writeString,
  writeUint,
} from '../../src/wire/primitives.js';
import { int32, int53, int64, text } from './arbitraries.js';
import { expectMarshalling, varUint } from './expect-marshalling.js';

const decoderOf = (bytes: number[] | Uint8Array) => decoding.createDecoder(Uint8Array.from(bytes));
const encode = (write: (encoder: encoding.Encoder) => void) => encoding.encode(write);

describe('wire primitives', () => {
  it('varUint, varInt and int64 round-trip every value of their range, edges included', () => {
    fc.assert(
      fc.property(int32, int53, int64, fc.maxSafeNat(), (a, b, c, d) => {
        const bytes = encode((e) => {
          writeInt32(e, a, 'a');
          writeInt53(e, b, 'b');
          writeInt64(e, c, 'c');
          writeUint(e, d, Number.MAX_SAFE_INTEGER, 'd');
        });
        const decoder = decoderOf(bytes);
        expect(readInt32(decoder, 'a')).toBe(a);
        expect(readInt53(decoder, 'b')).toBe(b);
        expect(readInt64(decoder, 'c')).toBe(c);
        expect(readUint(decoder, Number.MAX_SAFE_INTEGER, 'd')).toBe(d);
        expect(decoder.pos).toBe(bytes.length);
      }),
    );
  });

  it('our varInt is lib0 varInt: lib0 reads what we write and we read what lib0 writes', () => {
    fc.assert(
      fc.property(int53, (value) => {
        const ours = encode((e) => writeInt53(e, value, 'v'));
        expect(decoding.readVarInt(decoderOf(ours))).toBe(value);
        const theirs = encode((e) => encoding.writeVarInt(e, value));
        expect(readInt53(decoderOf(theirs), 'v')).toBe(value);
      }),
    );
  });

  it('a read past the end is MARSHALLINGERROR, never lib0 silently reading undefined', () => {
    expectMarshalling(() => readInt32(decoderOf([]), 'x'), /x at byte 0: truncated input/);
    expectMarshalling(() => readUint8(decoderOf([]), 'x'), /truncated/);
    expectMarshalling(() => readBool(decoderOf([]), 'x'), /truncated/);
    expectMarshalling(() => readUint(decoderOf([0x80]), 10, 'x'), /truncated/);
    expectMarshalling(() => readInt32(decoderOf([0xc0]), 'x'), /truncated/);
    expectMarshalling(() => readInt64(decoderOf([1, 2, 3, 4, 5, 6, 7]), 'x'), /truncated/);
  });

  it('only the canonical form is accepted: overlong varints and negative zero are rejected', () => {
    expectMarshalling(() => readUint(decoderOf([0x80, 0x00]), 10, 'x'), /overlong varUint/);
    expectMarshalling(() => readUint(decoderOf([0x81, 0x80, 0x00]), 1e6, 'x'), /overlong varUint/);
    expectMarshalling(() => readInt32(decoderOf([0x81, 0x00]), 'x'), /overlong varInt/);
    expectMarshalling(() => readInt32(decoderOf([0x40]), 'x'), /negative zero/);
    expect(readUint(decoderOf([0x80, 0x01]), 1000, 'x')).toBe(128);
    expect(readInt32(decoderOf([0x41]), 'x')).toBe(-1);
  });

  it('a varint longer than 8 bytes or beyond 2^53 is rejected, lib0 would return NaN or lose precision', () => {
    const long = new Array<number>(200).fill(0x80).concat([0x01]);
    expect(Number.isNaN(decoding.readVarUint(decoderOf(long)))).toBe(true);
    expectMarshalling(() => readUint(decoderOf(long), Number.MAX_SAFE_INTEGER, 'x'), /longer than 8 bytes/);
    expectMarshalling(() => readInt53(decoderOf([0xff, ...new Array<number>(10).fill(0xff), 1]), 'x'), /longer than 8 bytes/);
    const twoTo53 = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10];
    expectMarshalling(() => readUint(decoderOf(twoTo53), Number.MAX_SAFE_INTEGER, 'x'), /exceeds the limit/);
  });

  it('values outside a field range are MARSHALLINGERROR on both sides', () => {
    expectMarshalling(() => encode((e) => writeInt32(e, 2 ** 31, 'v')), /not an integer in/);
    expectMarshalling(() => encode((e) => writeInt32(e, 1.5, 'v')), /not an integer in/);
    expectMarshalling(() => encode((e) => writeInt32(e, Number.NaN, 'v')), /not an integer in/);
    expectMarshalling(() => encode((e) => writeInt53(e, 2 ** 53, 'v')), /not an integer in/);
    expectMarshalling(() => encode((e) => writeUint(e, -1, 10, 'v')), /not an integer in/);
    expectMarshalling(() => encode((e) => writeInt64(e, 2n ** 63n, 'v')), /64-bit/);
    expectMarshalling(() => encode((e) => writeInt64(e, 5 as unknown as bigint, 'v')), /64-bit/);
    expectMarshalling(() => encode((e) => writeBool(e, 1 as unknown as boolean, 'v')), /not a boolean/);
    const big = encode((e) => writeInt53(e, 2 ** 31, 'v'));
    expectMarshalling(() => readInt32(decoderOf(big), 'v'), /outside/);
    expectMarshalling(() => readInt(decoderOf(big), 0, 10, 'v'), /outside \[0, 10\]/);
  });

  it('booleans are the byte 0 or 1, nothing else', () => {
    expect(readBool(decoderOf([0]), 'b')).toBe(false);
    expect(readBool(decoderOf([1]), 'b')).toBe(true);
    expectMarshalling(() => readBool(decoderOf([2]), 'b'), /neither 0 nor 1/);
  });

  it('a declared length beyond the bytes left is rejected before anything is allocated', () => {
    const huge = [...varUint(2 ** 31), 1, 2, 3];
    expectMarshalling(() => readBytes(decoderOf(huge), 2 ** 40, 'data'), /declared length 2147483648 exceeds the 3 bytes left/);
    expectMarshalling(() => readString(decoderOf(huge), 2 ** 40, 'path'), /declared length 2147483648 exceeds the 3 bytes left/);
    expectMarshalling(() => readBytes(decoderOf(huge), 1000, 'data'), /exceeds the limit of 1000/);
    expectMarshalling(() => readBytes(decoderOf([5, 1, 2]), 1000, 'data'), /declared length 5 exceeds the 2 bytes left/);
  });

  it('a declared count whose elements cannot fit is rejected before any element is read', () => {
    expectMarshalling(() => readCount(decoderOf([...varUint(1_000_000), 0, 0]), 2_000_000, 1, 'list'), /declared count 1000000 cannot fit in the 2 bytes left/);
    expectMarshalling(() => readCount(decoderOf([3, 0, 0, 0, 0, 0]), 10, 3, 'list'), /cannot fit/);
    expect(readCount(decoderOf([2, 0, 0, 0, 0, 0, 0]), 10, 3, 'list')).toBe(2);
    expectMarshalling(() => readCount(decoderOf([11]), 10, 0, 'list'), /exceeds the limit of 10/);
  });

  it('byte arrays are copied out of the input and round-trip', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
        const bytes = encode((e) => writeBytes(e, data, 300, 'd'));
        const read = readBytes(decoderOf(bytes), 300, 'd');
        expect(read).toEqual(data);
        expect(read.buffer).not.toBe(bytes.buffer);
      }),
    );
    expectMarshalling(() => encode((e) => writeBytes(e, new Uint8Array(4), 3, 'd')), /exceed the limit of 3/);
  });

  it('strings round-trip as UTF-8, a leading BOM included', () => {
    fc.assert(
      fc.property(text(40), (value) => {
        const bytes = encode((e) => writeString(e, value, 1000, 's'));
        expect(readString(decoderOf(bytes), 1000, 's')).toBe(value);
        expect(bytes.length - 1).toBe(wellFormedUtf8Length(value));
      }),
    );
    const bom = encode((e) => writeString(e, '\uFEFFx', 10, 's'));
    expect(readString(decoderOf(bom), 10, 's')).toBe('\uFEFFx');
  });

  it('invalid UTF-8 is MARSHALLINGERROR', () => {
    for (const bad of [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80]]) {
      expectMarshalling(() => readString(decoderOf([bad.length, ...bad]), 100, 'name'), /name at byte 1: invalid UTF-8/);
    }
  });

  it('strings with a lone surrogate or over the byte limit cannot be written', () => {
    expectMarshalling(() => encode((e) => writeString(e, 'a\uD800b', 100, 's')), /lone surrogate/);
    expectMarshalling(() => encode((e) => writeString(e, '\uDC00', 100, 's')), /lone surrogate/);
    expectMarshalling(() => encode((e) => writeString(e, 'é'.repeat(6), 11, 's')), /12 UTF-8 bytes exceed the limit of 11/);
    expectMarshalling(() => encode((e) => writeString(e, 7 as unknown as string, 11, 's')), /not a string/);
    expect(readString(decoderOf(encode((e) => writeString(e, 'é'.repeat(5), 10, 's'))), 10, 's')).toBe('ééééé');
  });

  it('an enumeration reads only the numbers its table has and writes only its names', () => {
    const colors = enumCodec({ red: 1, blue: -3 });
    const bytes = encode((e) => {
      colors.write(e, 'red', 'c');
      colors.write(e, 'blue', 'c');
    });
    const decoder = decoderOf(bytes);
    expect([colors.read(decoder, 'c'), colors.read(decoder, 'c')]).toEqual(['red', 'blue']);
    expectMarshalling(() => colors.read(decoderOf([2]), 'color'), /color at byte 0: unknown value 2/);
    expectMarshalling(() => encode((e) => colors.write(e, 'green' as 'red', 'c')), /unknown name/);
  });
});
