/**
 * 64-bit fields (zxids, session ids) kept unboxed: as two 32-bit words in an Int32Array laid out as a
 * BigInt64Array over the same bytes would read them, so one buffer serves both views. Words are
 * compared, hashed and written to the wire without a bigint; a bigint is made only when someone asks
 * for the value (a Stat). The word order inside a pair follows the engine's byte order.
 */

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** Where the low 32 bits of a 64-bit value sit inside its word pair. */
export const LOW_WORD = LITTLE_ENDIAN ? 0 : 1;
/** Where the high 32 bits (with the sign) sit inside its word pair. */
export const HIGH_WORD = 1 - LOW_WORD;

const scratch = new BigInt64Array(1);
const scratchWords = new Int32Array(scratch.buffer);

/** Stores `value` mod 2^64 (two's complement) as the word pair at `words[at]`, `words[at + 1]`. */
export function putInt64(words: Int32Array, at: number, value: bigint): void {
  scratch[0] = value;
  words[at] = scratchWords[0] as number;
  words[at + 1] = scratchWords[1] as number;
}

/** The signed 64-bit value of the word pair at `words[at]`, `words[at + 1]`. */
export function int64At(words: Int32Array, at: number): bigint {
  scratchWords[0] = words[at] as number;
  scratchWords[1] = words[at + 1] as number;
  return scratch[0] as bigint;
}

/** Whether `value` is a signed 64-bit integer (a store into the words would not change it). */
export function isInt64(value: unknown): value is bigint {
  return typeof value === 'bigint' && BigInt.asIntN(64, value) === value;
}
