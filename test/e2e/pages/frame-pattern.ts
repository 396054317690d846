/** Self-describing test frames: a u32 seed, then bytes that follow from (length, seed). */
export function makeFrame(length: number, seed: number): Uint8Array<ArrayBuffer> {
  const frame = new Uint8Array(length);
  if (length >= 4) new DataView(frame.buffer).setUint32(0, seed);
  for (let index = 4; index < length; index += 1) frame[index] = (index * 131 + seed * 17 + (index >>> 10)) & 0xff;
  return frame;
}

export interface FrameSummary {
  readonly length: number;
  readonly seed: number;
  readonly intact: boolean;
}

export function summarizeFrame(frame: Uint8Array): FrameSummary {
  if (frame.byteLength < 4) return { length: frame.byteLength, seed: -1, intact: true };
  const seed = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0);
  let intact = true;
  for (let index = 4; index < frame.byteLength && intact; index += 1) {
    if (frame[index] !== ((index * 131 + seed * 17 + (index >>> 10)) & 0xff)) intact = false;
  }
  return { length: frame.byteLength, seed, intact };
}
