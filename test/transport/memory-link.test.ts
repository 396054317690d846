import { describe, expect, it } from 'vitest';
import { MAX_UNCLAIMED_FRAMES } from '../../src/transport/link-base.js';
import { createMemoryLinkPair } from '../../src/transport/memory-link.js';
import { patternBytes } from './bytes.js';

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('memory link', () => {
  it('delivers frames in order, never inside send', async () => {
    const [a, b] = createMemoryLinkPair({ a: 'a', b: 'b' });
    const received: number[] = [];
    b.onFrame((frame) => received.push(frame[0] ?? -1));
    for (let index = 0; index < 100; index += 1) a.send(Uint8Array.of(index));
    expect(received).toEqual([]);
    expect(a.bufferedBytes).toBe(100);
    await settle();
    expect(received).toEqual(Array.from({ length: 100 }, (_, index) => index));
    expect(a.bufferedBytes).toBe(0);
  });

  it('both ends share the id and name each other', () => {
    const [a, b] = createMemoryLinkPair({ a: 'a', b: 'b', id: 'x' });
    expect([a.peer, b.peer, a.id, b.id, a.kind]).toEqual(['b', 'a', 'x', 'x', 'memory']);
  });

  it('frames sent before a close arrive before the close', async () => {
    const [a, b] = createMemoryLinkPair({ a: 'a', b: 'b' });
    const events: string[] = [];
    b.onFrame((frame) => events.push(`frame ${frame[0]}`));
    b.onClose((reason) => events.push(`close ${reason}`));
    a.send(Uint8Array.of(1));
    a.send(Uint8Array.of(2));
    a.close('done');
    expect(a.send(Uint8Array.of(3))).toBe('closed');
    await settle();
    expect(events).toEqual(['frame 1', 'frame 2', 'close remote: done']);
  });

  it('close listeners hear the reason once; a late listener hears it at once', () => {
    const [a] = createMemoryLinkPair({ a: 'a', b: 'b' });
    const reasons: string[] = [];
    a.onClose((reason) => reasons.push(reason));
    a.close('first');
    a.close('second');
    a.onClose((reason) => reasons.push(`late ${reason}`));
    expect(reasons).toEqual(['first', 'late first']);
  });

  it('more in flight than the bound closes the link with backpressure', () => {
    const [a] = createMemoryLinkPair({ a: 'a', b: 'b', maxBufferedBytes: 100 });
    expect(a.send(patternBytes(60))).toBe('sent');
    expect(a.send(patternBytes(60))).toBe('closed');
    expect(a.closeReason).toBe('backpressure');
  });

  it('frames that arrive before anyone listens are kept for the first listener', async () => {
    const [a, b] = createMemoryLinkPair({ a: 'a', b: 'b' });
    a.send(Uint8Array.of(7));
    a.send(Uint8Array.of(8));
    await settle();
    const received: number[] = [];
    b.onFrame((frame) => received.push(frame[0] ?? -1));
    expect(received).toEqual([7, 8]);
  });

  it('unclaimed frames are bounded: too many close the link', async () => {
    const [a, b] = createMemoryLinkPair({ a: 'a', b: 'b' });
    for (let index = 0; index <= MAX_UNCLAIMED_FRAMES; index += 1) a.send(Uint8Array.of(1));
    await settle();
    expect(b.closeReason).toBe('receive buffer overflow: no frame listener');
  });

  it('a frame listener that throws closes the link with the error', async () => {
    const [a, b] = createMemoryLinkPair({ a: 'a', b: 'b' });
    b.onFrame(() => {
      throw new Error('cannot decode');
    });
    a.send(Uint8Array.of(1));
    await settle();
    expect(b.closeReason).toBe('listener failed: cannot decode');
    await settle();
    expect(a.closeReason).toBe('remote: listener failed: cannot decode');
  });
});
