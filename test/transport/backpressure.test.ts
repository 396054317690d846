import { describe, expect, it } from 'vitest';
import { SendQueue } from '../../src/transport/backpressure.js';
import { createWebRtcLink } from '../../src/transport/webrtc-link.js';
import { patternBytes } from './bytes.js';
import { FakeDataChannel } from './fake-data-channel.js';

const limits = { highWaterBytes: 1000, lowWaterBytes: 200, maxBufferedBytes: 3000 };
const message = (length: number) => new Uint8Array(length);

describe('send queue', () => {
  it('sends at once while the channel is below the high-water mark', () => {
    const channel = new FakeDataChannel();
    channel.open();
    const queue = new SendQueue(channel, limits);
    expect(queue.push([message(400), message(400)])).toBe(true);
    expect(channel.sent).toHaveLength(2);
    expect(queue.queuedBytes).toBe(0);
    expect(queue.bufferedBytes).toBe(800);
  });

  it('sets the channel low-water threshold', () => {
    const channel = new FakeDataChannel();
    new SendQueue(channel, limits);
    expect(channel.bufferedAmountLowThreshold).toBe(200);
  });

  it('holds messages while the channel is at high water and sends them on bufferedamountlow', () => {
    const channel = new FakeDataChannel();
    channel.open();
    const queue = new SendQueue(channel, limits);
    queue.push([message(600), message(600), message(600), message(600)]);
    expect(channel.sent).toHaveLength(2);
    expect(queue.queuedBytes).toBe(1200);
    expect(queue.bufferedBytes).toBe(2400);
    channel.drain(600);
    expect(channel.sent).toHaveLength(2); // 600 still buffered: above the low-water mark, no event yet
    channel.drain(600);
    expect(channel.sent).toHaveLength(4);
    expect(queue.queuedBytes).toBe(0);
  });

  it('waits for the channel to open', () => {
    const channel = new FakeDataChannel();
    const queue = new SendQueue(channel, limits);
    queue.push([message(10), message(20)]);
    expect(channel.sent).toHaveLength(0);
    expect(queue.bufferedBytes).toBe(30);
    channel.open();
    expect(channel.sent.map((sent) => sent.byteLength)).toEqual([10, 20]);
  });

  it('keeps order across many drains', () => {
    const channel = new FakeDataChannel();
    channel.open();
    const queue = new SendQueue(channel, { highWaterBytes: 10, lowWaterBytes: 0, maxBufferedBytes: 100_000 });
    const messages = Array.from({ length: 3000 }, (_, index) => Uint8Array.of(index & 0xff, index >> 8));
    for (let index = 0; index < messages.length; index += 100) expect(queue.push(messages.slice(index, index + 100))).toBe(true);
    while (channel.bufferedAmount > 0) channel.drain(Infinity);
    expect(channel.sent).toEqual(messages);
  });

  it('refuses a push beyond maxBufferedBytes and queues none of it', () => {
    const channel = new FakeDataChannel();
    channel.open();
    const queue = new SendQueue(channel, limits);
    expect(queue.push([message(2500)])).toBe(true);
    expect(queue.push([message(300), message(300)])).toBe(false);
    expect(queue.bufferedBytes).toBe(2500);
    expect(queue.push([message(500)])).toBe(true);
  });

  it('a channel that throws on send stops the queue and reports the error', () => {
    const channel = new FakeDataChannel();
    channel.open();
    const errors: unknown[] = [];
    const queue = new SendQueue(channel, limits, (error) => errors.push(error));
    channel.sendError = new Error('OperationError: send queue full');
    expect(queue.push([message(10)])).toBe(true);
    expect(errors).toEqual([channel.sendError]);
    expect(queue.queuedBytes).toBe(0);
    expect(queue.push([message(10)])).toBe(false);
  });

  it('limits must be ordered', () => {
    expect(() => new SendQueue(new FakeDataChannel(), { highWaterBytes: 10, lowWaterBytes: 20, maxBufferedBytes: 30 })).toThrow(/lowWaterBytes <= highWaterBytes/);
  });
});

describe('webrtc link backpressure', () => {
  it('a frame that would take the buffer past its bound closes the link with backpressure', () => {
    const channel = new FakeDataChannel();
    channel.open();
    const link = createWebRtcLink(channel, { peer: 'b', id: 'ab', chunkBytes: 1024, sendQueue: { highWaterBytes: 4096, lowWaterBytes: 1024, maxBufferedBytes: 16 * 1024 } });
    const reasons: string[] = [];
    link.onClose((reason) => reasons.push(reason));
    expect(link.send(patternBytes(10_000))).toBe('sent');
    expect(link.bufferedBytes).toBeGreaterThan(10_000);
    expect(link.send(patternBytes(10_000))).toBe('closed');
    expect(reasons).toEqual(['backpressure']);
    expect(link.closeReason).toBe('backpressure');
    expect(link.send(patternBytes(1))).toBe('closed');
  });

  it('a draining channel lets the link keep sending', () => {
    const channel = new FakeDataChannel();
    channel.open();
    const link = createWebRtcLink(channel, { peer: 'b', id: 'ab', chunkBytes: 1024, sendQueue: { highWaterBytes: 4096, lowWaterBytes: 1024, maxBufferedBytes: 16 * 1024 } });
    for (let round = 0; round < 20; round += 1) {
      expect(link.send(patternBytes(10_000, round))).toBe('sent');
      while (channel.bufferedAmount > 0) channel.drain(Infinity);
    }
    expect(link.bufferedBytes).toBe(0);
    expect(link.closed).toBe(false);
  });

  it('a channel failing on send closes the link with the error', async () => {
    const channel = new FakeDataChannel();
    channel.open();
    const link = createWebRtcLink(channel, { peer: 'b', id: 'ab' });
    channel.sendError = new Error('OperationError: Failure to send data');
    // A large frame goes to the channel at once; a small one at the end of its microtask (batching).
    expect(link.send(patternBytes(100_000))).toBe('closed');
    expect(link.closeReason).toBe('send failed: OperationError: Failure to send data');
    const otherChannel = new FakeDataChannel();
    otherChannel.open();
    const other = createWebRtcLink(otherChannel, { peer: 'c', id: 'ac' });
    otherChannel.sendError = new Error('OperationError: Failure to send data');
    expect(other.send(patternBytes(10))).toBe('sent');
    await Promise.resolve();
    expect(other.closeReason).toBe('send failed: OperationError: Failure to send data');
  });
});
