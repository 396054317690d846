import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { marshallingError } from './wire-error.js';

/**
 * The scalar readers and writers every message is built from, on lib0's Encoder and Decoder.
 *
 * Formats are lib0's: varUint (7 bits a byte, least significant first), varInt (first byte: continue
 * bit, sign bit, 6 bits; then 7 bits a byte), int64 as lib0's writeBigInt64 (8 bytes, big-endian,
 * two's complement), byte arrays and UTF-8 strings as varUint length then bytes.
 *
 * Writers check the value (type, range, size limit) and throw MARSHALLINGERROR naming `what`.
 * Readers never trust the input: every read checks the bytes left first (lib0's readUint8 and
 * readVarInt read past the end silently, and its readVarUint can return NaN or an unsafe integer
 * on long inputs), a declared length or count is compared with the bytes left before anything is
 * allocated, and only the canonical form an encoder writes is accepted (no overlong varints, no
 * negative zero, booleans 0 or 1, well-formed UTF-8), so decoding is the exact inverse of encoding.
 */

export type Encoder = encoding.Encoder;
export type Decoder = decoding.Decoder;

export const INT32_MIN = -0x8000_0000;
export const INT32_MAX = 0x7fff_ffff;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** An 8-byte scratch for int64s: no DataView allocated per value (lib0's writeBigInt64 makes one). */
const int64Scratch = new Uint8Array(8);
const int64View = new DataView(int64Scratch.buffer);

/** The UTF-8 decoder: fatal on invalid input, and a leading U+FEFF stays part of the string. */
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function describe(value: unknown): string {
  if (typeof value === 'string') return `string of length ${value.length}`;
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  return String(value);
}

export function remaining(decoder: Decoder): number {
  return decoder.arr.length - decoder.pos;
}

function truncated(what: string, offset: number): never {
  throw marshallingError(what, 'truncated input', offset);
}

// ---------------------------------------------------------------- writers

/** varUint in [0, max] (max at most Number.MAX_SAFE_INTEGER). */
export function writeUint(encoder: Encoder, value: number, max: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw marshallingError(what, `${describe(value)} is not an integer in [0, ${max}]`);
  }
  encoding.writeVarUint(encoder, value);
}

/** varInt in [min, max]; -0 is written as 0. */
export function writeInt(encoder: Encoder, value: number, min: number, max: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw marshallingError(what, `${describe(value)} is not an integer in [${min}, ${max}]`);
  }
  encoding.writeVarInt(encoder, value === 0 ? 0 : value);
}

/** A Java int: varInt in [-2^31, 2^31 - 1]. */
export function writeInt32(encoder: Encoder, value: number, what: string): void {
  writeInt(encoder, value, INT32_MIN, INT32_MAX, what);
}

/** Milliseconds and other counts that outgrow 32 bits: varInt, any safe integer. */
export function writeInt53(encoder: Encoder, value: number, what: string): void {
  writeInt(encoder, value, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, what);
}

/** A Java long (zxid, session id): 8 bytes, big-endian two's complement. */
export function writeInt64(encoder: Encoder, value: bigint, what: string): void {
  if (typeof value !== 'bigint' || value < INT64_MIN || value > INT64_MAX) {
    throw marshallingError(what, `${describe(value)} is not a 64-bit signed bigint`);
  }
  int64View.setBigInt64(0, value);
  for (let i = 0; i < 8; i++) encoding.writeUint8(encoder, int64Scratch[i] as number);
}

export function writeBool(encoder: Encoder, value: boolean, what: string): void {
  if (typeof value !== 'boolean') throw marshallingError(what, `${describe(value)} is not a boolean`);
  encoding.writeUint8(encoder, value ? 1 : 0);
}

/** varUint length, then the bytes; at most maxBytes. */
export function writeBytes(encoder: Encoder, bytes: Uint8Array, maxBytes: number, what: string): void {
  if (!(bytes instanceof Uint8Array)) throw marshallingError(what, `${describe(bytes)} is not a Uint8Array`);
  if (bytes.length > maxBytes) throw marshallingError(what, `${bytes.length} bytes exceed the limit of ${maxBytes}`);
  encoding.writeVarUint8Array(encoder, bytes);
}

/** The UTF-8 length of a string, or -1 when it holds a lone surrogate (which UTF-8 cannot carry). */
export function wellFormedUtf8Length(value: string): number {
  let bytes = 0;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit < 0xd800 || unit > 0xdfff) bytes += 3;
    else {
      const next = value.charCodeAt(i + 1);
      if (unit >= 0xdc00 || !(next >= 0xdc00 && next <= 0xdfff)) return -1;
      bytes += 4;
      i++;
    }
  }
  return bytes;
}

/** varUint UTF-8 length, then UTF-8; at most maxBytes, no lone surrogates. */
export function writeString(encoder: Encoder, value: string, maxBytes: number, what: string): void {
  if (typeof value !== 'string') throw marshallingError(what, `${describe(value)} is not a string`);
  const length = wellFormedUtf8Length(value);
  if (length < 0) throw marshallingError(what, 'string holds a lone surrogate');
  if (length > maxBytes) throw marshallingError(what, `${length} UTF-8 bytes exceed the limit of ${maxBytes}`);
  encoding.writeVarString(encoder, value);
}

/** varUint count, then each string. */
export function writeStringList(
  encoder: Encoder,
  values: readonly string[],
  maxCount: number,
  maxItemBytes: number,
  what: string,
): void {
  if (!Array.isArray(values)) throw marshallingError(what, `${describe(values)} is not an array`);
  writeUint(encoder, values.length, maxCount, `${what} count`);
  for (const value of values) writeString(encoder, value, maxItemBytes, what);
}

// ---------------------------------------------------------------- readers

export function readUint8(decoder: Decoder, what: string): number {
  const { arr, pos } = decoder;
  if (pos >= arr.length) truncated(what, pos);
  decoder.pos = pos + 1;
  return arr[pos]!;
}

/** varUint in [0, max]; overlong encodings and more than 8 bytes are rejected. */
export function readUint(decoder: Decoder, max: number, what: string): number {
  const arr = decoder.arr;
  const start = decoder.pos;
  let pos = start;
  let value = 0;
  let multiplier = 1;
  for (let i = 0; i < 8; i++) {
    if (pos >= arr.length) truncated(what, start);
    const byte = arr[pos++]!;
    value += (byte & 0x7f) * multiplier;
    if (byte < 0x80) {
      if (byte === 0 && i > 0) throw marshallingError(what, 'overlong varUint', start);
      if (value > max) throw marshallingError(what, `${value} exceeds the limit of ${max}`, start);
      decoder.pos = pos;
      return value;
    }
    multiplier *= 128;
  }
  throw marshallingError(what, 'varUint longer than 8 bytes', start);
}

/** varInt in [min, max]; overlong encodings, negative zero and more than 8 bytes are rejected. */
export function readInt(decoder: Decoder, min: number, max: number, what: string): number {
  const arr = decoder.arr;
  const start = decoder.pos;
  let pos = start;
  if (pos >= arr.length) truncated(what, start);
  let byte = arr[pos++]!;
  const negative = (byte & 0x40) !== 0;
  let value = byte & 0x3f;
  let multiplier = 64;
  for (let i = 0; byte >= 0x80; i++) {
    if (i === 7) throw marshallingError(what, 'varInt longer than 8 bytes', start);
    if (pos >= arr.length) truncated(what, start);
    byte = arr[pos++]!;
    if (byte === 0) throw marshallingError(what, 'overlong varInt', start);
    value += (byte & 0x7f) * multiplier;
    multiplier *= 128;
  }
  if (negative && value === 0) throw marshallingError(what, 'negative zero', start);
  const signed = negative ? -value : value;
  if (signed < min || signed > max) throw marshallingError(what, `${signed} is outside [${min}, ${max}]`, start);
  decoder.pos = pos;
  return signed;
}

export function readInt32(decoder: Decoder, what: string): number {
  return readInt(decoder, INT32_MIN, INT32_MAX, what);
}

export function readInt53(decoder: Decoder, what: string): number {
  return readInt(decoder, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, what);
}

export function readInt64(decoder: Decoder, what: string): bigint {
  const pos = decoder.pos;
  if (decoder.arr.length - pos < 8) truncated(what, pos);
  const arr = decoder.arr;
  for (let i = 0; i < 8; i++) int64Scratch[i] = arr[pos + i] as number;
  decoder.pos = pos + 8;
  return int64View.getBigInt64(0);
}

export function readBool(decoder: Decoder, what: string): boolean {
  const offset = decoder.pos;
  const byte = readUint8(decoder, what);
  if (byte > 1) throw marshallingError(what, `boolean byte ${byte} is neither 0 nor 1`, offset);
  return byte === 1;
}

/** A varUint length in [0, maxBytes] that must also fit in the bytes left. */
export function readLength(decoder: Decoder, maxBytes: number, what: string): number {
  const offset = decoder.pos;
  const length = readUint(decoder, maxBytes, what);
  const left = remaining(decoder);
  if (length > left) {
    throw marshallingError(what, `declared length ${length} exceeds the ${left} bytes left`, offset);
  }
  return length;
}

/**
 * A varUint count in [0, maxCount] of elements that take at least minElementBytes each: rejected
 * unless that many elements could fit in the bytes left, before any is read.
 */
export function readCount(decoder: Decoder, maxCount: number, minElementBytes: number, what: string): number {
  const offset = decoder.pos;
  const count = readUint(decoder, maxCount, what);
  const left = remaining(decoder);
  if (count * minElementBytes > left) {
    throw marshallingError(what, `declared count ${count} cannot fit in the ${left} bytes left`, offset);
  }
  return count;
}

/** A varUint-length byte array, copied out of the input. */
export function readBytes(decoder: Decoder, maxBytes: number, what: string): Uint8Array {
  const length = readLength(decoder, maxBytes, what);
  const start = decoder.pos;
  decoder.pos = start + length;
  // A plain copy: the caller may keep it (a znode's data) without keeping the whole frame alive.
  // (slice on a Node Buffer would answer a Buffer view, so that input is copied the slow way.)
  const arr = decoder.arr;
  return arr.constructor === Uint8Array ? arr.slice(start, start + length) : new Uint8Array(arr.subarray(start, start + length));
}

/** UTF-8 bytes to a string; invalid UTF-8 is MARSHALLINGERROR. */
export function decodeUtf8(bytes: Uint8Array, what: string, offset: number): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    throw marshallingError(what, 'invalid UTF-8', offset);
  }
}

export function readString(decoder: Decoder, maxBytes: number, what: string): string {
  const length = readLength(decoder, maxBytes, what);
  const start = decoder.pos;
  decoder.pos = start + length;
  return decodeUtf8(decoder.arr.subarray(start, start + length), what, start);
}

export function readStringList(decoder: Decoder, maxCount: number, maxItemBytes: number, what: string): string[] {
  const count = readCount(decoder, maxCount, 1, `${what} count`);
  const values: string[] = [];
  for (let i = 0; i < count; i++) values.push(readString(decoder, maxItemBytes, what));
  return values;
}

/** Rejects bytes after the end of a message. */
export function expectEnd(decoder: Decoder, what: string): void {
  const left = remaining(decoder);
  if (left !== 0) throw marshallingError(what, `${left} trailing bytes after the end of the message`, decoder.pos);
}

// ---------------------------------------------------------------- enumerations

/**
 * A named enumeration on the wire: its number as a varInt. Writing checks the name, reading checks the
 * number; a number the table does not have is MARSHALLINGERROR.
 */
export interface EnumCodec<Name extends string> {
  write(encoder: Encoder, name: Name, what: string): void;
  read(decoder: Decoder, what: string): Name;
}

export function enumCodec<Name extends string>(table: Readonly<Record<Name, number>>): EnumCodec<Name> {
  const byNumber = new Map<number, Name>();
  const byName = new Map<string, number>();
  for (const name of Object.keys(table) as Name[]) {
    byNumber.set(table[name], name);
    byName.set(name, table[name]);
  }
  return {
    write(encoder, name, what) {
      const value = byName.get(name);
      if (value === undefined) throw marshallingError(what, `unknown name ${describe(name)}`);
      encoding.writeVarInt(encoder, value);
    },
    read(decoder, what) {
      const offset = decoder.pos;
      const value = readInt32(decoder, what);
      const name = byNumber.get(value);
      if (name === undefined) throw marshallingError(what, `unknown value ${value}`, offset);
      return name;
    },
  };
}
