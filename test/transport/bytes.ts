/** Deterministic test bytes: a different pattern per seed. */
export function patternBytes(length: number, seed = 1): Uint8Array<ArrayBuffer> {
  const result = new Uint8Array(length);
  for (let index = 0; index < length; index += 1) result[index] = (index * 31 + seed * 7 + (index >>> 8)) & 0xff;
  return result;
}

/** Byte equality without the cost of a deep-equality diff on megabyte arrays. */
export function sameBytes(first: Uint8Array, second: Uint8Array): boolean {
  return first.byteLength === second.byteLength && Buffer.compare(Buffer.from(first.buffer, first.byteOffset, first.byteLength), Buffer.from(second.buffer, second.byteOffset, second.byteLength)) === 0;
}
