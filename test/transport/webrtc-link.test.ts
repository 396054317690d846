import { describe, expect, it } from 'vitest';
import { ChunkType } from '../../src/transport/framing.js';
import type { Link } from '../../src/transport/link.js';
import { createWebRtcLink } from '../../src/transport/webrtc-link.js';
import { patternBytes, sameBytes } from './bytes.js';
import { FakeDataChannel } from './fake-data-channel.js';

// Protocol rules of the data-channel link over the in-process channel stand-in; the same link runs on
// real channels, transferred to a worker, in test/e2e/transport-webrtc.test.ts.

function linkedPair(options: { maxFrameBytes?: [number, number]; open?: boolean } = {}) {
  const [channelA, channelB] = FakeDataChannel.pair();
  channelA.autoDrain = true;
  channelB.autoDrain = true;
  const a = createWebRtcLink(channelA, { peer: 'b', id: 'a-b', chunkBytes: 1000, maxFrameBytes: options.maxFrameBytes?.[0] ?? 1 << 20 });
  const b = createWebRtcLink(channelB, { peer: 'a', id: 'a-b', chunkBytes: 1000, maxFrameBytes: options.maxFrameBytes?.[1] ?? 1 << 20 });
  if (options.open !== false) {
    channelA.open();
    channelB.open();
  }
  return { a, b, channelA, channelB };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function collect(link: Link) {
  const frames: Uint8Array[] = [];
  const closes: string[] = [];
  link.onFrame((frame) => frames.push(frame.slice()));
  link.onClose((reason) => closes.push(reason));
  return { frames, closes };
}

describe('webrtc link', () => {
  it('frames of any size travel both ways in order', async () => {
    const { a, b } = linkedPair();
    const atA = collect(a);
    const atB = collect(b);
    const sizes = [0, 1, 999, 1000, 5000, 300_000];
    for (const [index, size] of sizes.entries()) {
      expect(a.send(patternBytes(size, index))).toBe('sent');
      expect(b.send(patternBytes(size, index + 100))).toBe('sent');
    }
    await settle();
    expect(atB.frames.map((frame, index) => sameBytes(frame, patternBytes(sizes[index] ?? -1, index)))).toEqual(sizes.map(() => true));
    expect(atA.frames.map((frame, index) => sameBytes(frame, patternBytes(sizes[index] ?? -1, index + 100)))).toEqual(sizes.map(() => true));
  });

  it('the small frames sent in one microtask go as one batch message, in order', async () => {
    const { a, b, channelA } = linkedPair();
    const atB = collect(b);
    const sent: number[] = [];
    const send = channelA.send.bind(channelA);
    channelA.send = (data) => {
      sent.push((data as Uint8Array)[0] as number);
      send(data);
    };
    const sizes = [5, 0, 200, 3000, 7];
    for (const [index, size] of sizes.entries()) a.send(patternBytes(size, index));
    await settle();
    expect(atB.frames.map((frame, index) => sameBytes(frame, patternBytes(sizes[index] ?? -1, index)))).toEqual(sizes.map(() => true));
    // Three small ones in a batch, the large one split in chunks after them, the last small one alone.
    expect(sent).toEqual([ChunkType.batch, ChunkType.first, ChunkType.middle, ChunkType.middle, ChunkType.last, ChunkType.whole]);
  });

  it('frames sent before the channel opens wait for it', async () => {
    const { a, b, channelA, channelB } = linkedPair({ open: false });
    const atB = collect(b);
    expect(a.send(patternBytes(2500))).toBe('sent');
    expect(a.bufferedBytes).toBeGreaterThan(2500);
    channelB.open();
    channelA.open();
    await settle();
    expect(atB.frames).toHaveLength(1);
    expect(sameBytes(atB.frames[0] as Uint8Array, patternBytes(2500))).toBe(true);
  });

  it('the reason for closing reaches the peer', async () => {
    const { a, b } = linkedPair();
    const atB = collect(b);
    a.close('duplicate');
    await settle();
    expect(a.closeReason).toBe('duplicate');
    expect(atB.closes).toEqual(['remote: duplicate']);
  });

  it('the channel closing closes the link', async () => {
    const { a, channelA } = linkedPair();
    const atA = collect(a);
    channelA.close();
    await settle();
    expect(atA.closes).toEqual(['channel closed']);
    expect(a.send(patternBytes(1))).toBe('closed');
  });

  it('a text message from the peer closes the link, and the peer hears why', async () => {
    const { a, b, channelB } = linkedPair();
    const atA = collect(a);
    const atB = collect(b);
    channelB.receive('hello');
    await settle();
    expect(atB.closes).toEqual(['malformed chunk: expected binary message, got string']);
    expect(atA.closes).toEqual(['remote: malformed chunk: expected binary message, got string']);
  });

  it('a malformed chunk closes the link with the reason', () => {
    const { b, channelB } = linkedPair();
    const atB = collect(b);
    channelB.receive(Uint8Array.of(ChunkType.middle, 1, 2));
    expect(atB.closes).toEqual(['malformed chunk: a middle chunk outside a split frame']);
  });

  it('a frame above the receiver limit closes the link on arrival', async () => {
    const { a, b } = linkedPair({ maxFrameBytes: [10_000, 4000] });
    const atA = collect(a);
    const atB = collect(b);
    expect(a.send(patternBytes(5000))).toBe('sent');
    await settle();
    expect(atB.frames).toHaveLength(0);
    expect(atB.closes).toEqual(['oversized frame: 5000 bytes exceeds the limit of 4000']);
    expect(atA.closes).toEqual(['remote: oversized frame: 5000 bytes exceeds the limit of 4000']);
  });

  it('sending a frame above the link limit is a programmer error', () => {
    const { a } = linkedPair({ maxFrameBytes: [100, 100] });
    expect(() => a.send(patternBytes(101))).toThrow(/exceeds the link's maxFrameBytes 100/);
    expect(a.closed).toBe(false);
  });

  it('a link on an already closed channel starts closed', () => {
    const channel = new FakeDataChannel();
    channel.close();
    expect(createWebRtcLink(channel, { peer: 'b', id: 'x' }).closeReason).toBe('channel closed');
  });
});
