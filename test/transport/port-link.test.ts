import { describe, expect, it } from 'vitest';
import type { Link } from '../../src/transport/link.js';
import { pipeLinks } from '../../src/transport/link-pipe.js';
import { createMemoryLinkPair } from '../../src/transport/memory-link.js';
import { packFrames, unpackFrames } from '../../src/transport/frame-batch.js';
import { createPortLink } from '../../src/transport/port-link.js';
import { patternBytes, sameBytes } from './bytes.js';

// Node's MessageChannel stands where the browser's does between a window and its worker.

function nextEvent<T>(subscribe: (listener: (value: T) => void) => void): Promise<T> {
  return new Promise((resolve) => subscribe(resolve));
}

function portPair(options: { maxFrameBytes?: number } = {}) {
  const { port1, port2 } = new MessageChannel();
  const window = createPortLink(port1, { peer: 'b', id: 'ab', ...options });
  const worker = createPortLink(port2, { peer: 'b', id: 'ab', ...options });
  return { window, worker, port1, port2 };
}

function framesOf(link: Link, count: number): Promise<Uint8Array[]> {
  const frames: Uint8Array[] = [];
  return new Promise((resolve) =>
    link.onFrame((frame) => {
      frames.push(frame);
      if (frames.length === count) resolve(frames);
    }),
  );
}

describe('port link', () => {
  it('frames travel both ways in order', async () => {
    const { window, worker } = portPair();
    const atWorker = framesOf(worker, 3);
    const atWindow = framesOf(window, 1);
    window.send(patternBytes(10, 1));
    window.send(patternBytes(0, 2));
    window.send(patternBytes(100_000, 3));
    worker.send(patternBytes(5, 4));
    const received = await atWorker;
    expect(received.map((frame, index) => sameBytes(frame, patternBytes([10, 0, 100_000][index] ?? -1, index + 1)))).toEqual([true, true, true]);
    expect(sameBytes((await atWindow)[0] as Uint8Array, patternBytes(5, 4))).toBe(true);
    window.close();
  });

  it('a frame sent alone and spanning its whole buffer is transferred, not copied', async () => {
    const { window, worker } = portPair();
    const arrived = framesOf(worker, 1);
    const frame = patternBytes(1000);
    window.send(frame);
    expect((await arrived)[0]?.byteLength).toBe(1000);
    expect(frame.byteLength).toBe(0); // detached: the buffer moved to the other side
    window.close();
  });

  it('the frames sent in one microtask travel as one message, in order', async () => {
    const { port1, port2 } = new MessageChannel();
    const window = createPortLink(port1, { peer: 'b', id: 'ab' });
    const messages: unknown[] = [];
    const twoMessages = new Promise<void>((resolve) =>
      port2.addEventListener('message', (event) => {
        messages.push(event.data);
        if (messages.length === 2) resolve();
      }),
    );
    port2.start();
    window.send(patternBytes(10, 1));
    window.send(patternBytes(0, 2));
    window.send(patternBytes(300, 3));
    await Promise.resolve();
    window.send(patternBytes(7, 4));
    await twoMessages;
    const [batch, alone] = messages as { t: string; data: ArrayBuffer }[];
    expect(batch?.t).toBe('frames');
    const frames = unpackFrames(new Uint8Array(batch?.data as ArrayBuffer), 1000, 10) as Uint8Array[];
    expect(frames.map((frame, index) => sameBytes(frame, patternBytes([10, 0, 300][index] ?? -1, index + 1)))).toEqual([true, true, true]);
    expect(alone?.t).toBe('frame');
    expect(sameBytes(new Uint8Array(alone?.data as ArrayBuffer), patternBytes(7, 4))).toBe(true);
    window.close();
    port2.close();
  });

  it('the frames sent before a close arrive before the close', async () => {
    const { window, worker } = portPair();
    const received: number[] = [];
    worker.onFrame((frame) => received.push(frame.byteLength));
    const closed = nextEvent<string>((listener) => worker.onClose(listener));
    window.send(patternBytes(3));
    window.send(patternBytes(4));
    window.close('done');
    expect(await closed).toBe('done');
    expect(received).toEqual([3, 4]);
  });

  it('a view onto a larger buffer is copied and left intact', async () => {
    const { window, worker } = portPair();
    const arrived = framesOf(worker, 1);
    const backing = patternBytes(1000);
    const view = backing.subarray(100, 200);
    window.send(view);
    expect(view.byteLength).toBe(100);
    const [received] = await arrived;
    expect(received?.byteLength).toBe(100);
    expect(received?.buffer.byteLength).toBe(100);
    expect(sameBytes(received as Uint8Array, backing.subarray(100, 200))).toBe(true);
    window.close();
  });

  it('the close reason crosses the port verbatim', async () => {
    const { window, worker } = portPair();
    const closed = nextEvent<string>((listener) => worker.onClose(listener));
    window.close('backpressure');
    expect(await closed).toBe('backpressure');
  });

  it('a malformed message closes the link and says why', async () => {
    const { port1, port2 } = new MessageChannel();
    const worker = createPortLink(port2, { peer: 'b', id: 'ab' });
    const closed = nextEvent<string>((listener) => worker.onClose(listener));
    const answer = new Promise<unknown>((resolve) => port1.addEventListener('message', (event) => resolve(event.data)));
    port1.start();
    port1.postMessage({ t: 'frame', data: 'text' });
    expect(await closed).toBe('malformed port message: frame data is not an ArrayBuffer');
    expect(await answer).toEqual({ t: 'close', reason: 'malformed port message: frame data is not an ArrayBuffer' });
    port1.close();
  });

  it('an unknown message type closes the link', async () => {
    const { port1, port2 } = new MessageChannel();
    const worker = createPortLink(port2, { peer: 'b', id: 'ab' });
    const closed = nextEvent<string>((listener) => worker.onClose(listener));
    port1.postMessage({ t: 'hello' });
    expect(await closed).toBe('malformed port message: unknown type "hello"');
    port1.close();
  });

  it('a frame batch that ends inside a frame closes the link', async () => {
    const { port1, port2 } = new MessageChannel();
    const worker = createPortLink(port2, { peer: 'b', id: 'ab' });
    const closed = nextEvent<string>((listener) => worker.onClose(listener));
    const bad = packFrames([patternBytes(10), patternBytes(10)]).slice(0, 20);
    port1.postMessage({ t: 'frames', data: bad.buffer });
    expect(await closed).toBe('malformed port message: a frame batch ends inside a frame');
    port1.close();
  });

  it('a frame above the limit inside a batch closes the link', async () => {
    const { port1, port2 } = new MessageChannel();
    const worker = createPortLink(port2, { peer: 'b', id: 'ab', maxFrameBytes: 10 });
    const closed = nextEvent<string>((listener) => worker.onClose(listener));
    port1.postMessage({ t: 'frames', data: packFrames([patternBytes(5), patternBytes(11)]).buffer });
    expect(await closed).toBe('malformed port message: oversized frame: 11 bytes exceeds the limit of 10');
    port1.close();
  });

  it('a frame above the limit closes the link', async () => {
    const { port1, port2 } = new MessageChannel();
    const worker = createPortLink(port2, { peer: 'b', id: 'ab', maxFrameBytes: 10 });
    const closed = nextEvent<string>((listener) => worker.onClose(listener));
    port1.postMessage({ t: 'frame', data: new ArrayBuffer(11) });
    expect(await closed).toBe('oversized frame: 11 bytes exceeds the limit of 10');
    port1.close();
  });
});

describe('link pipe', () => {
  it('bridges a peer link to a worker port: frames end to end, both ways', async () => {
    const [peerSide, windowSide] = createMemoryLinkPair({ a: 'b', b: 'a', id: 'ab' });
    const { port1, port2 } = new MessageChannel();
    const windowPort = createPortLink(port1, { peer: 'b', id: 'ab' });
    const worker = createPortLink(port2, { peer: 'b', id: 'ab' });
    pipeLinks(windowSide, windowPort);
    const atWorker = framesOf(worker, 2);
    const atPeer = framesOf(peerSide, 1);
    peerSide.send(patternBytes(10, 1));
    peerSide.send(patternBytes(20, 2));
    worker.send(patternBytes(30, 3));
    const received = await atWorker;
    expect(sameBytes(received[0] as Uint8Array, patternBytes(10, 1)) && sameBytes(received[1] as Uint8Array, patternBytes(20, 2))).toBe(true);
    expect(sameBytes((await atPeer)[0] as Uint8Array, patternBytes(30, 3))).toBe(true);
    worker.close();
  });

  it('the peer closing reaches the worker with its reason, and the worker closing reaches the peer', async () => {
    const [peerSide, windowSide] = createMemoryLinkPair({ a: 'b', b: 'a', id: 'ab' });
    const { port1, port2 } = new MessageChannel();
    const windowPort = createPortLink(port1, { peer: 'b', id: 'ab' });
    const worker = createPortLink(port2, { peer: 'b', id: 'ab' });
    pipeLinks(windowSide, windowPort);
    const closed = nextEvent<string>((listener) => worker.onClose(listener));
    peerSide.close('duplicate');
    expect(await closed).toBe('remote: duplicate');

    const [peer2, window2] = createMemoryLinkPair({ a: 'c', b: 'a', id: 'ac' });
    const channel = new MessageChannel();
    const windowPort2 = createPortLink(channel.port1, { peer: 'c', id: 'ac' });
    const worker2 = createPortLink(channel.port2, { peer: 'c', id: 'ac' });
    pipeLinks(window2, windowPort2);
    const peerClosed = nextEvent<string>((listener) => peer2.onClose(listener));
    worker2.close('unwanted');
    expect(await peerClosed).toBe('remote: unwanted');
  });

  it('piping a closed link closes the other', () => {
    const [a] = createMemoryLinkPair({ a: 'a', b: 'b' });
    const [c] = createMemoryLinkPair({ a: 'a', b: 'c' });
    a.close('gone');
    pipeLinks(a, c);
    expect(c.closeReason).toBe('gone');
  });
});
