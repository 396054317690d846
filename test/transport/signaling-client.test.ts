import { rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { WebSocket } from 'ws';
import { isKeeperError } from '../../src/errors/keeper-error.js';
import { decodeBase64url, encodeBase64url } from '../../src/transport/base64url.js';
import { deriveRoomKeys, sealSignal, type RoomKeys } from '../../src/transport/room-crypto.js';
import { SignalingClient } from '../../src/transport/signaling-client.js';
import type { SignalingClientOptions } from '../../src/transport/signaling-client-options.js';
import type { SignalingClientEvents } from '../../src/transport/signaling-client-events.js';
import type { SignalingSocketConstructor } from '../../src/transport/signaling-socket.js';
import { RawClient } from '../signaling/raw-client.js';
import { freshDataDir, startTestServer, stopTestServer, track } from '../signaling/test-server.js';

const WAIT_MS = 10_000;
const clients = new Set<SignalingClient>();

afterEach(() => {
  for (const client of clients) client.close();
  clients.clear();
});

function makeClient(url: string, room: string, peerId: string, extra: Partial<{ secret: string; keys: RoomKeys; ensembleId: string }> = {}): SignalingClient {
  const common = {
    url,
    WebSocket,
    room,
    peerId,
    ensembleId: extra.ensembleId ?? `ensemble-of-${peerId}`,
    reconnectInitialDelayMs: 20,
    reconnectMaxDelayMs: 200,
  };
  const options: SignalingClientOptions =
    extra.keys === undefined ? { ...common, secret: extra.secret ?? 'shared secret', pbkdf2Iterations: 1_000 } : { ...common, keys: extra.keys };
  const client = new SignalingClient(options);
  clients.add(client);
  return client;
}

/** The next event of that name (matching `predicate`), or a failure naming what never came. */
function nextEvent<K extends keyof SignalingClientEvents>(
  client: SignalingClient,
  name: K,
  predicate: (event: SignalingClientEvents[K]) => boolean = () => true,
): Promise<SignalingClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`${client.peerId}: no ${name} event (state ${client.state})`));
    }, WAIT_MS);
    const off = client.on(name, (event) => {
      if (!predicate(event)) return;
      clearTimeout(timer);
      off();
      resolve(event);
    });
  });
}

async function joinedPair(url: string, room: string, low = 'alice', high = 'bob'): Promise<[SignalingClient, SignalingClient]> {
  const a = makeClient(url, room, low);
  const aJoined = nextEvent(a, 'joined');
  a.start();
  await aJoined;
  const b = makeClient(url, room, high);
  const bJoined = nextEvent(b, 'joined');
  const aSeesB = nextEvent(a, 'peer-joined');
  b.start();
  await Promise.all([bJoined, aSeesB]);
  return [a, b];
}

const offer = {
  type: 'offer',
  sdp: 'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\na=fingerprint:sha-256 8B:0F:3A:2C:5E:91\r\na=ice-ufrag:Xq3g\r\n',
};
const candidate = { type: 'candidate', candidate: { candidate: 'candidate:842163049 1 udp 1677729535 192.0.2.33 40000 typ srflx', sdpMid: '0' } };

describe('signaling client', () => {
  it('takes the browser WebSocket and the ws package WebSocket alike', () => {
    expectTypeOf<typeof globalThis.WebSocket>().toExtend<SignalingSocketConstructor>();
    expectTypeOf<typeof WebSocket>().toExtend<SignalingSocketConstructor>();
    expect(() => makeClient('ws://127.0.0.1:9/', 'room', 'not a peer id')).toThrow(/peerId/);
    expect(() => makeClient('ws://127.0.0.1:9/', '', 'alice')).toThrow(/room/);
  });

  it('the first client founds the room; the second learns its ensemble and both learn the roster', async () => {
    const server = await startTestServer();
    const a = makeClient(server.url, 'room-1', 'alice');
    const aJoined = nextEvent(a, 'joined');
    a.start();
    expect(await aJoined).toEqual({ founder: true, ensembleId: 'ensemble-of-alice', peers: [], rejoin: false, ownProposal: true, ensembleChanged: false });
    const b = makeClient(server.url, 'room-1', 'bob');
    const bJoined = nextEvent(b, 'joined');
    const aSeesB = nextEvent(a, 'peer-joined');
    b.start();
    expect(await bJoined).toEqual({
      founder: false,
      ensembleId: 'ensemble-of-alice',
      peers: ['alice'],
      rejoin: false,
      ownProposal: false,
      ensembleChanged: false,
    });
    expect(await aSeesB).toEqual({ peerId: 'bob' });
    expect(a.peers).toEqual(['bob']);
    expect(b.ensembleId).toBe('ensemble-of-alice');
    const aSeesBLeave = nextEvent(a, 'peer-left');
    b.close();
    expect(await aSeesBLeave).toEqual({ peerId: 'bob' });
    expect(a.peers).toEqual([]);
  });

  it('signals arrive decrypted and in order, and the server only ever sees ciphertext', async () => {
    const frames: string[] = [];
    const server = await startTestServer({ frameTap: (_direction, text) => frames.push(text) });
    const [a, b] = await joinedPair(server.url, 'room-cipher');
    const received: unknown[] = [];
    const allThree = new Promise<void>((resolve) =>
      b.on('signal', (signal) => {
        received.push(signal.data);
        if (received.length === 3) resolve();
      }),
    );
    const sends = [a.sendSignal('bob', offer), a.sendSignal('bob', candidate), a.sendSignal('bob', { type: 'candidate', candidate: { candidate: '' } })];
    await Promise.all(sends);
    await allThree;
    expect(received).toEqual([offer, candidate, { type: 'candidate', candidate: { candidate: '' } }]);

    const relayed = frames.filter((text) => text.includes('"signal"'));
    expect(relayed.length).toBe(6); // three in, three out
    for (const text of frames) {
      for (const plaintext of ['v=0', 'fingerprint', '8B:0F:3A', 'ice-ufrag', '192.0.2.33', 'candidate:', 'srflx', 'shared secret', 'offer']) {
        expect(text, `frame ${text.slice(0, 60)} leaks ${plaintext}`).not.toContain(plaintext);
      }
    }
  });

  it('the receiver rejects tampered, misrouted and replayed ciphertext', async () => {
    const server = await startTestServer();
    const keys = await deriveRoomKeys('shared secret', 'room-tamper', { iterations: 1_000 });
    const bob = makeClient(server.url, 'room-tamper', 'bob', { keys });
    const bobJoined = nextEvent(bob, 'joined');
    bob.start();
    await bobJoined;
    // mallory knows the secret and speaks the wire directly, playing a malicious relay.
    const mallory = track(await RawClient.open(server.url));
    await mallory.join(keys, 'mallory');
    const send = (payload: string): void => mallory.send({ type: 'signal', room: 'room-tamper', to: 'bob', payload });
    const good = await sealSignal(keys, { from: 'mallory', to: 'bob' }, { session: 'm', seq: 1, data: { type: 'offer', sdp: 'x' } });

    const bytes = decodeBase64url(good) as Uint8Array;
    bytes[bytes.length - 5] = (bytes[bytes.length - 5] as number) ^ 0x80;
    const rejectedTampered = nextEvent(bob, 'signal-rejected');
    send(encodeBase64url(bytes));
    expect(await rejectedTampered).toEqual({ from: 'mallory', reason: 'tampered' });

    const forCarol = await sealSignal(keys, { from: 'mallory', to: 'carol' }, { session: 'm', seq: 2, data: {} });
    const rejectedMisrouted = nextEvent(bob, 'signal-rejected');
    send(forCarol);
    expect(await rejectedMisrouted).toEqual({ from: 'mallory', reason: 'tampered' });

    const accepted = nextEvent(bob, 'signal');
    send(good);
    expect(await accepted).toMatchObject({ from: 'mallory', data: { type: 'offer', sdp: 'x' }, action: 'accept' });
    const rejectedReplay = nextEvent(bob, 'signal-rejected');
    send(good);
    expect(await rejectedReplay).toEqual({ from: 'mallory', reason: 'replayed' });

    const otherSecret = await deriveRoomKeys('another secret', 'room-tamper', { iterations: 1_000 });
    const rejectedForeign = nextEvent(bob, 'signal-rejected');
    send(await sealSignal(otherSecret, { from: 'mallory', to: 'bob' }, { session: 'm', seq: 3, data: {} }));
    expect(await rejectedForeign).toEqual({ from: 'mallory', reason: 'tampered' });
  });

  it('crossing offers: the lower peer id wins, the higher rolls back, and the pair negotiates once', async () => {
    const server = await startTestServer();
    const [low, high] = await joinedPair(server.url, 'room-glare', 'peer-a', 'peer-b');
    expect(low.isInitiator('peer-b')).toBe(true);
    expect(high.isInitiator('peer-a')).toBe(false);
    const lowIgnores = nextEvent(low, 'signal-ignored');
    const highRollsBack = nextEvent(high, 'signal');
    await Promise.all([low.sendSignal('peer-b', { type: 'offer', sdp: 'from-a' }), high.sendSignal('peer-a', { type: 'offer', sdp: 'from-b' })]);
    expect(await lowIgnores).toMatchObject({ from: 'peer-b', data: { sdp: 'from-b' } });
    expect(await highRollsBack).toMatchObject({ from: 'peer-a', data: { sdp: 'from-a' }, action: 'rollback' });
    // The candidate of high's abandoned offer is dropped too; high's answer then goes through.
    const lowDropsCandidate = nextEvent(low, 'signal-ignored');
    const lowGetsAnswer = nextEvent(low, 'signal');
    await high.sendSignal('peer-a', candidate);
    await high.sendSignal('peer-a', { type: 'answer', sdp: 'answer-b' });
    expect(await lowDropsCandidate).toMatchObject({ data: candidate });
    expect(await lowGetsAnswer).toMatchObject({ data: { type: 'answer', sdp: 'answer-b' }, action: 'accept' });
  });

  it('a wrong secret fails for good and never joins', async () => {
    const server = await startTestServer();
    await joinedPair(server.url, 'room-locked');
    const eve = makeClient(server.url, 'room-locked', 'eve', { secret: 'wrong guess' });
    let joined = false;
    eve.on('joined', () => {
      joined = true;
    });
    const failure = nextEvent(eve, 'error', (event) => event.fatal);
    eve.start();
    expect(await failure).toMatchObject({ code: 'auth-failed', fatal: true });
    expect(eve.state).toBe('failed');
    expect(joined).toBe(false);
    expect(eve.peers).toEqual([]);
    expect(eve.ensembleId).toBeUndefined();
  });

  it('sending while not joined is a connection loss', async () => {
    const server = await startTestServer();
    const a = makeClient(server.url, 'room-early', 'alice');
    const error = await a.sendSignal('bob', offer).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isKeeperError(error, 'CONNECTIONLOSS')).toBe(true);
  });

  it('after a signaling server restart the clients reconnect, rejoin the same ensemble, and relay again', async () => {
    const dataDir = await freshDataDir();
    const first = await startTestServer({ dataDir });
    const [a, b] = await joinedPair(first.url, 'room-restart');
    const aRejoined = nextEvent(a, 'joined');
    const bRejoined = nextEvent(b, 'joined');
    await stopTestServer(first);
    const second = await startTestServer({ dataDir, port: first.port });
    expect(await aRejoined).toMatchObject({ rejoin: true, founder: false, ensembleId: 'ensemble-of-alice', ensembleChanged: false });
    expect(await bRejoined).toMatchObject({ rejoin: true, founder: false, ensembleId: 'ensemble-of-alice', ensembleChanged: false });
    expect(second.metrics()).toMatchObject({ peers: 2, foundings: 0 });
    const received = nextEvent(b, 'signal');
    await a.sendSignal('bob', offer);
    expect(await received).toMatchObject({ from: 'alice', data: offer });
  });

  it('a lost founding record is rewritten by the first member to rejoin, with the ensemble it knows', async () => {
    const dataDir = await freshDataDir();
    const first = await startTestServer({ dataDir });
    const [a, b] = await joinedPair(first.url, 'room-lost');
    const aRejoined = nextEvent(a, 'joined');
    const bRejoined = nextEvent(b, 'joined');
    await stopTestServer(first);
    await rm(join(dataDir, 'rooms.json'));
    await startTestServer({ dataDir, port: first.port });
    const rejoins = await Promise.all([aRejoined, bRejoined]);
    expect(rejoins.map((event) => event.ensembleId)).toEqual(['ensemble-of-alice', 'ensemble-of-alice']);
    expect(rejoins.filter((event) => event.founder)).toHaveLength(1);
    expect(rejoins.every((event) => !event.ensembleChanged)).toBe(true);
  });

  it('a lost record re-founded first by a newcomer shows members that the ensemble changed', async () => {
    const dataDir = await freshDataDir();
    const first = await startTestServer({ dataDir });
    const [a] = await joinedPair(first.url, 'room-split');
    await stopTestServer(first);
    await rm(join(dataDir, 'rooms.json'));
    // A newcomer with empty storage reaches the server (on another address) before alice is back.
    const elsewhere = await startTestServer({ dataDir });
    const newcomer = makeClient(elsewhere.url, 'room-split', 'newcomer');
    const newcomerJoined = nextEvent(newcomer, 'joined');
    newcomer.start();
    expect(await newcomerJoined).toMatchObject({ founder: true, ensembleId: 'ensemble-of-newcomer' });
    newcomer.close();
    await stopTestServer(elsewhere);
    const aRejoined = nextEvent(a, 'joined');
    await startTestServer({ dataDir, port: first.port });
    expect(await aRejoined).toMatchObject({ rejoin: true, ensembleId: 'ensemble-of-newcomer', ensembleChanged: true, ownProposal: false });
  });

  it('a client closed while its socket is still connecting throws nothing (Node\'s ws reports that close as an error event)', async () => {
    // A server that accepts TCP and never answers the WebSocket handshake: the socket stays connecting.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const accepted = new Promise<void>((resolve) => silent.once('connection', () => resolve()));
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const client = makeClient(`ws://127.0.0.1:${(silent.address() as AddressInfo).port}/`, 'room-silent', 'alice');
      client.start();
      await accepted;
      expect(client.state).toBe('connecting');
      client.close();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(uncaught.map(String)).toEqual([]);
      expect(client.state).toBe('closed');
    } finally {
      process.off('uncaughtException', onUncaught);
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('a client started while the server is down keeps retrying and joins once it is up', async () => {
    const probe = await startTestServer();
    const port = probe.port;
    await stopTestServer(probe);
    const a = makeClient(`ws://127.0.0.1:${port}/`, 'room-later', 'alice');
    const waiting = nextEvent(a, 'state', (state) => state === 'waiting');
    const joined = nextEvent(a, 'joined');
    a.start();
    await waiting;
    await startTestServer({ port });
    expect(await joined).toMatchObject({ founder: true, rejoin: false });
  });
});
