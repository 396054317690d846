import type { ReplicaId } from '../consensus/types.js';
import { DEFAULT_FRAME_BATCH_LIMITS, FrameBatcher, packFrames, unpackFrames } from './frame-batch.js';
import { CloseReason, clipReason, remoteReason, type SendResult } from './link.js';
import { LinkBase } from './link-base.js';
import { parsePairMessage, type BroadcastChannelLike, type PairMessage } from './broadcast-protocol.js';

export interface BroadcastLinkSetup {
  readonly channel: BroadcastChannelLike;
  readonly self: ReplicaId;
  readonly peer: ReplicaId;
  readonly id: string;
  readonly maxFrameBytes: number;
}

/**
 * One logical link between two tabs of a profile, over the pair channel only they listen to
 * (broadcast-protocol.ts). Made by the broadcast transport, which also drives its heartbeat.
 * The frames sent in one microtask go as one message (frame-batch.ts): each message is cloned and
 * routed through the browser process, so fewer of them matters more than a copy of their bytes.
 * Nothing stays buffered on this side past the microtask.
 */
export class BroadcastLink extends LinkBase {
  private readonly channel: BroadcastChannelLike;
  private readonly self: ReplicaId;
  private sendSeq = 0;
  private receiveSeq = 0;
  private silentTicks = 0;
  private sentSinceTick = false;
  private readonly onMessage = (event: MessageEvent) => this.receive(event.data);
  private readonly batcher = new FrameBatcher((frames) => this.postFrames(frames));

  constructor(setup: BroadcastLinkSetup) {
    super({ peer: setup.peer, kind: 'broadcast', id: setup.id, maxFrameBytes: setup.maxFrameBytes });
    this.channel = setup.channel;
    this.self = setup.self;
    this.channel.addEventListener('message', this.onMessage);
  }

  get bufferedBytes(): number {
    return 0;
  }

  /**
   * One heartbeat period passed: ping if nothing was sent in it, and close with 'timeout' when
   * nothing was heard for more than `timeoutTicks` periods.
   */
  heartbeat(timeoutTicks: number): void {
    if (this.closed) return;
    this.silentTicks += 1;
    if (this.silentTicks > timeoutTicks) {
      this.terminate(CloseReason.timeout, true);
      return;
    }
    if (!this.sentSinceTick) this.post({ t: 'ping', from: this.self, seq: this.nextSeq() });
    this.sentSinceTick = false;
  }

  /** The peer's tab said bye on the room channel: it is gone, close without answering. */
  peerLeft(reason: string): void {
    this.terminate(reason, false);
  }

  protected transmit(frame: Uint8Array): SendResult {
    this.batcher.push(frame);
    return this.closed ? 'closed' : 'sent';
  }

  private postFrames(frames: readonly Uint8Array[]): void {
    if (frames.length > 1) {
      this.post({ t: 'frames', from: this.self, seq: this.nextSeq(), data: packFrames(frames) });
      return;
    }
    const frame = frames[0] as Uint8Array;
    // postMessage clones a view's whole buffer: send a tight copy when the view is a window onto more.
    const data = frame.byteOffset === 0 && frame.byteLength === frame.buffer.byteLength ? frame : frame.slice();
    this.post({ t: 'frame', from: this.self, seq: this.nextSeq(), data });
  }

  protected shutdown(reason: string, tellPeer: boolean): void {
    this.channel.removeEventListener('message', this.onMessage);
    // The frames sent before a close go first; the peer closed first: they have nowhere to go.
    if (tellPeer) this.batcher.flush();
    this.batcher.clear();
    if (tellPeer) {
      try {
        this.channel.postMessage({ t: 'bye', from: this.self, reason: clipReason(reason) } satisfies PairMessage);
      } catch {
        // The channel is unusable; the peer's heartbeat will notice.
      }
    }
    this.channel.close();
  }

  private nextSeq(): number {
    const seq = this.sendSeq;
    this.sendSeq += 1;
    return seq;
  }

  private post(message: PairMessage): boolean {
    try {
      this.channel.postMessage(message);
    } catch (error) {
      this.terminate(`send failed: ${error instanceof Error ? error.message : String(error)}`, false);
      return false;
    }
    this.sentSinceTick = true;
    return true;
  }

  private receive(value: unknown): void {
    const message = parsePairMessage(value);
    if (typeof message === 'string') {
      this.terminate(message, true);
      return;
    }
    if (message.from !== this.peer) return;
    switch (message.t) {
      case 'frame':
      case 'frames':
      case 'ping':
        if (message.seq !== this.receiveSeq) {
          this.terminate(`sequence gap: expected message ${this.receiveSeq}, got ${message.seq}`, true);
          return;
        }
        this.receiveSeq += 1;
        this.silentTicks = 0;
        if (message.t === 'ping') return;
        if (message.t === 'frames') {
          const frames = unpackFrames(message.data, this.maxFrameBytes, DEFAULT_FRAME_BATCH_LIMITS.maxBatchFrames);
          if (typeof frames === 'string') {
            this.terminate(frames.startsWith('oversized') ? frames : `malformed link message: ${frames}`, true);
            return;
          }
          for (const frame of frames) this.deliver(frame);
          return;
        }
        if (message.data.byteLength > this.maxFrameBytes) {
          this.terminate(`oversized frame: ${message.data.byteLength} bytes exceeds the limit of ${this.maxFrameBytes}`, true);
          return;
        }
        this.deliver(message.data);
        return;
      case 'bye':
        this.terminate(remoteReason(message.reason), false);
        return;
      case 'accept':
      case 'reject':
        // Handshake messages belong to the transport; a late copy changes nothing.
        return;
    }
  }
}
