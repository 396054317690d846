import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { deriveRoomKeys, proveJoin, sealSignal, type RoomKeys } from '../../src/transport/room-crypto.js';
import type { SignalingServer } from '../../signaling/server.js';
import type { SignalingLimits } from '../../signaling/limits.js';
import { RawClient, eventually } from './raw-client.js';
import { startTestServer, track } from './test-server.js';

const fast = { iterations: 1_000 };
const LIMITS: Partial<SignalingLimits> = {
  maxMessageBytes: 8 * 1024,
  maxFrameBytes: 32 * 1024,
  messagesPerSecond: 20,
  messageBurst: 40,
  maxDroppedMessagesPerSocket: 100,
  maxPeersPerRoom: 4,
  maxRooms: 5,
  maxConnections: 300,
  maxJoinsPerSocket: 8,
  maxRoomsPerSocket: 2,
};

interface LegitPair {
  readonly keys: RoomKeys;
  readonly alice: RawClient;
  readonly bob: RawClient;
  seq: number;
}

async function legitPair(server: SignalingServer): Promise<LegitPair> {
  const keys = await deriveRoomKeys('legit secret', 'legit-room', fast);
  const alice = track(await RawClient.open(server.url));
  const bob = track(await RawClient.open(server.url));
  expect(await alice.join(keys, 'alice')).toMatchObject({ type: 'joined', founder: true });
  expect(await bob.join(keys, 'bob')).toMatchObject({ type: 'joined', peers: ['alice'] });
  return { keys, alice, bob, seq: 0 };
}

/** The legitimate pair still relays both ways. */
async function expectPairRelays(pair: LegitPair): Promise<void> {
  pair.seq += 1;
  const seq = pair.seq;
  const toBob = await sealSignal(pair.keys, { from: 'alice', to: 'bob' }, { session: 'a', seq, data: { n: seq } });
  const toAlice = await sealSignal(pair.keys, { from: 'bob', to: 'alice' }, { session: 'b', seq, data: { n: seq } });
  pair.alice.send({ type: 'signal', room: 'legit-room', to: 'bob', payload: toBob });
  pair.bob.send({ type: 'signal', room: 'legit-room', to: 'alice', payload: toAlice });
  expect(await pair.bob.nextOfType('signal', (m) => m.type === 'signal' && m.payload === toBob)).toMatchObject({ from: 'alice' });
  expect(await pair.alice.nextOfType('signal', (m) => m.type === 'signal' && m.payload === toAlice)).toMatchObject({ from: 'bob' });
  expect(pair.alice.isOpen && pair.bob.isOpen).toBe(true);
}

async function hostile(server: SignalingServer): Promise<RawClient> {
  return track(await RawClient.open(server.url));
}

describe('hostile clients while a legitimate room keeps working', () => {
  it('malformed JSON closes that socket only (1007); a well-formed unknown message is just refused', async () => {
    const server = await startTestServer({ limits: LIMITS });
    const pair = await legitPair(server);
    const confused = await hostile(server);
    confused.send('{"type":"teleport","room":"r"}');
    expect(await confused.nextOfType('error')).toMatchObject({ code: 'bad-message' });
    expect(confused.isOpen).toBe(true);
    const garbage = await hostile(server);
    garbage.send('this is not json {{{');
    expect(await garbage.nextOfType('error')).toMatchObject({ code: 'bad-message' });
    expect(await garbage.closed).toMatchObject({ code: 1007 });
    await expectPairRelays(pair);
  });

  it('a binary frame closes that socket only (1003)', async () => {
    const server = await startTestServer({ limits: LIMITS });
    const pair = await legitPair(server);
    const binary = await hostile(server);
    binary.socket.send(Buffer.from([0, 1, 2, 3]));
    expect(await binary.nextOfType('error')).toMatchObject({ code: 'binary-frame' });
    expect(await binary.closed).toMatchObject({ code: 1003 });
    await expectPairRelays(pair);
  });

  it('an oversized frame is refused; a huge one closes the socket (1009)', async () => {
    const server = await startTestServer({ limits: LIMITS });
    const pair = await legitPair(server);
    const big = await hostile(server);
    big.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(10 * 1024) }));
    expect(await big.nextOfType('error')).toMatchObject({ code: 'message-too-large' });
    big.send({ type: 'ping' });
    await big.nextOfType('pong');
    const huge = await hostile(server);
    huge.send('x'.repeat(40 * 1024));
    expect(await huge.closed).toMatchObject({ code: 1009 });
    await expectPairRelays(pair);
    expect(server.metrics().rejects['message-too-large']).toBe(1);
  });

  it('a flood beyond the rate limit is dropped, reported, then cut (1008)', async () => {
    const server = await startTestServer({ limits: LIMITS });
    const pair = await legitPair(server);
    const flood = await hostile(server);
    for (let index = 0; index < 400; index += 1) flood.send({ type: 'ping' });
    expect(await flood.nextOfType('error')).toMatchObject({ code: 'rate-limited' });
    expect(flood.frames.some((frame) => frame?.type === 'error' && frame.code === 'busy')).toBe(false);
    expect(await flood.closed).toMatchObject({ code: 1008 });
    // More than maxDroppedMessagesPerSocket were dropped before the cut (how many got through depends on
    // how fast the bucket refilled meanwhile).
    expect(server.metrics().rejects['rate-limited']).toBeGreaterThan(100);
    expect(flood.frames.filter((frame) => frame?.type === 'pong').length).toBeLessThan(300);
    await expectPairRelays(pair);
  });

  it('joins without a challenge, with a forged proof, or too many of them are refused', async () => {
    const server = await startTestServer({ limits: LIMITS });
    const pair = await legitPair(server);
    const intruder = await hostile(server);
    intruder.send({ type: 'prove', room: 'legit-room', proof: 'A'.repeat(42) + 'g' });
    expect(await intruder.nextOfType('error')).toMatchObject({ code: 'no-challenge' });
    for (let attempt = 0; attempt < 8; attempt += 1) {
      intruder.send({ type: 'join', room: 'legit-room', peerId: 'eve' });
      const challenge = await intruder.nextOfType('challenge');
      expect(challenge.founded).toBe(true);
      const guess = await deriveRoomKeys(`guess-${attempt}`, 'legit-room', fast);
      intruder.send({ type: 'prove', room: 'legit-room', proof: await proveJoin(guess, challenge.nonce, 'eve') });
      expect(await intruder.nextOfType('error')).toMatchObject({ code: 'auth-failed' });
    }
    intruder.send({ type: 'join', room: 'legit-room', peerId: 'eve' });
    expect(await intruder.nextOfType('error')).toMatchObject({ code: 'join-limit' });
    // A replayed proof is worthless: every challenge has a fresh nonce.
    const replay = await hostile(server);
    replay.send({ type: 'join', room: 'legit-room', peerId: 'alice' });
    await replay.nextOfType('challenge');
    const stolen = await proveJoin(pair.keys, 'A'.repeat(21) + 'g', 'alice');
    replay.send({ type: 'prove', room: 'legit-room', proof: stolen });
    expect(await replay.nextOfType('error')).toMatchObject({ code: 'auth-failed' });
    expect(server.metrics().peers).toBe(2);
    await expectPairRelays(pair);
  });

  it('frames behind a proof check wait in order, in a bounded queue', async () => {
    const server = await startTestServer({ limits: { ...LIMITS, maxQueuedFramesPerSocket: 4 } });
    const pair = await legitPair(server);
    const eager = await hostile(server);
    eager.send({ type: 'join', room: 'legit-room', peerId: 'eager' });
    const challenge = await eager.nextOfType('challenge');
    // The proof check is asynchronous: frames after it queue behind it (four frames at most, itself included).
    eager.send({ type: 'prove', room: 'legit-room', proof: await proveJoin(pair.keys, challenge.nonce, 'eager') });
    for (let index = 0; index < 8; index += 1) eager.send({ type: 'ping' });
    await eager.nextOfType('joined');
    const busy = await eager.nextOfType('error');
    expect(busy).toMatchObject({ code: 'busy' });
    eager.send({ type: 'ping' });
    await eventually(() => eager.frames.filter((frame) => frame?.type === 'pong').length === 4, 'three queued pings and the later one answered');
    const order = eager.frames.map((frame) => frame?.type).filter((type) => type === 'joined' || type === 'pong');
    expect(order[0]).toBe('joined');
    await expectPairRelays(pair);
  });

  it('a room holds a bounded number of peers', async () => {
    const server = await startTestServer({ limits: LIMITS });
    const pair = await legitPair(server);
    for (const peerId of ['carol', 'dave']) {
      expect(await (await hostile(server)).join(pair.keys, peerId)).toMatchObject({ type: 'joined' });
    }
    expect(await (await hostile(server)).join(pair.keys, 'erin')).toMatchObject({ type: 'error', code: 'room-full' });
    await expectPairRelays(pair);
  });

  it('the server founds a bounded number of rooms, and a socket joins a bounded number', async () => {
    const server = await startTestServer({ limits: LIMITS });
    const pair = await legitPair(server);
    const squatter = await hostile(server);
    let founded = 0;
    for (let index = 0; index < 6; index += 1) {
      const keys = await deriveRoomKeys('squat', `squat-${index}`, fast);
      const reply = await (index % 2 === 0 ? squatter : await hostile(server)).join(keys, 'squatter');
      if (reply.type === 'joined') founded += 1;
      else expect(reply).toMatchObject({ type: 'error', code: index === 4 ? 'socket-room-limit' : 'room-limit' });
    }
    expect(founded).toBe(4); // rooms 0-3; room 4 was a third room for the squatter's socket, room 5 one too many
    expect(server.metrics().foundedRooms).toBe(5);
    await expectPairRelays(pair);
  });

  it('thousands of sockets are held to the connection limit, and the room keeps relaying', async () => {
    const server = await startTestServer({ limits: LIMITS });
    const pair = await legitPair(server);
    const sockets: WebSocket[] = [];
    const outcomes = { admitted: 0, refusedByFrame: 0, refusedByHttp: 0, droppedByTcpLimit: 0 };
    const attempt = (): Promise<void> =>
      new Promise((resolve) => {
        const socket = new WebSocket(server.url);
        sockets.push(socket);
        let settled = false;
        const settle = (outcome: keyof typeof outcomes): void => {
          if (settled) return;
          settled = true;
          outcomes[outcome] += 1;
          resolve();
        };
        socket.on('open', () => socket.send('{"type":"ping"}'));
        socket.on('message', (data) => {
          const text = data.toString();
          if (text.includes('"pong"')) settle('admitted');
          else if (text.includes('"server-full"')) settle('refusedByFrame');
        });
        socket.on('unexpected-response', (_request, response) => {
          expect(response.statusCode).toBe(503);
          settle('refusedByHttp');
          socket.terminate();
        });
        socket.on('error', () => undefined);
        socket.on('close', () => {
          if (!settled) settle('droppedByTcpLimit');
        });
      });
    const total = 2_500;
    try {
      for (let start = 0; start < total; start += 250) {
        await Promise.all(Array.from({ length: 250 }, attempt));
        expect(server.metrics().connections).toBeLessThanOrEqual(300);
      }
      expect(outcomes.admitted).toBe(298); // the legitimate pair holds the other two
      expect(outcomes.admitted + outcomes.refusedByFrame + outcomes.refusedByHttp + outcomes.droppedByTcpLimit).toBe(total);
      expect(server.metrics().rejects['server-full']).toBe(total - 298);
      await expectPairRelays(pair);
    } finally {
      for (const socket of sockets) socket.terminate();
    }
    await eventually(() => server.metrics().connections === 2, 'only the legitimate pair is left');
    await expectPairRelays(pair);
  });

  it('refused sockets that linger, and idle TCP connections, are bounded too', async () => {
    const server = await startTestServer({ limits: { ...LIMITS, maxConnections: 20, closeGraceMs: 30_000 } });
    const pair = await legitPair(server);
    const admitted = await Promise.all(Array.from({ length: 18 }, () => hostile(server)));
    // Refused sockets that do not read their close frame stay open until closeGraceMs...
    const lingering = Array.from({ length: 20 }, () => {
      const socket = new WebSocket(server.url);
      socket.on('open', () => socket.pause());
      socket.on('error', () => undefined);
      return socket;
    });
    await eventually(() => server.metrics().rejects['server-full'] === 20, 'twenty sockets were refused');
    // ...and once as many linger as may be connected, upgrades are refused before the WebSocket opens.
    await expect(RawClient.open(server.url)).rejects.toThrow(/HTTP 503/);
    // TCP connections that never send a request count against a hard cap; beyond it Node drops them.
    const idle: Socket[] = [];
    const dropped = new Promise<void>((resolve) => {
      const openIdle = (): void => {
        const socket = connect(server.port, '127.0.0.1');
        idle.push(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => resolve());
        if (idle.length < 200) socket.on('connect', openIdle);
      };
      openIdle();
    });
    await dropped;
    for (const socket of idle) socket.destroy();
    expect(server.metrics().connections).toBe(20);
    expect(server.metrics().rejects['server-full']).toBeGreaterThanOrEqual(22);
    for (const client of admitted) client.socket.terminate();
    for (const socket of lingering) socket.terminate();
    await expectPairRelays(pair);
  });

  it('a socket that stops reading is cut before its queue grows without bound', async () => {
    const server = await startTestServer({ limits: { maxBufferedBytes: 64 * 1024, messagesPerSecond: 100_000, messageBurst: 100_000 } });
    const pair = await legitPair(server);
    const sender = await hostile(server);
    const stalled = await hostile(server);
    await sender.join(pair.keys, 'sender');
    await stalled.join(pair.keys, 'stalled');
    stalled.socket.pause();
    const payload = 'A'.repeat(40 * 1024);
    let sent = 0;
    while (server.metrics().peers === 4 && sent < 2_000) {
      for (let index = 0; index < 20; index += 1) sender.send({ type: 'signal', room: 'legit-room', to: 'stalled', payload });
      sent += 20;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(await pair.alice.nextOfType('peer-left', (m) => m.type === 'peer-left' && m.peerId === 'stalled')).toBeDefined();
    expect(server.metrics().rejects['backpressure']).toBe(1);
    await expectPairRelays(pair);
  });
});
