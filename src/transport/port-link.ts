import type { ReplicaId } from '../consensus/types.js';
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
 *   { t: 'close', reason: string }      the other end closed, and why (then the port closes)
 */
export type PortMessage = { readonly t: 'frame'; readonly data: ArrayBuffer } | { readonly t: 'close'; readonly reason: string };

export interface PortLinkOptions {
  readonly peer: ReplicaId;
  readonly id: string;
  readonly maxFrameBytes?: number;
  /** 'port' for the worker's end of a window bridge (default); the window's end is usually piped. */
  readonly kind?: 'port';
}

/**
 * A Link over a MessagePort: the bridge used when a data channel stays in the window (see
 * link-pipe.ts) and the worker holds the other port. Frames travel as transferred ArrayBuffers:
 * a frame that spans its whole buffer is transferred (the sender's view is detached), any other
 * view is copied first. A close reason crosses the port verbatim, so the worker hears the data
 * channel's reason ('backpressure', 'remote: …') as if it held the channel.
 */
export function createPortLink(port: PortLike, options: PortLinkOptions): Link {
  return new PortLink(port, options);
}

class PortLink extends LinkBase {
  private readonly onMessage = (event: MessageEvent) => this.receive(event.data);

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
    const data = ownedBuffer(frame);
    try {
      this.port.postMessage({ t: 'frame', data } satisfies PortMessage, [data]);
    } catch (error) {
      this.terminate(`send failed: ${error instanceof Error ? error.message : String(error)}`, false);
      return 'closed';
    }
    return 'sent';
  }

  protected shutdown(reason: string, tellPeer: boolean): void {
    this.port.removeEventListener('message', this.onMessage);
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
