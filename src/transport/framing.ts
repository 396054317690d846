import { assert } from '../errors/keeper-error.js';
import { packFrames, unpackFrames } from './frame-batch.js';
import { clipReason } from './link.js';

/**
 * Frames over a message channel with a message-size limit (an RTCDataChannel): a frame goes as one
 * chunk or is split into several, each a channel message that starts with a one-byte chunk type.
 *
 *   chunk   = whole | first | middle | last | close | batch
 *   whole   = 0x01 payload                       ; a frame in one chunk
 *   first   = 0x02 frameBytes:u32be payload      ; payload < frameBytes
 *   middle  = 0x03 payload                       ; the frame is not complete after it
 *   last    = 0x04 payload                       ; the frame is complete after it, exactly
 *   close   = 0x05 reason:utf8                   ; the sender closes the link, and why
 *   batch   = 0x06 packed                        ; several small frames (frame-batch.ts's packing)
 *
 * The channel is ordered and reliable, so chunks carry no frame number: between `first` and `last`
 * only `middle` may come. The receiver checks `frameBytes` against its limit before allocating.
 */

export const ChunkType = { whole: 0x01, first: 0x02, middle: 0x03, last: 0x04, close: 0x05, batch: 0x06 } as const;

/** Frames one batch chunk may carry. */
export const MAX_BATCH_CHUNK_FRAMES = 1024;

export const FIRST_CHUNK_HEADER_BYTES = 5;
export const CHUNK_HEADER_BYTES = 1;

/**
 * 64 KiB per channel message. Chromium's data channels accept messages up to 256 KiB
 * (a=max-message-size:262144, checked in test/e2e/transport-webrtc.test.ts); 64 KiB stays under every
 * browser's limit (Safari's was 64 KiB) and keeps a small frame's wait behind a large one short.
 */
export const DEFAULT_CHUNK_BYTES = 64 * 1024;

/** Splits one frame into channel messages of at most `chunkBytes` bytes each (header included). */
export function encodeFrameChunks(frame: Uint8Array, chunkBytes: number = DEFAULT_CHUNK_BYTES): Uint8Array<ArrayBuffer>[] {
  assert(Number.isInteger(chunkBytes) && chunkBytes > FIRST_CHUNK_HEADER_BYTES, `chunkBytes must be an integer > ${FIRST_CHUNK_HEADER_BYTES}, got ${chunkBytes}`);
  assert(frame.byteLength <= 0xffffffff, 'a frame is shorter than 4 GiB');
  if (frame.byteLength + CHUNK_HEADER_BYTES <= chunkBytes) {
    const whole = new Uint8Array(frame.byteLength + CHUNK_HEADER_BYTES);
    whole[0] = ChunkType.whole;
    whole.set(frame, CHUNK_HEADER_BYTES);
    return [whole];
  }
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  const firstPayloadBytes = chunkBytes - FIRST_CHUNK_HEADER_BYTES;
  const first = new Uint8Array(chunkBytes);
  first[0] = ChunkType.first;
  new DataView(first.buffer).setUint32(1, frame.byteLength);
  first.set(frame.subarray(0, firstPayloadBytes), FIRST_CHUNK_HEADER_BYTES);
  chunks.push(first);
  const restPayloadBytes = chunkBytes - CHUNK_HEADER_BYTES;
  for (let offset = firstPayloadBytes; offset < frame.byteLength; offset += restPayloadBytes) {
    const end = Math.min(offset + restPayloadBytes, frame.byteLength);
    const chunk = new Uint8Array(end - offset + CHUNK_HEADER_BYTES);
    chunk[0] = end === frame.byteLength ? ChunkType.last : ChunkType.middle;
    chunk.set(frame.subarray(offset, end), CHUNK_HEADER_BYTES);
    chunks.push(chunk);
  }
  return chunks;
}

/** One chunk carrying several frames: the type byte, then the frames packed (see frame-batch.ts). */
export function encodeBatchChunk(frames: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const packed = packFrames(frames);
  const chunk = new Uint8Array(packed.byteLength + CHUNK_HEADER_BYTES);
  chunk[0] = ChunkType.batch;
  chunk.set(packed, CHUNK_HEADER_BYTES);
  return chunk;
}

/** The close chunk: type byte and the (clipped) reason in UTF-8. */
export function encodeCloseChunk(reason: string): Uint8Array<ArrayBuffer> {
  const text = new TextEncoder().encode(clipReason(reason));
  const chunk = new Uint8Array(text.byteLength + CHUNK_HEADER_BYTES);
  chunk[0] = ChunkType.close;
  chunk.set(text, CHUNK_HEADER_BYTES);
  return chunk;
}

/** What one received chunk amounted to. 'error' means the peer broke the protocol: close the link. */
export type ChunkOutcome =
  | { readonly type: 'frame'; readonly frame: Uint8Array }
  | { readonly type: 'frames'; readonly frames: readonly Uint8Array[] }
  | { readonly type: 'partial' }
  | { readonly type: 'close'; readonly reason: string }
  | { readonly type: 'error'; readonly reason: string };

const PARTIAL: ChunkOutcome = { type: 'partial' };

/**
 * Rebuilds frames from chunks, one frame at a time (the channel is ordered). Holds at most one
 * partial frame, never larger than `maxFrameBytes`; the declared size is checked before it is allocated.
 */
export class FrameReassembler {
  private buffer: Uint8Array | undefined = undefined;
  private receivedBytes = 0;
  private failed: string | undefined = undefined;

  constructor(readonly maxFrameBytes: number) {
    assert(Number.isInteger(maxFrameBytes) && maxFrameBytes >= 0, `maxFrameBytes must be a non-negative integer, got ${maxFrameBytes}`);
  }

  /** Bytes held for the frame being rebuilt (its declared size), 0 between frames. */
  get heldBytes(): number {
    return this.buffer?.byteLength ?? 0;
  }

  push(chunk: Uint8Array): ChunkOutcome {
    if (this.failed !== undefined) return { type: 'error', reason: this.failed };
    if (chunk.byteLength < CHUNK_HEADER_BYTES) return this.fail('malformed chunk: empty message');
    const type = chunk[0];
    const payload = chunk.subarray(CHUNK_HEADER_BYTES);
    switch (type) {
      case ChunkType.whole:
        if (this.buffer !== undefined) return this.fail('malformed chunk: a whole frame inside a split frame');
        if (payload.byteLength > this.maxFrameBytes) return this.fail(this.oversized(payload.byteLength));
        return { type: 'frame', frame: payload };
      case ChunkType.first:
        return this.pushFirst(chunk);
      case ChunkType.middle:
      case ChunkType.last:
        return this.pushContinuation(payload, type === ChunkType.last);
      case ChunkType.close:
        return { type: 'close', reason: clipReason(new TextDecoder('utf-8', { fatal: false }).decode(payload)) };
      case ChunkType.batch: {
        if (this.buffer !== undefined) return this.fail('malformed chunk: a batch inside a split frame');
        const frames = unpackFrames(payload, this.maxFrameBytes, MAX_BATCH_CHUNK_FRAMES);
        if (typeof frames === 'string') return this.fail(frames.startsWith('oversized') ? frames : `malformed chunk: ${frames}`);
        return { type: 'frames', frames };
      }
      default:
        return this.fail(`malformed chunk: unknown chunk type ${String(type)}`);
    }
  }

  private pushFirst(chunk: Uint8Array): ChunkOutcome {
    if (this.buffer !== undefined) return this.fail('malformed chunk: a first chunk inside a split frame');
    if (chunk.byteLength < FIRST_CHUNK_HEADER_BYTES) return this.fail('malformed chunk: first chunk shorter than its header');
    const frameBytes = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength).getUint32(1);
    if (frameBytes > this.maxFrameBytes) return this.fail(this.oversized(frameBytes));
    const payload = chunk.subarray(FIRST_CHUNK_HEADER_BYTES);
    if (payload.byteLength >= frameBytes) {
      return this.fail(`malformed chunk: first chunk carries ${payload.byteLength} bytes of a ${frameBytes}-byte frame`);
    }
    this.buffer = new Uint8Array(frameBytes);
    this.buffer.set(payload, 0);
    this.receivedBytes = payload.byteLength;
    return PARTIAL;
  }

  private pushContinuation(payload: Uint8Array, last: boolean): ChunkOutcome {
    const buffer = this.buffer;
    if (buffer === undefined) return this.fail(`malformed chunk: a ${last ? 'last' : 'middle'} chunk outside a split frame`);
    const receivedBytes = this.receivedBytes + payload.byteLength;
    if (receivedBytes > buffer.byteLength) {
      return this.fail(`malformed chunk: ${receivedBytes} bytes received for a ${buffer.byteLength}-byte frame`);
    }
    if (last !== (receivedBytes === buffer.byteLength)) {
      return this.fail(
        last
          ? `malformed chunk: last chunk ends a ${buffer.byteLength}-byte frame at ${receivedBytes} bytes`
          : `malformed chunk: middle chunk completes a ${buffer.byteLength}-byte frame`,
      );
    }
    buffer.set(payload, this.receivedBytes);
    this.receivedBytes = receivedBytes;
    if (!last) return PARTIAL;
    this.buffer = undefined;
    this.receivedBytes = 0;
    return { type: 'frame', frame: buffer };
  }

  private oversized(frameBytes: number): string {
    return `oversized frame: ${frameBytes} bytes exceeds the limit of ${this.maxFrameBytes}`;
  }

  private fail(reason: string): ChunkOutcome {
    this.failed = reason;
    this.buffer = undefined;
    this.receivedBytes = 0;
    return { type: 'error', reason };
  }
}
