/** 32-bit hashes for model states and linearized sets (not cryptographic). */

/** MurmurHash3's finalizer: spreads the bits of a 32-bit integer. */
export function mix32(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** FNV-1a over the UTF-16 code units of a string. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Combines two hashes where order matters. */
export function combineHashes(a: number, b: number): number {
  return mix32((Math.imul(a >>> 0, 31) + (b >>> 0)) >>> 0);
}
