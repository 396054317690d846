import { assert } from '../errors/keeper-error.js';

/** The part of RTCDataChannel the transport uses (a real one satisfies it, in a window or a worker). */
export interface DataChannelLike {
  readonly readyState: RTCDataChannelState;
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  binaryType: BinaryType;
  send(data: Uint8Array<ArrayBuffer>): void;
  close(): void;
  addEventListener(type: 'open' | 'close' | 'error' | 'bufferedamountlow', listener: (event: Event) => void): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'open' | 'close' | 'error' | 'bufferedamountlow', listener: (event: Event) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

export interface SendQueueLimits {
  /** Stop handing chunks to the channel while its bufferedAmount is at or above this. */
  readonly highWaterBytes: number;
  /** Resume when the channel's bufferedAmount falls to this (bufferedAmountLowThreshold). */
  readonly lowWaterBytes: number;
  /** The most bytes queued here plus buffered in the channel; more is refused. */
  readonly maxBufferedBytes: number;
}

/**
 * Chromium closes a data channel whose send buffer passes 16 MiB, so chunks wait here while the
 * channel holds 1 MiB and flow again when it drains to 256 KiB. Up to 8 MiB per link may wait
 * (a few Raft appends of 1 MiB in flight); a peer that cannot take more has its link closed
 * ('backpressure') and catches up through Raft after reconnecting.
 */
export const DEFAULT_SEND_QUEUE_LIMITS: SendQueueLimits = {
  highWaterBytes: 1024 * 1024,
  lowWaterBytes: 256 * 1024,
  maxBufferedBytes: 8 * 1024 * 1024,
};

/**
 * A bounded FIFO of channel messages in front of a data channel: `push` queues and sends what the
 * channel can take now; the rest goes when the channel reports 'bufferedamountlow' (or opens).
 * `bufferedBytes` counts both what waits here and what the channel buffers.
 */
export class SendQueue {
  private readonly queue: Uint8Array<ArrayBuffer>[] = [];
  private head = 0;
  private queued = 0;
  private readonly onLow = () => this.pump();
  private stopped = false;

  constructor(
    private readonly channel: DataChannelLike,
    readonly limits: SendQueueLimits = DEFAULT_SEND_QUEUE_LIMITS,
    /** Called if the channel throws on send (it is closing or failed); the queue stops. */
    private readonly onSendError: (error: unknown) => void = () => undefined,
  ) {
    assert(
      limits.lowWaterBytes >= 0 && limits.lowWaterBytes <= limits.highWaterBytes && limits.highWaterBytes <= limits.maxBufferedBytes,
      `send queue limits need 0 <= lowWaterBytes <= highWaterBytes <= maxBufferedBytes, got ${JSON.stringify(limits)}`,
    );
    channel.bufferedAmountLowThreshold = limits.lowWaterBytes;
    channel.addEventListener('bufferedamountlow', this.onLow);
    channel.addEventListener('open', this.onLow);
  }

  /** Bytes waiting here, not yet given to the channel. */
  get queuedBytes(): number {
    return this.queued;
  }

  get bufferedBytes(): number {
    return this.queued + this.channel.bufferedAmount;
  }

  /**
   * Queues these messages (all or none) and sends what fits. False when they would take
   * `bufferedBytes` past maxBufferedBytes, or the queue was stopped: nothing was queued.
   */
  push(messages: readonly Uint8Array<ArrayBuffer>[]): boolean {
    if (this.stopped) return false;
    let bytes = 0;
    for (const message of messages) bytes += message.byteLength;
    if (this.bufferedBytes + bytes > this.limits.maxBufferedBytes) return false;
    for (const message of messages) this.queue.push(message);
    this.queued += bytes;
    this.pump();
    return true;
  }

  /** Hands queued messages to the channel while it is open and below the high-water mark. */
  pump(): void {
    while (!this.stopped && this.head < this.queue.length && this.channel.readyState === 'open' && this.channel.bufferedAmount < this.limits.highWaterBytes) {
      const message = this.queue[this.head];
      assert(message !== undefined, 'send queue head within bounds');
      try {
        this.channel.send(message);
      } catch (error) {
        this.stop();
        this.onSendError(error);
        return;
      }
      this.queue[this.head] = EMPTY;
      this.head += 1;
      this.queued -= message.byteLength;
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Drops what is queued and detaches from the channel. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.queue.length = 0;
    this.head = 0;
    this.queued = 0;
    this.channel.removeEventListener('bufferedamountlow', this.onLow);
    this.channel.removeEventListener('open', this.onLow);
  }
}

const EMPTY = new Uint8Array(0);
