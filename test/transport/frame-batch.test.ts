import { describe, expect, it } from 'vitest';
import { FrameBatcher, packFrames, unpackFrames } from '../../src/transport/frame-batch.js';
import { patternBytes, sameBytes } from './bytes.js';

const LIMITS = { maxBatchFrames: 3, maxBatchBytes: 100, soloFrameBytes: 50 };

function collect() {
  const posts: number[][] = [];
  const batcher = new FrameBatcher((frames) => posts.push(frames.map((frame) => frame.byteLength)), LIMITS);
  return { posts, batcher };
}

describe('frame batch', () => {
  it('packing and unpacking gives back the frames, in order, empty ones too', () => {
    const frames = [patternBytes(10, 1), patternBytes(0, 2), patternBytes(1000, 3)];
    const unpacked = unpackFrames(packFrames(frames), 1000, 10);
    expect(Array.isArray(unpacked) && unpacked.map((frame, i) => sameBytes(frame, frames[i] as Uint8Array))).toEqual([true, true, true]);
  });

  it('a batch that ends inside a length or a frame, or holds a frame above the limit or too many frames, is refused', () => {
    const packed = packFrames([patternBytes(10), patternBytes(20)]);
    expect(unpackFrames(packed.subarray(0, 16), 100, 10)).toBe('a frame batch ends inside a length');
    expect(unpackFrames(packed.subarray(0, 30), 100, 10)).toBe('a frame batch ends inside a frame');
    expect(unpackFrames(packed, 15, 10)).toBe('oversized frame: 20 bytes exceeds the limit of 15');
    expect(unpackFrames(packed, 100, 1)).toBe('a frame batch holds more than 1 frames');
  });

  it('the frames pushed in one microtask are posted together at its end', async () => {
    const { posts, batcher } = collect();
    batcher.push(patternBytes(1));
    batcher.push(patternBytes(2));
    expect(posts).toEqual([]);
    await Promise.resolve();
    expect(posts).toEqual([[1, 2]]);
    batcher.push(patternBytes(3));
    await Promise.resolve();
    expect(posts).toEqual([[1, 2], [3]]);
  });

  it('a batch never passes its frame or byte limit: what waits is posted first', () => {
    const { posts, batcher } = collect();
    for (const size of [1, 2, 3, 4]) batcher.push(patternBytes(size));
    expect(posts).toEqual([[1, 2, 3]]);
    batcher.flush();
    for (const size of [40, 40, 40]) batcher.push(patternBytes(size));
    expect(posts).toEqual([[1, 2, 3], [4], [40, 40]]);
  });

  it('a large frame goes alone, after the frames pushed before it', () => {
    const { posts, batcher } = collect();
    batcher.push(patternBytes(1));
    batcher.push(patternBytes(60));
    expect(posts).toEqual([[1], [60]]);
  });

  it('clear forgets what waits', async () => {
    const { posts, batcher } = collect();
    batcher.push(patternBytes(1));
    batcher.clear();
    await Promise.resolve();
    expect(posts).toEqual([]);
  });
});
