import type { ReplicaId } from '../consensus/types.js';
import { DEFAULT_FRAME_BATCH_LIMITS, FrameBatcher, packFrames, unpackFrames } from './frame-batch.js';
import { CloseReason, DEFAULT_MAX_FRAME_BYTES, clipReason, type Link, type SendResult } from './link.js';
import { LinkBase } from './link-base.js';

/** The part of MessagePort a port link uses (a browser's or Node's MessagePort satisfies it). */
export interface PortLike {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  start(): void;
  close(): void;
}

/**
 * The messages on the port:
 *   { t: 'frame', data: ArrayBuffer }   one frame, its buffer transferred
 *   { t: 'frames', data: ArrayBuffer }  the frames sent in one microtask, packed (frame-batch.ts), transferred
 *   { t: 'close', reason: string }      the other end closed, and why (then the port closes)
 */
export type PortMessage =
  | { readonly t: 'frame'; readonly data: ArrayBuffer }
  | { readonly t: 'frames'; readonly data: ArrayBuffer }
  | { readonly t: 'close'; readonly reason: string };

/** The largest batch message a port link accepts (its frames are checked one by one too). */
const MAX_BATCH_MESSAGE_BYTES = DEFAULT_FRAME_BATCH_LIMITS.maxBatchBytes + 4 * DEFAULT_FRAME_BATCH_LIMITS.maxBatchFrames;

export interface PortLinkOptions {
  readonly peer: ReplicaId;
  readonly id: string;
  readonly maxFrameBytes?: number;
  /** 'port' for the worker's end of a window bridge (default); the window's end is usually piped. */
  readonly kind?: 'port';
}

/**
 * A Link over a MessagePort: a page's client connection to its replica worker
 * (src/mesh/port-client-connection.ts), and the bridge used when a data channel stays in the window
 * (see link-pipe.ts) and the worker holds the other port. The frames sent in one microtask travel
 * as one message (frame-batch.ts), their bytes packed into one transferred ArrayBuffer; a frame
 * sent alone (or a large one) travels by itself, transferred when it spans its whole buffer (the
 * sender's view is detached at the end of the microtask), copied otherwise. A close reason
 * crosses the port verbatim, after the frames sent before it, so the worker hears the data
 * channel's reason ('backpressure', 'remote: …') as if it held the channel.
 */
export function createPortLink(port: PortLike, options: PortLinkOptions): Link {
  return new PortLink(port, options);
}

class PortLink extends LinkBase {
  private readonly onMessage = (event: MessageEvent) => this.receive(event.data);
  private readonly batcher = new FrameBatcher((frames) => this.post(frames));

  constructor(
    private readonly port: PortLike,
    options: PortLinkOptions,
  ) {
    super({ peer: options.peer, kind: options.kind ?? 'port', id: options.id, maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES });
    port.addEventListener('message', this.onMessage);
    port.start();
  }

  get bufferedBytes(): number {
    return 0;
  }

  protected transmit(frame: Uint8Array): SendResult {
    this.batcher.push(frame);
    return this.closed ? 'closed' : 'sent';
  }

  private post(frames: readonly Uint8Array[]): void {
    let message: PortMessage;
    if (frames.length === 1) message = { t: 'frame', data: ownedBuffer(frames[0] as Uint8Array) };
    else message = { t: 'frames', data: packFrames(frames).buffer as ArrayBuffer };
    try {
      this.port.postMessage(message, [message.data]);
    } catch (error) {
      this.terminate(`send failed: ${error instanceof Error ? error.message : String(error)}`, false);
    }
  }

  protected shutdown(reason: string, tellPeer: boolean): void {
    this.port.removeEventListener('message', this.onMessage);
    // The frames sent before a close go first; the peer closed first: they have nowhere to go.
    if (tellPeer) this.batcher.flush();
    this.batcher.clear();
    if (tellPeer) {
      try {
        this.port.postMessage({ t: 'close', reason: clipReason(reason) } satisfies PortMessage, []);
      } catch {
        // The port is already unusable; closing it is all that is left.
      }
    }
    this.port.close();
  }

  private receive(message: unknown): void {
    if (typeof message !== 'object' || message === null) {
      this.terminate('malformed port message: not an object', true);
      return;
    }
    const { t } = message as { t?: unknown };
    if (t === 'frame') {
      const { data } = message as { data?: unknown };
      if (!(data instanceof ArrayBuffer)) {
        this.terminate('malformed port message: frame data is not an ArrayBuffer', true);
        return;
      }
      if (data.byteLength > this.maxFrameBytes) {
        this.terminate(`oversized frame: ${data.byteLength} bytes exceeds the limit of ${this.maxFrameBytes}`, true);
        return;
      }
      this.deliver(new Uint8Array(data));
      return;
    }
    if (t === 'frames') {
      const { data } = message as { data?: unknown };
      if (!(data instanceof ArrayBuffer)) {
        this.terminate('malformed port message: frames data is not an ArrayBuffer', true);
        return;
      }
      if (data.byteLength > Math.max(this.maxFrameBytes, MAX_BATCH_MESSAGE_BYTES)) {
        this.terminate(`oversized frame batch: ${data.byteLength} bytes`, true);
        return;
      }
      const frames = unpackFrames(new Uint8Array(data), this.maxFrameBytes, DEFAULT_FRAME_BATCH_LIMITS.maxBatchFrames);
      if (typeof frames === 'string') {
        this.terminate(`malformed port message: ${frames}`, true);
        return;
      }
      for (const frame of frames) this.deliver(frame);
      return;
    }
    if (t === 'close') {
      const { reason } = message as { reason?: unknown };
      this.terminate(typeof reason === 'string' ? clipReason(reason) : CloseReason.channelClosed, false);
      return;
    }
    this.terminate(`malformed port message: unknown type ${JSON.stringify(String(t)).slice(0, 40)}`, true);
  }
}

/** An ArrayBuffer holding exactly the frame's bytes that may be transferred. */
function ownedBuffer(frame: Uint8Array): ArrayBuffer {
  const buffer = frame.buffer;
  if (buffer instanceof ArrayBuffer && frame.byteOffset === 0 && frame.byteLength === buffer.byteLength) return buffer;
  return frame.slice().buffer;
}
