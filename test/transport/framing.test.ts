import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ChunkType,
  encodeBatchChunk,
  DEFAULT_CHUNK_BYTES,
  FIRST_CHUNK_HEADER_BYTES,
  FrameReassembler,
  encodeCloseChunk,
  encodeFrameChunks,
} from '../../src/transport/framing.js';
import { patternBytes, sameBytes } from './bytes.js';

const bytes = patternBytes;

function reassembleAll(chunks: readonly Uint8Array[], maxFrameBytes: number): Uint8Array[] {
  const reassembler = new FrameReassembler(maxFrameBytes);
  const frames: Uint8Array[] = [];
  for (const chunk of chunks) {
    const outcome = reassembler.push(chunk);
    if (outcome.type === 'error' || outcome.type === 'close') throw new Error(`unexpected ${outcome.type}`);
    if (outcome.type === 'frame') frames.push(outcome.frame);
  }
  return frames;
}

function firstChunk(declaredBytes: number, payloadBytes: number): Uint8Array {
  const chunk = new Uint8Array(FIRST_CHUNK_HEADER_BYTES + payloadBytes);
  chunk[0] = ChunkType.first;
  new DataView(chunk.buffer).setUint32(1, declaredBytes);
  return chunk;
}

const chunkOf = (type: number, payloadBytes: number) => {
  const chunk = new Uint8Array(1 + payloadBytes);
  chunk[0] = type;
  return chunk;
};

describe('framing', () => {
  it('a frame that fits one chunk travels whole', () => {
    const frame = bytes(100);
    const chunks = encodeFrameChunks(frame, 1024);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.[0]).toBe(ChunkType.whole);
    expect(reassembleAll(chunks, 1024)).toEqual([frame]);
  });

  it('an empty frame is a frame', () => {
    expect(reassembleAll(encodeFrameChunks(new Uint8Array(0)), 10)).toEqual([new Uint8Array(0)]);
  });

  it('a large frame splits into chunks no larger than chunkBytes and reassembles exactly', () => {
    const frame = bytes(1024 * 1024 + 7);
    const chunks = encodeFrameChunks(frame, DEFAULT_CHUNK_BYTES);
    expect(chunks.length).toBe(Math.ceil((frame.byteLength + FIRST_CHUNK_HEADER_BYTES) / (DEFAULT_CHUNK_BYTES - 1)));
    for (const chunk of chunks) expect(chunk.byteLength).toBeLessThanOrEqual(DEFAULT_CHUNK_BYTES);
    expect(chunks.map((chunk) => chunk[0])).toEqual([
      ChunkType.first,
      ...Array<number>(chunks.length - 2).fill(ChunkType.middle),
      ChunkType.last,
    ]);
    const frames = reassembleAll(chunks, 2 * 1024 * 1024);
    expect(frames).toHaveLength(1);
    expect(sameBytes(frames[0] as Uint8Array, frame)).toBe(true);
  });

  it('any sequence of frames survives split and reassembly at any chunk size', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 8 }),
        fc.integer({ min: FIRST_CHUNK_HEADER_BYTES + 1, max: 700 }),
        (frames, chunkBytes) => {
          const chunks = frames.flatMap((frame) => encodeFrameChunks(frame, chunkBytes));
          for (const chunk of chunks) expect(chunk.byteLength).toBeLessThanOrEqual(chunkBytes);
          expect(reassembleAll(chunks, 600)).toEqual(frames);
        },
      ),
    );
  });

  it('a whole frame above the limit is refused', () => {
    const outcome = new FrameReassembler(10).push(encodeFrameChunks(bytes(11))[0] as Uint8Array);
    expect(outcome).toEqual({ type: 'error', reason: 'oversized frame: 11 bytes exceeds the limit of 10' });
  });

  it('a declared size above the limit is refused before anything is allocated', () => {
    const reassembler = new FrameReassembler(1024 * 1024);
    const outcome = reassembler.push(firstChunk(0xffffffff, 10));
    expect(outcome).toEqual({ type: 'error', reason: `oversized frame: ${0xffffffff} bytes exceeds the limit of ${1024 * 1024}` });
    expect(reassembler.heldBytes).toBe(0);
  });

  it('the partial frame held never exceeds the limit', () => {
    const reassembler = new FrameReassembler(1000);
    expect(reassembler.push(firstChunk(1000, 10)).type).toBe('partial');
    expect(reassembler.heldBytes).toBe(1000);
    expect(reassembler.push(chunkOf(ChunkType.middle, 995)).type).toBe('error');
    expect(reassembler.heldBytes).toBe(0);
  });

  it.each([
    ['an empty message', new Uint8Array(0), 'malformed chunk: empty message'],
    ['an unknown chunk type', chunkOf(0x7f, 3), 'malformed chunk: unknown chunk type 127'],
    ['a middle chunk outside a split frame', chunkOf(ChunkType.middle, 3), 'malformed chunk: a middle chunk outside a split frame'],
    ['a last chunk outside a split frame', chunkOf(ChunkType.last, 3), 'malformed chunk: a last chunk outside a split frame'],
    ['a first chunk shorter than its header', Uint8Array.of(ChunkType.first, 0, 0), 'malformed chunk: first chunk shorter than its header'],
    ['a first chunk holding the whole frame', firstChunk(4, 4), 'malformed chunk: first chunk carries 4 bytes of a 4-byte frame'],
    ['a batch that ends inside a frame', encodeBatchChunk([bytes(10), bytes(10)]).subarray(0, 20), 'malformed chunk: a frame batch ends inside a frame'],
    ['a batch holding a frame above the limit', encodeBatchChunk([bytes(10), bytes(101)]), 'oversized frame: 101 bytes exceeds the limit of 100'],
  ])('%s closes the link', (_, chunk, reason) => {
    expect(new FrameReassembler(100).push(chunk)).toEqual({ type: 'error', reason });
  });

  it('a batch chunk carries its frames, in order, empty ones too', () => {
    const frames = [bytes(10, 1), bytes(0, 2), bytes(90, 3)];
    const outcome = new FrameReassembler(100).push(encodeBatchChunk(frames));
    expect(outcome.type === 'frames' && outcome.frames.map((frame, i) => sameBytes(frame, frames[i] as Uint8Array))).toEqual([true, true, true]);
  });

  it.each([
    ['a whole frame inside a split frame', chunkOf(ChunkType.whole, 1), 'malformed chunk: a whole frame inside a split frame'],
    ['a first chunk inside a split frame', firstChunk(20, 1), 'malformed chunk: a first chunk inside a split frame'],
    ['chunks beyond the declared size', chunkOf(ChunkType.middle, 20), 'malformed chunk: 25 bytes received for a 20-byte frame'],
    ['a last chunk that ends the frame early', chunkOf(ChunkType.last, 5), 'malformed chunk: last chunk ends a 20-byte frame at 10 bytes'],
    ['a middle chunk that completes the frame', chunkOf(ChunkType.middle, 15), 'malformed chunk: middle chunk completes a 20-byte frame'],
    ['a batch inside a split frame', encodeBatchChunk([bytes(1), bytes(1)]), 'malformed chunk: a batch inside a split frame'],
  ])('%s closes the link', (_, chunk, reason) => {
    const reassembler = new FrameReassembler(100);
    expect(reassembler.push(firstChunk(20, 5)).type).toBe('partial');
    expect(reassembler.push(chunk)).toEqual({ type: 'error', reason });
  });

  it('after a protocol error the reassembler refuses everything', () => {
    const reassembler = new FrameReassembler(100);
    reassembler.push(chunkOf(0x7f, 0));
    expect(reassembler.push(encodeFrameChunks(bytes(3))[0] as Uint8Array)).toEqual({ type: 'error', reason: 'malformed chunk: unknown chunk type 127' });
  });

  it('a close chunk carries the reason, clipped', () => {
    expect(new FrameReassembler(10).push(encodeCloseChunk('backpressure'))).toEqual({ type: 'close', reason: 'backpressure' });
    const long = new FrameReassembler(10).push(encodeCloseChunk('x'.repeat(10_000)));
    expect(long.type === 'close' && long.reason.length).toBe(200);
  });

  it('random input never throws and never holds more than the limit', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.uint8Array({ maxLength: 64 }),
            fc.tuple(fc.constantFrom(1, 2, 3, 4, 5), fc.uint8Array({ maxLength: 64 })).map(([type, rest]) => Uint8Array.of(type, ...rest)),
          ),
          { maxLength: 40 },
        ),
        (chunks) => {
          const reassembler = new FrameReassembler(256);
          for (const chunk of chunks) {
            const outcome = reassembler.push(chunk);
            expect(['frame', 'partial', 'close', 'error']).toContain(outcome.type);
            if (outcome.type === 'frame') expect(outcome.frame.byteLength).toBeLessThanOrEqual(256);
            expect(reassembler.heldBytes).toBeLessThanOrEqual(256);
          }
        },
      ),
    );
  });

  it('chunkBytes must leave room for the first chunk header', () => {
    expect(() => encodeFrameChunks(bytes(10), FIRST_CHUNK_HEADER_BYTES)).toThrow(/chunkBytes must be an integer/);
  });
});
