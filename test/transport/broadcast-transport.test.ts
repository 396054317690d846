import { afterEach, describe, expect, it, vi } from 'vitest';
import { announceDeparture, createBroadcastTransport, type BroadcastTransport, type BroadcastTransportOptions } from '../../src/transport/broadcast-transport.js';
import { pairChannelName, roomChannelName, type BroadcastChannelLike, type OpenBroadcastChannel } from '../../src/transport/broadcast-protocol.js';
import type { Link } from '../../src/transport/link.js';
import { patternBytes, sameBytes } from './bytes.js';

// Two (or more) transports in one process talk over Node's real BroadcastChannel, as tabs do.

let roomCounter = 0;
const transports: BroadcastTransport[] = [];
const extraChannels: BroadcastChannel[] = [];

afterEach(() => {
  vi.useRealTimers();
  for (const transport of transports.splice(0)) transport.close();
  for (const channel of extraChannels.splice(0)) channel.close();
});

function newRoom(): string {
  roomCounter += 1;
  return `test-${process.pid}-${roomCounter}`;
}

function start(room: string, self: string, options: Partial<BroadcastTransportOptions> = {}): BroadcastTransport {
  const transport = createBroadcastTransport({ room, self, ...options });
  transports.push(transport);
  return transport;
}

function nextLink(transport: BroadcastTransport): Promise<Link> {
  return new Promise((resolve) => {
    const unsubscribe = transport.onLink((link) => {
      unsubscribe();
      resolve(link);
    });
  });
}

function closed(link: Link): Promise<string> {
  return new Promise((resolve) => link.onClose(resolve));
}

function presentAt(transport: BroadcastTransport, peer: string): Promise<void> {
  if (transport.present().includes(peer)) return Promise.resolve();
  return new Promise((resolve) => {
    const unsubscribe = transport.onPresence((who, present) => {
      if (who === peer && present) {
        unsubscribe();
        resolve();
      }
    });
  });
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

/** Lets BroadcastChannel deliveries run (they need turns of the real event loop). */
const flush = () => new Promise((resolve) => setTimeout(resolve, 5));

async function linked(room: string, options: Partial<BroadcastTransportOptions> = {}, optionsB: Partial<BroadcastTransportOptions> = {}) {
  const a = start(room, 'a', options);
  const b = start(room, 'b', optionsB);
  const links = Promise.all([nextLink(a), nextLink(b)]);
  a.setWanted(['b']);
  const [atA, atB] = await links;
  return { a, b, atA, atB };
}

/** A channel factory whose channels can all go silent at once, as a crashed or frozen tab's do. */
function severable(): { open: OpenBroadcastChannel; sever: () => void } {
  let severed = false;
  const open: OpenBroadcastChannel = (name) => {
    const channel = new BroadcastChannel(name);
    const wrapped = new Map<(event: MessageEvent) => void, (event: MessageEvent) => void>();
    const like: BroadcastChannelLike = {
      postMessage: (message) => {
        if (!severed) channel.postMessage(message);
      },
      addEventListener: (type, listener) => {
        const guarded = (event: MessageEvent) => {
          if (!severed) listener(event);
        };
        wrapped.set(listener, guarded);
        channel.addEventListener(type, guarded);
      },
      removeEventListener: (type, listener) => {
        const guarded = wrapped.get(listener);
        if (guarded) channel.removeEventListener(type, guarded);
      },
      close: () => channel.close(),
    };
    return like;
  };
  return { open, sever: () => (severed = true) };
}

describe('BroadcastChannel transport', () => {
  it('tabs in one room find each other and open a link when one wants it', async () => {
    const room = newRoom();
    const { a, b, atA, atB } = await linked(room);
    expect([atA.peer, atB.peer, atA.kind, atB.kind]).toEqual(['b', 'a', 'broadcast', 'broadcast']);
    expect(atA.id).toBe(atB.id);
    expect(atA.id.startsWith(`a~${a.instance}~`)).toBe(true);
    expect(a.present()).toEqual(['b']);
    expect(b.present()).toEqual(['a']);
    expect(a.links()).toEqual([atA]);
  });

  it('frames travel both ways in order, up to the frame limit', async () => {
    const { atA, atB } = await linked(newRoom());
    const atBFrames = framesOf(atB, 3);
    const atAFrames = framesOf(atA, 1);
    atA.send(patternBytes(1, 1));
    atA.send(patternBytes(1024 * 1024, 2));
    atA.send(patternBytes(0, 3));
    atB.send(patternBytes(300, 4));
    const received = await atBFrames;
    expect([sameBytes(received[0] as Uint8Array, patternBytes(1, 1)), sameBytes(received[1] as Uint8Array, patternBytes(1024 * 1024, 2)), received[2]?.byteLength]).toEqual([true, true, 0]);
    expect(sameBytes((await atAFrames)[0] as Uint8Array, patternBytes(300, 4))).toBe(true);
  });

  it('the frames sent in one microtask travel as one message on the pair channel, in order', async () => {
    const room = newRoom();
    const { atA, atB } = await linked(room);
    const observer = new BroadcastChannel(pairChannelName(room, atA.id));
    extraChannels.push(observer);
    const seen: string[] = [];
    observer.addEventListener('message', (event) => seen.push((event.data as { t: string }).t));
    const arrived = framesOf(atB, 4);
    atA.send(patternBytes(5, 1));
    atA.send(patternBytes(0, 2));
    atA.send(patternBytes(70_000, 3));
    atA.send(patternBytes(9, 4));
    const received = await arrived;
    expect(received.map((frame, i) => sameBytes(frame, patternBytes([5, 0, 70_000, 9][i] ?? -1, i + 1)))).toEqual([true, true, true, true]);
    for (let i = 0; i < 100 && seen.length < 3; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    // Two small ones together, the large one alone (after them), the last small one alone.
    expect(seen).toEqual(['frames', 'frame', 'frame']);
  });

  it('a batch holding a frame above the receiver limit closes the link at both ends', async () => {
    const { atA, atB } = await linked(newRoom(), {}, { maxFrameBytes: 1000 });
    const reasons = Promise.all([closed(atA), closed(atB)]);
    atA.send(patternBytes(10));
    atA.send(patternBytes(1001));
    expect(await reasons).toEqual(['remote: oversized frame: 1001 bytes exceeds the limit of 1000', 'oversized frame: 1001 bytes exceeds the limit of 1000']);
  });

  it('a view onto a larger buffer is sent as its own bytes only', async () => {
    const { atA, atB } = await linked(newRoom());
    const arrived = framesOf(atB, 1);
    atA.send(patternBytes(100_000).subarray(10, 20));
    const [frame] = await arrived;
    expect(frame?.buffer.byteLength).toBe(10);
  });

  it('a tab closing says bye and its links close at once', async () => {
    const { a, b, atA } = await linked(newRoom());
    const reason = closed(atA);
    const gone = new Promise<string>((resolve) => a.onPresence((peer, present) => !present && resolve(peer)));
    b.close();
    expect(await reason).toBe('remote: transport closed');
    expect(await gone).toBe('b');
    expect(a.present()).toEqual([]);
  });

  it("the window's departure notice (pagehide) closes the worker's links with bye", async () => {
    const room = newRoom();
    const { b, atA } = await linked(room);
    const reason = closed(atA);
    announceDeparture(room, 'b', b.instance);
    expect(await reason).toBe('bye');
  });

  it('a departure notice from an older instance of the tab is ignored', async () => {
    const room = newRoom();
    const { a, atA } = await linked(room);
    announceDeparture(room, 'b', 'an-older-instance');
    await flush();
    expect(atA.closed).toBe(false);
    expect(a.present()).toEqual(['b']);
  });

  it('an idle link stays up on heartbeats; a silent tab times out', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const room = newRoom();
    const silentB = severable();
    const timings = { heartbeatIntervalMs: 1000, peerTimeoutMs: 4000 };
    const { atA } = await linked(room, timings, { ...timings, openChannel: silentB.open });
    for (let beat = 0; beat < 20; beat += 1) {
      vi.advanceTimersByTime(1000);
      await flush();
    }
    expect(atA.closed).toBe(false);
    silentB.sever();
    for (let beat = 0; beat < 4; beat += 1) {
      vi.advanceTimersByTime(1000);
      await flush();
    }
    expect(atA.closed).toBe(false);
    vi.advanceTimersByTime(1000);
    expect(atA.closeReason).toBe('timeout');
  });

  it('when both tabs ask at once, one link results, the same at both ends', async () => {
    const room = newRoom();
    const a = start(room, 'a');
    const b = start(room, 'b');
    await Promise.all([presentAt(a, 'b'), presentAt(b, 'a')]);
    const seenA: Link[] = [];
    const seenB: Link[] = [];
    a.onLink((link) => seenA.push(link));
    b.onLink((link) => seenB.push(link));
    a.setWanted(['b']);
    b.setWanted(['a']);
    for (let turn = 0; turn < 10 && (a.links().length === 0 || b.links().length === 0); turn += 1) await flush();
    await flush();
    expect(seenA).toHaveLength(1);
    expect(seenB).toHaveLength(1);
    expect(seenA[0]?.id).toBe(seenB[0]?.id);
    expect(seenA[0]?.id.startsWith('a~')).toBe(true);
    expect([seenA[0]?.closed, seenB[0]?.closed]).toEqual([false, false]);
  });

  it('a reloaded tab (same replica id, new instance) replaces the old link', async () => {
    const room = newRoom();
    const crashedB = severable();
    const { a, atA } = await linked(room, {}, { openChannel: crashedB.open });
    crashedB.sever();
    const oldReason = closed(atA);
    const replacement = nextLink(a);
    const b2 = start(room, 'b');
    expect(await oldReason).toBe('peer restarted');
    const fresh = await replacement;
    expect(fresh.peer).toBe('b');
    const atB2 = b2.links()[0] ?? (await nextLink(b2));
    const arrived = framesOf(atB2, 1);
    fresh.send(Uint8Array.of(42));
    expect((await arrived)[0]).toEqual(Uint8Array.of(42));
  });

  it('a malformed message on the pair channel closes the link with the reason', async () => {
    const room = newRoom();
    const { atA, atB } = await linked(room);
    const intruder = new BroadcastChannel(pairChannelName(room, atA.id));
    extraChannels.push(intruder);
    const reasons = Promise.all([closed(atA), closed(atB)]);
    intruder.postMessage({ t: 'frame', from: 'b', seq: 'one', data: new Uint8Array(1) });
    expect(await reasons).toEqual(['malformed link message: frame without a sequence number', 'malformed link message: frame without a sequence number']);
  });

  it('a message out of sequence closes the link', async () => {
    const room = newRoom();
    const { atA } = await linked(room);
    const intruder = new BroadcastChannel(pairChannelName(room, atA.id));
    extraChannels.push(intruder);
    const reason = closed(atA);
    intruder.postMessage({ t: 'frame', from: 'b', seq: 1000, data: new Uint8Array(1) });
    expect(await reason).toMatch(/^sequence gap: expected message \d+, got 1000$/);
  });

  it('a frame above the receiver limit closes the link at both ends', async () => {
    const { atA, atB } = await linked(newRoom(), {}, { maxFrameBytes: 1000 });
    const reasons = Promise.all([closed(atA), closed(atB)]);
    atA.send(patternBytes(2000));
    expect(await reasons).toEqual(['remote: oversized frame: 2000 bytes exceeds the limit of 1000', 'oversized frame: 2000 bytes exceeds the limit of 1000']);
  });

  it('room messages of other shapes or versions are ignored', async () => {
    const room = newRoom();
    const stranger = new BroadcastChannel(roomChannelName(room));
    extraChannels.push(stranger);
    const a = start(room, 'a');
    stranger.postMessage('hello');
    stranger.postMessage({ v: 2, t: 'hello', from: 'z', instance: 'i', wantsReply: true });
    stranger.postMessage({ v: 1, t: 'open', from: 'z', instance: 'i', to: 'a' });
    stranger.postMessage({ v: 1, t: 'hello', from: 'x'.repeat(1000), instance: 'i', wantsReply: false });
    await flush();
    expect(a.present()).toEqual([]);
    const b = start(room, 'b');
    const link = nextLink(b);
    a.setWanted(['b']);
    expect((await link).peer).toBe('a');
  });

  it('links are bounded: a request beyond maxLinks is refused', async () => {
    const room = newRoom();
    const hub = start(room, 'h', { maxLinks: 1 });
    const x = start(room, 'x');
    const y = start(room, 'y');
    await Promise.all([presentAt(x, 'h'), presentAt(y, 'h')]);
    const first = Promise.race([nextLink(x), nextLink(y)]);
    x.setWanted(['h']);
    y.setWanted(['h']);
    await first;
    for (let turn = 0; turn < 4; turn += 1) await flush();
    expect(hub.links()).toHaveLength(1);
    expect(x.links().length + y.links().length).toBe(1);
  });

  it('a link to a peer no longer wanted closes', async () => {
    const { a, atA, atB } = await linked(newRoom());
    const reason = closed(atB);
    a.setWanted([]);
    expect(atA.closeReason).toBe('unwanted');
    expect(await reason).toBe('remote: unwanted');
  });

  it('a link the peer asked for stays when this side stops wanting it (the topology is symmetric)', async () => {
    const { b, atB } = await linked(newRoom());
    b.setWanted([]);
    await flush();
    expect(atB.closed).toBe(false);
  });

  it('a tab that does not accept the peer gives it no link', async () => {
    const room = newRoom();
    const a = start(room, 'a');
    const b = start(room, 'b', { acceptLink: () => false });
    await presentAt(a, 'b');
    const seen: Link[] = [];
    a.onLink((link) => seen.push(link));
    b.onLink((link) => seen.push(link));
    a.setWanted(['b']);
    for (let turn = 0; turn < 4; turn += 1) await flush();
    expect(seen).toEqual([]);
  });
});
