import type { DataChannelLike } from '../../src/transport/backpressure.js';

/**
 * An in-process stand-in for RTCDataChannel's buffering and events (the real one runs in
 * test/e2e/transport-webrtc.test.ts). `send` adds to bufferedAmount; `drain` plays the network
 * taking bytes, firing 'bufferedamountlow' when the amount crosses the threshold as Chromium does,
 * and delivering the drained messages to the connected channel.
 */
export class FakeDataChannel extends EventTarget implements DataChannelLike {
  readyState: RTCDataChannelState = 'connecting';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  binaryType: BinaryType = 'blob';
  /** Messages handed to send() and not yet drained. */
  readonly outgoing: Uint8Array[] = [];
  /** Every message ever handed to send(). */
  readonly sent: Uint8Array[] = [];
  /** When set, send() throws this (a failing channel). */
  sendError: Error | undefined = undefined;
  /** Drain everything at once after each send (an idle network). */
  autoDrain = false;
  private peer: FakeDataChannel | undefined = undefined;

  static pair(): [FakeDataChannel, FakeDataChannel] {
    const first = new FakeDataChannel();
    const second = new FakeDataChannel();
    first.peer = second;
    second.peer = first;
    return [first, second];
  }

  open(): void {
    this.readyState = 'open';
    this.dispatchEvent(new Event('open'));
  }

  send(data: Uint8Array<ArrayBuffer>): void {
    if (this.sendError) throw this.sendError;
    if (this.readyState !== 'open') throw new Error(`InvalidStateError: send on a ${this.readyState} channel`);
    const copy = data.slice();
    this.outgoing.push(copy);
    this.sent.push(copy);
    this.bufferedAmount += copy.byteLength;
    if (this.autoDrain) queueMicrotask(() => this.drain(Infinity));
  }

  /** The network takes up to `bytes` (whole messages) from the buffer; they reach the peer in order. */
  drain(bytes: number): void {
    const before = this.bufferedAmount;
    let budget = bytes;
    while (this.outgoing.length > 0 && (this.outgoing[0]?.byteLength ?? 0) <= budget) {
      const message = this.outgoing.shift() as Uint8Array;
      budget -= message.byteLength;
      this.bufferedAmount -= message.byteLength;
      this.peer?.receive(message);
    }
    if (before > this.bufferedAmountLowThreshold && this.bufferedAmount <= this.bufferedAmountLowThreshold) {
      this.dispatchEvent(new Event('bufferedamountlow'));
    }
  }

  /** A message from the peer (or a hostile one from the test) arrives. */
  receive(data: Uint8Array | string): void {
    const payload = typeof data === 'string' ? data : data.slice().buffer;
    this.dispatchEvent(new MessageEvent('message', { data: payload }));
  }

  /** Closes gracefully, as Chromium does: what is buffered is delivered first, then both ends close. */
  close(): void {
    if (this.readyState === 'closed' || this.readyState === 'closing') return;
    this.readyState = 'closing';
    queueMicrotask(() => {
      this.drain(Infinity);
      this.readyState = 'closed';
      this.dispatchEvent(new Event('close'));
      const peer = this.peer;
      this.peer = undefined;
      peer?.close();
    });
  }

  override addEventListener(type: 'open' | 'close' | 'error' | 'bufferedamountlow', listener: (event: Event) => void): void;
  override addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  override addEventListener(type: string, listener: (event: never) => void): void {
    super.addEventListener(type, listener as EventListener);
  }

  override removeEventListener(type: 'open' | 'close' | 'error' | 'bufferedamountlow', listener: (event: Event) => void): void;
  override removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  override removeEventListener(type: string, listener: (event: never) => void): void {
    super.removeEventListener(type, listener as EventListener);
  }
}
