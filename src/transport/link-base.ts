import type { ReplicaId } from '../consensus/types.js';
import { assert } from '../errors/keeper-error.js';
import { CloseReason, type CloseListener, type FrameListener, type Link, type LinkKind, type SendResult, type Unsubscribe } from './link.js';

export interface LinkIdentity {
  readonly peer: ReplicaId;
  readonly kind: LinkKind;
  readonly id: string;
  readonly maxFrameBytes: number;
}

/** Frames kept for a link that has no frame listener yet; more closes the link. */
export const MAX_UNCLAIMED_FRAMES = 1024;

/**
 * What every Link shares: the listener sets, the one-way closed state, the frame-size check and the
 * small buffer for frames that arrive before anyone listens. A transport extends it with `transmit`
 * (hand one frame to the channel) and `shutdown` (tell the peer, release the channel).
 */
export abstract class LinkBase implements Link {
  readonly peer: ReplicaId;
  readonly kind: LinkKind;
  readonly id: string;
  readonly maxFrameBytes: number;

  private readonly frameListeners = new Set<FrameListener>();
  private readonly closeListeners = new Set<CloseListener>();
  private unclaimed: Uint8Array[] = [];
  private unclaimedBytes = 0;
  private reason: string | undefined = undefined;

  protected constructor(identity: LinkIdentity) {
    assert(Number.isInteger(identity.maxFrameBytes) && identity.maxFrameBytes > 0, `maxFrameBytes must be a positive integer, got ${identity.maxFrameBytes}`);
    assert(identity.id.length > 0, 'a link needs an id');
    this.peer = identity.peer;
    this.kind = identity.kind;
    this.id = identity.id;
    this.maxFrameBytes = identity.maxFrameBytes;
  }

  abstract get bufferedBytes(): number;

  /** Hands one frame (already checked against maxFrameBytes) to the channel. */
  protected abstract transmit(frame: Uint8Array): SendResult;

  /** Releases the channel; `tellPeer` when this end decided to close (the peer does not know yet). */
  protected abstract shutdown(reason: string, tellPeer: boolean): void;

  get closed(): boolean {
    return this.reason !== undefined;
  }

  get closeReason(): string | undefined {
    return this.reason;
  }

  send(frame: Uint8Array): SendResult {
    assert(frame instanceof Uint8Array, 'a frame is a Uint8Array');
    assert(
      frame.byteLength <= this.maxFrameBytes,
      `frame of ${frame.byteLength} bytes exceeds the link's maxFrameBytes ${this.maxFrameBytes} (split it before sending)`,
    );
    if (this.reason !== undefined) return 'closed';
    return this.transmit(frame);
  }

  close(reason: string = CloseReason.local): void {
    this.terminate(reason, true);
  }

  onFrame(listener: FrameListener): Unsubscribe {
    this.frameListeners.add(listener);
    if (this.unclaimed.length > 0) {
      const frames = this.unclaimed;
      this.unclaimed = [];
      this.unclaimedBytes = 0;
      for (const frame of frames) this.callFrameListener(listener, frame);
    }
    return () => this.frameListeners.delete(listener);
  }

  onClose(listener: CloseListener): Unsubscribe {
    if (this.reason !== undefined) {
      listener(this.reason);
      return () => undefined;
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** A transport calls this for each complete frame received from the peer, in order. */
  protected deliver(frame: Uint8Array): void {
    if (this.reason !== undefined) return;
    if (this.frameListeners.size === 0) {
      if (this.unclaimed.length >= MAX_UNCLAIMED_FRAMES || this.unclaimedBytes + frame.byteLength > 4 * this.maxFrameBytes) {
        this.terminate('receive buffer overflow: no frame listener', true);
        return;
      }
      this.unclaimed.push(frame);
      this.unclaimedBytes += frame.byteLength;
      return;
    }
    for (const listener of [...this.frameListeners]) {
      if (this.reason !== undefined) return;
      this.callFrameListener(listener, frame);
    }
  }

  /**
   * The one way a link closes: record the reason (later calls are no-ops), release the channel,
   * then tell the close listeners. Transports call it with tellPeer=false when the peer closed first.
   */
  protected terminate(reason: string, tellPeer: boolean): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this.unclaimed = [];
    this.unclaimedBytes = 0;
    this.frameListeners.clear();
    try {
      this.shutdown(reason, tellPeer);
    } finally {
      const listeners = [...this.closeListeners];
      this.closeListeners.clear();
      for (const listener of listeners) {
        try {
          listener(reason);
        } catch (error) {
          // One failing listener must not keep the others from hearing the close; surface it later.
          queueMicrotask(() => {
            throw error;
          });
        }
      }
    }
  }

  private callFrameListener(listener: FrameListener, frame: Uint8Array): void {
    try {
      listener(frame);
    } catch (error) {
      this.terminate(`listener failed: ${error instanceof Error ? error.message : String(error)}`, true);
    }
  }
}
