import type { ReplicaId } from '../consensus/types.js';
import { assert } from '../errors/keeper-error.js';
import { CloseReason, DEFAULT_MAX_FRAME_BYTES, clipReason, remoteReason, type Link, type SendResult } from './link.js';
import { LinkBase } from './link-base.js';

export interface MemoryLinkPairOptions {
  /** The replica at the first end (the second link's peer). */
  readonly a: ReplicaId;
  /** The replica at the second end (the first link's peer). */
  readonly b: ReplicaId;
  readonly id?: string;
  readonly maxFrameBytes?: number;
  /** Bytes sent and not yet delivered, per direction; more closes the link with 'backpressure'. */
  readonly maxBufferedBytes?: number;
}

export const DEFAULT_MEMORY_MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

let memoryLinkCounter = 0;

/**
 * Two connected in-process links (kind 'memory'): frames are delivered in order on a later
 * microtask, never inside `send`, so a replica under test meets the same reentrancy as in a browser.
 */
export function createMemoryLinkPair(options: MemoryLinkPairOptions): readonly [Link, Link] {
  assert(options.a !== options.b, 'a memory link joins two different replicas');
  memoryLinkCounter += 1;
  const id = options.id ?? `${options.a}~${options.b}~memory${memoryLinkCounter}`;
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MEMORY_MAX_BUFFERED_BYTES;
  const first = new MemoryLink(options.b, id, maxFrameBytes, maxBufferedBytes);
  const second = new MemoryLink(options.a, id, maxFrameBytes, maxBufferedBytes);
  first.other = second;
  second.other = first;
  return [first, second];
}

class MemoryLink extends LinkBase {
  other: MemoryLink | undefined = undefined;
  private inFlightBytes = 0;

  constructor(
    peer: ReplicaId,
    id: string,
    maxFrameBytes: number,
    private readonly maxBufferedBytes: number,
  ) {
    super({ peer, kind: 'memory', id, maxFrameBytes });
  }

  get bufferedBytes(): number {
    return this.inFlightBytes;
  }

  protected transmit(frame: Uint8Array): SendResult {
    if (this.inFlightBytes + frame.byteLength > this.maxBufferedBytes) {
      this.close(CloseReason.backpressure);
      return 'closed';
    }
    this.inFlightBytes += frame.byteLength;
    const receiver = this.other;
    queueMicrotask(() => {
      this.inFlightBytes -= frame.byteLength;
      receiver?.receive(frame);
    });
    return 'sent';
  }

  protected shutdown(reason: string, tellPeer: boolean): void {
    const receiver = this.other;
    this.other = undefined;
    if (tellPeer && receiver) queueMicrotask(() => receiver.remoteClosed(clipReason(reason)));
  }

  private receive(frame: Uint8Array): void {
    this.deliver(frame);
  }

  private remoteClosed(reason: string): void {
    this.terminate(remoteReason(reason), false);
  }
}
