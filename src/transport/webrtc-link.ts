import type { ReplicaId } from '../consensus/types.js';
import { assert } from '../errors/keeper-error.js';
import { DEFAULT_SEND_QUEUE_LIMITS, SendQueue, type DataChannelLike, type SendQueueLimits } from './backpressure.js';
import { FrameBatcher } from './frame-batch.js';
import { CHUNK_HEADER_BYTES, DEFAULT_CHUNK_BYTES, FrameReassembler, MAX_BATCH_CHUNK_FRAMES, encodeBatchChunk, encodeCloseChunk, encodeFrameChunks } from './framing.js';
import { CloseReason, DEFAULT_MAX_FRAME_BYTES, remoteReason, type Link, type SendResult } from './link.js';
import { LinkBase } from './link-base.js';

export interface WebRtcLinkOptions {
  readonly peer: ReplicaId;
  /** Shared by both ends (the connection id the signaling exchange agreed on). */
  readonly id: string;
  readonly maxFrameBytes?: number;
  /**
   * Bytes per channel message, header included. Keep it at or below the connection's
   * `RTCSctpTransport.maxMessageSize` (256 KiB in Chromium).
   */
  readonly chunkBytes?: number;
  readonly sendQueue?: Partial<SendQueueLimits>;
}

/**
 * A Link over an RTCDataChannel: in the window, or in a worker on a channel transferred to it.
 * Frames are split into chunks (framing.ts) and sent through a bounded queue (backpressure.ts);
 * the small frames sent in one microtask go as one batch chunk (frame-batch.ts): one channel
 * message, one trip through SCTP and DTLS. Sends before the channel opens wait in the queue. The channel closing, erroring, or the peer
 * breaking the chunk protocol closes the link with the reason.
 */
export function createWebRtcLink(channel: DataChannelLike, options: WebRtcLinkOptions): Link {
  return new WebRtcLink(channel, options);
}

class WebRtcLink extends LinkBase {
  private readonly queue: SendQueue;
  private readonly reassembler: FrameReassembler;
  private readonly chunkBytes: number;
  private readonly onMessage = (event: MessageEvent) => this.receive(event.data);
  private readonly onChannelClose = () => this.terminate(CloseReason.channelClosed, false);
  private readonly onChannelError = (event: Event) => this.terminate(`channel error: ${describeChannelError(event)}`, false);
  private readonly batcher: FrameBatcher;

  constructor(
    private readonly channel: DataChannelLike,
    options: WebRtcLinkOptions,
  ) {
    super({ peer: options.peer, kind: 'webrtc', id: options.id, maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES });
    this.chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    assert(this.chunkBytes >= 64, `chunkBytes must be at least 64, got ${this.chunkBytes}`);
    this.reassembler = new FrameReassembler(this.maxFrameBytes);
    // A batch chunk stays within one channel message: half a chunk of frame bytes plus their lengths.
    const batchBytes = Math.floor((this.chunkBytes - CHUNK_HEADER_BYTES) / 2);
    this.batcher = new FrameBatcher((frames) => this.enqueue(frames), {
      maxBatchFrames: Math.min(MAX_BATCH_CHUNK_FRAMES, Math.floor(batchBytes / 8)),
      maxBatchBytes: batchBytes,
      soloFrameBytes: Math.floor(batchBytes / 2),
    });
    channel.binaryType = 'arraybuffer';
    this.queue = new SendQueue(channel, { ...DEFAULT_SEND_QUEUE_LIMITS, ...options.sendQueue }, (error) =>
      this.terminate(`send failed: ${error instanceof Error ? error.message : String(error)}`, false),
    );
    channel.addEventListener('message', this.onMessage);
    channel.addEventListener('close', this.onChannelClose);
    channel.addEventListener('error', this.onChannelError);
    if (channel.readyState === 'closing' || channel.readyState === 'closed') this.terminate(CloseReason.channelClosed, false);
  }

  get bufferedBytes(): number {
    return this.closed ? 0 : this.queue.bufferedBytes;
  }

  protected transmit(frame: Uint8Array): SendResult {
    this.batcher.push(frame);
    return this.closed ? 'closed' : 'sent';
  }

  private enqueue(frames: readonly Uint8Array[]): void {
    const chunks = frames.length === 1 ? encodeFrameChunks(frames[0] as Uint8Array, this.chunkBytes) : [encodeBatchChunk(frames)];
    if (!this.queue.push(chunks)) this.close(CloseReason.backpressure);
  }

  protected shutdown(reason: string, tellPeer: boolean): void {
    // The frames sent before a close go first; the peer closed first: they have nowhere to go.
    if (tellPeer && this.channel.readyState === 'open') this.batcher.flush();
    this.batcher.clear();
    this.queue.stop();
    this.channel.removeEventListener('message', this.onMessage);
    this.channel.removeEventListener('close', this.onChannelClose);
    this.channel.removeEventListener('error', this.onChannelError);
    if (tellPeer && this.channel.readyState === 'open') {
      try {
        this.channel.send(encodeCloseChunk(reason));
      } catch {
        // The channel is failing anyway; closing it below tells the peer.
      }
    }
    try {
      this.channel.close();
    } catch {
      // Closing a channel that is already closing.
    }
  }

  private receive(data: unknown): void {
    if (!(data instanceof ArrayBuffer)) {
      this.terminate(`malformed chunk: expected binary message, got ${typeof data}`, true);
      return;
    }
    const outcome = this.reassembler.push(new Uint8Array(data));
    switch (outcome.type) {
      case 'frame':
        this.deliver(outcome.frame);
        return;
      case 'frames':
        for (const frame of outcome.frames) this.deliver(frame);
        return;
      case 'partial':
        return;
      case 'close':
        this.terminate(remoteReason(outcome.reason), false);
        return;
      case 'error':
        this.terminate(outcome.reason, true);
        return;
    }
  }
}

function describeChannelError(event: Event): string {
  const error: unknown = (event as { error?: unknown }).error;
  if (error instanceof Error) return error.message;
  return event.type;
}
