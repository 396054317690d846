/**
 * Frames sent on one link within one microtask checkpoint travel as one message: every hop between
 * a page and a worker, or between two tabs, costs a structured clone and (BroadcastChannel) a trip
 * through the browser process, far more than a few hundred bytes of copying. A replica answers a
 * whole turn's clients, and a page's client pipelines a turn's requests, in one loop; batching
 * them makes one message, so one task at the other end (one turn of its replica).
 *
 * A batch's bytes: for each frame, its length (u32, big-endian) then its bytes. A batch holds at
 * most `maxBatchFrames` frames and `maxBatchBytes` bytes; a frame of `soloFrameBytes` or more goes
 * alone (flushing what waits before it, so order is kept), where a transport can move it without
 * a copy.
 */

export interface FrameBatchLimits {
  readonly maxBatchFrames: number;
  readonly maxBatchBytes: number;
  readonly soloFrameBytes: number;
}

export const DEFAULT_FRAME_BATCH_LIMITS: FrameBatchLimits = { maxBatchFrames: 1024, maxBatchBytes: 256 * 1024, soloFrameBytes: 64 * 1024 };

const LENGTH_BYTES = 4;

/** The bytes of a batch holding `frames`, in order. */
export function packFrames(frames: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const frame of frames) size += LENGTH_BYTES + frame.byteLength;
  const packed = new Uint8Array(size);
  const view = new DataView(packed.buffer);
  let offset = 0;
  for (const frame of frames) {
    view.setUint32(offset, frame.byteLength);
    packed.set(frame, offset + LENGTH_BYTES);
    offset += LENGTH_BYTES + frame.byteLength;
  }
  return packed;
}

/**
 * The frames of a batch (views into `packed`, no copies), or why the bytes are not a batch: a
 * length that runs past the end, a frame above `maxFrameBytes`, more than `maxFrames` frames.
 */
export function unpackFrames(packed: Uint8Array, maxFrameBytes: number, maxFrames: number): Uint8Array[] | string {
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  const frames: Uint8Array[] = [];
  let offset = 0;
  while (offset < packed.byteLength) {
    if (frames.length >= maxFrames) return `a frame batch holds more than ${maxFrames} frames`;
    if (offset + LENGTH_BYTES > packed.byteLength) return 'a frame batch ends inside a length';
    const length = view.getUint32(offset);
    if (length > maxFrameBytes) return `oversized frame: ${length} bytes exceeds the limit of ${maxFrameBytes}`;
    const start = offset + LENGTH_BYTES;
    if (start + length > packed.byteLength) return 'a frame batch ends inside a frame';
    frames.push(packed.subarray(start, start + length));
    offset = start + length;
  }
  return frames;
}

/**
 * Collects the frames a link sends until the current microtask checkpoint ends (or a limit is
 * reached), then hands them to `post` together. `post` gets one frame alone when only one waited
 * (the transport may then move its buffer instead of copying it).
 */
export class FrameBatcher {
  private frames: Uint8Array[] = [];
  private bytes = 0;
  private queued = false;

  constructor(
    private readonly post: (frames: readonly Uint8Array[]) => void,
    private readonly limits: FrameBatchLimits = DEFAULT_FRAME_BATCH_LIMITS,
  ) {}

  /** Frames waiting for the flush. */
  get size(): number {
    return this.frames.length;
  }

  push(frame: Uint8Array): void {
    if (frame.byteLength >= this.limits.soloFrameBytes) {
      this.flush();
      this.post([frame]);
      return;
    }
    if (this.frames.length >= this.limits.maxBatchFrames || this.bytes + frame.byteLength > this.limits.maxBatchBytes) this.flush();
    this.frames.push(frame);
    this.bytes += frame.byteLength;
    if (!this.queued) {
      this.queued = true;
      queueMicrotask(() => {
        this.queued = false;
        this.flush();
      });
    }
  }

  /** Posts what waits now. */
  flush(): void {
    if (this.frames.length === 0) return;
    const frames = this.frames;
    this.frames = [];
    this.bytes = 0;
    this.post(frames);
  }

  /** Forgets what waits (the link closed under it). */
  clear(): void {
    this.frames = [];
    this.bytes = 0;
  }
}
