/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, the one zlib and PNG use), slice-by-8:
 * eight 256-entry tables let the loop consume eight bytes per step.
 * crc32(utf8('123456789')) === 0xcbf43926.
 */

const POLYNOMIAL = 0xedb88320;

function buildTables(): Int32Array[] {
  const tables = Array.from({ length: 8 }, () => new Int32Array(256));
  const first = tables[0]!;
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? POLYNOMIAL ^ (c >>> 1) : c >>> 1;
    first[n] = c;
  }
  for (let t = 1; t < 8; t++) {
    const previous = tables[t - 1]!;
    const table = tables[t]!;
    for (let n = 0; n < 256; n++) table[n] = (previous[n]! >>> 8) ^ first[previous[n]! & 0xff]!;
  }
  return tables;
}

const [T0, T1, T2, T3, T4, T5, T6, T7] = buildTables() as [
  Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array,
];

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

function update(crc: number, bytes: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) crc = T0[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return crc;
}

/**
 * The CRC-32 of `bytes[start, end)`, as an unsigned 32-bit number. On little-endian engines (all
 * common ones) the aligned middle is read as 32-bit words, two per step.
 */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let i = start;
  let crc = -1;
  if (LITTLE_ENDIAN && end - start >= 16) {
    const misalignment = (bytes.byteOffset + i) & 3;
    const head = Math.min(end - i, misalignment === 0 ? 0 : 4 - misalignment);
    crc = update(crc, bytes, i, i + head);
    i += head;
    const wordCount = Math.floor((end - i) / 8) * 2;
    const words = new Int32Array(bytes.buffer, bytes.byteOffset + i, wordCount);
    for (let w = 0; w < wordCount; w += 2) {
      const low = words[w]! ^ crc;
      const high = words[w + 1]!;
      crc =
        T7[low & 0xff]! ^
        T6[(low >>> 8) & 0xff]! ^
        T5[(low >>> 16) & 0xff]! ^
        T4[low >>> 24]! ^
        T3[high & 0xff]! ^
        T2[(high >>> 8) & 0xff]! ^
        T1[(high >>> 16) & 0xff]! ^
        T0[high >>> 24]!;
    }
    i += wordCount * 4;
  }
  return ~update(crc, bytes, i, end) >>> 0;
}
