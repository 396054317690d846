import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deriveRoomKeys, openSignal, sealSignal, type RoomKeys } from '../../src/transport/room-crypto.js';
import { RawClient, eventually } from './raw-client.js';
import { freshDataDir, startTestServer, stopTestServer, track } from './test-server.js';

const fast = { iterations: 1_000 };

async function open(url: string): Promise<RawClient> {
  return track(await RawClient.open(url));
}

async function keysFor(room: string, secret = 'the room secret'): Promise<RoomKeys> {
  return deriveRoomKeys(secret, room, fast);
}

describe('signaling protocol over a real server', () => {
  it('the first joiner founds the room; the next learns the ensemble and the roster', async () => {
    const server = await startTestServer();
    const keys = await keysFor('room-a');
    const alice = await open(server.url);
    const bob = await open(server.url);
    expect(await alice.join(keys, 'alice', 'ensemble-alice')).toEqual({
      type: 'joined',
      room: 'room-a',
      peerId: 'alice',
      founder: true,
      ensembleId: 'ensemble-alice',
      peers: [],
    });
    expect(await bob.join(keys, 'bob', 'ensemble-bob')).toEqual({
      type: 'joined',
      room: 'room-a',
      peerId: 'bob',
      founder: false,
      ensembleId: 'ensemble-alice',
      peers: ['alice'],
    });
    expect(await alice.nextOfType('peer-joined')).toEqual({ type: 'peer-joined', room: 'room-a', peerId: 'bob' });
  });

  it('relays a sealed signal to the named peer only, stamped with the sender', async () => {
    const server = await startTestServer();
    const keys = await keysFor('room-relay');
    const [alice, bob, carol] = await Promise.all([open(server.url), open(server.url), open(server.url)]);
    await alice.join(keys, 'alice');
    await bob.join(keys, 'bob');
    await carol.join(keys, 'carol');
    const payload = await sealSignal(keys, { from: 'alice', to: 'bob' }, { session: 's', seq: 0, data: { type: 'offer', sdp: 'x' } });
    alice.send({ type: 'signal', room: 'room-relay', to: 'bob', payload });
    const relayed = await bob.nextOfType('signal');
    expect(relayed).toEqual({ type: 'signal', room: 'room-relay', from: 'alice', payload });
    expect(await openSignal(keys, { from: relayed.from, to: 'bob' }, relayed.payload)).toMatchObject({ data: { type: 'offer', sdp: 'x' } });
    // carol got nothing of it
    alice.send({ type: 'ping' });
    await alice.nextOfType('pong');
    carol.send({ type: 'ping' });
    await carol.nextOfType('pong');
    expect(carol.frames.some((frame) => frame?.type === 'signal')).toBe(false);
    expect(server.metrics().messagesRelayed).toBe(1);
  });

  it('a signal to a peer not in the room, or from a socket not in it, is refused', async () => {
    const server = await startTestServer();
    const keys = await keysFor('room-x');
    const alice = await open(server.url);
    const outsider = await open(server.url);
    await alice.join(keys, 'alice');
    alice.send({ type: 'signal', room: 'room-x', to: 'nobody', payload: 'AAAA' });
    expect(await alice.nextOfType('error')).toMatchObject({ code: 'unknown-peer', room: 'room-x' });
    outsider.send({ type: 'signal', room: 'room-x', to: 'alice', payload: 'AAAA' });
    expect(await outsider.nextOfType('error')).toMatchObject({ code: 'not-joined' });
  });

  it('a peer that closes its socket, or leaves, is announced as left', async () => {
    const server = await startTestServer();
    const keys = await keysFor('room-leave');
    const [alice, bob, carol] = await Promise.all([open(server.url), open(server.url), open(server.url)]);
    await alice.join(keys, 'alice');
    await bob.join(keys, 'bob');
    await carol.join(keys, 'carol');
    await bob.close();
    expect(await alice.nextOfType('peer-left', (m) => m.type === 'peer-left' && m.peerId === 'bob')).toMatchObject({ peerId: 'bob' });
    carol.send({ type: 'leave', room: 'room-leave' });
    expect(await carol.nextOfType('left')).toEqual({ type: 'left', room: 'room-leave' });
    expect(await alice.nextOfType('peer-left', (m) => m.type === 'peer-left' && m.peerId === 'carol')).toMatchObject({ peerId: 'carol' });
    expect(server.metrics()).toMatchObject({ rooms: 1, peers: 1 });
  });

  it('a socket that stops answering pings is cut and leaves its rooms', async () => {
    const server = await startTestServer({ limits: { pingIntervalMs: 50 } });
    const keys = await keysFor('room-dead');
    const alice = await open(server.url);
    const zombie = track(await RawClient.open(server.url, { autoPong: false }));
    await alice.join(keys, 'alice');
    await zombie.join(keys, 'zombie');
    expect(await alice.nextOfType('peer-left')).toMatchObject({ peerId: 'zombie' });
    await zombie.closed;
  });

  it('founds a room exactly once when many join it at the same moment', async () => {
    const server = await startTestServer();
    const keys = await keysFor('room-race');
    const clients = await Promise.all(Array.from({ length: 12 }, () => open(server.url)));
    // Every join is sent before any answer: all see an unfounded room and all try to found it.
    clients.forEach((client, index) => client.send({ type: 'join', room: 'room-race', peerId: `peer-${index}` }));
    const challenges = await Promise.all(clients.map((client) => client.nextOfType('challenge')));
    expect(challenges.every((challenge) => !challenge.founded)).toBe(true);
    const { proveJoin } = await import('../../src/transport/room-crypto.js');
    const proofs = await Promise.all(challenges.map((challenge, index) => proveJoin(keys, challenge.nonce, `peer-${index}`)));
    clients.forEach((client, index) =>
      client.send({ type: 'found', room: 'room-race', ensembleId: `ensemble-${index}`, verifier: keys.verifier, proof: proofs[index] }),
    );
    const joined = await Promise.all(clients.map((client) => client.nextOfType('joined')));
    const founders = joined.filter((message) => message.founder);
    expect(founders).toHaveLength(1);
    const founderIndex = joined.indexOf(founders[0] as (typeof joined)[number]);
    expect(new Set(joined.map((message) => message.ensembleId))).toEqual(new Set([`ensemble-${founderIndex}`]));
    expect(server.metrics()).toMatchObject({ foundedRooms: 1, peers: 12, foundings: 1 });
  });

  it('the founding record survives a restart with the same data dir', async () => {
    const dataDir = await freshDataDir();
    const first = await startTestServer({ dataDir });
    const keys = await keysFor('room-persist');
    const alice = await open(first.url);
    expect(await alice.join(keys, 'alice', 'ensemble-1')).toMatchObject({ founder: true, ensembleId: 'ensemble-1' });
    await stopTestServer(first);
    await alice.closed;

    const second = await startTestServer({ dataDir });
    const late = await open(second.url);
    late.send({ type: 'join', room: 'room-persist', peerId: 'late' });
    expect(await late.nextOfType('challenge')).toMatchObject({ founded: true });
    const again = await open(second.url);
    expect(await again.join(keys, 'alice', 'ensemble-2')).toMatchObject({ founder: false, ensembleId: 'ensemble-1' });
  });

  it('a wrong secret cannot join and learns nothing about the room', async () => {
    const server = await startTestServer();
    const keys = await keysFor('room-secret');
    const wrong = await keysFor('room-secret', 'a guess');
    const alice = await open(server.url);
    await alice.join(keys, 'alice', 'ensemble-hidden');
    const intruders = [await open(server.url), await open(server.url)];
    // One answers the challenge with a proof from a guessed secret...
    expect(await intruders[0]!.join(wrong, 'eve')).toMatchObject({ type: 'error', code: 'auth-failed' });
    // ...the other pretends the room is new and offers its own verifier.
    const { proveJoin } = await import('../../src/transport/room-crypto.js');
    intruders[1]!.send({ type: 'join', room: 'room-secret', peerId: 'eve2' });
    const challenge = await intruders[1]!.nextOfType('challenge');
    const proof = await proveJoin(wrong, challenge.nonce, 'eve2');
    intruders[1]!.send({ type: 'found', room: 'room-secret', ensembleId: 'ensemble-eve', verifier: wrong.verifier, proof });
    expect(await intruders[1]!.nextOfType('error')).toMatchObject({ code: 'auth-failed' });
    // A signal without a join goes nowhere.
    intruders[1]!.send({ type: 'signal', room: 'room-secret', to: 'alice', payload: 'AAAA' });
    expect(await intruders[1]!.nextOfType('error')).toMatchObject({ code: 'not-joined' });

    for (const intruder of intruders) {
      const seen = intruder.texts.join('\n');
      expect(seen).not.toContain('alice');
      expect(seen).not.toContain('ensemble-hidden');
      expect(intruder.frames.map((frame) => frame?.type)).not.toContain('joined');
    }
    alice.send({ type: 'ping' });
    await alice.nextOfType('pong');
    expect(alice.frames.map((frame) => frame?.type)).not.toContain('peer-joined');
    expect(server.metrics()).toMatchObject({ peers: 1 });
    expect(server.metrics().rejects['auth-failed']).toBe(2);
  });

  it('the founding record holds the verifier, never the secret', async () => {
    const dataDir = await freshDataDir();
    const server = await startTestServer({ dataDir });
    const keys = await keysFor('room-file', 'do-not-store-me');
    const alice = await open(server.url);
    await alice.join(keys, 'alice', 'ensemble-f');
    const text = await readFile(join(dataDir, 'rooms.json'), 'utf8');
    expect(text).toContain(keys.verifier);
    expect(text).toContain('ensemble-f');
    expect(text).not.toContain('do-not-store-me');
  });

  it('a socket that joined under a peer id taken by another socket replaces it', async () => {
    const server = await startTestServer();
    const keys = await keysFor('room-replace');
    const [alice, bobOld, bobNew] = await Promise.all([open(server.url), open(server.url), open(server.url)]);
    await alice.join(keys, 'alice');
    await bobOld.join(keys, 'bob');
    await alice.nextOfType('peer-joined');
    expect(await bobNew.join(keys, 'bob')).toMatchObject({ type: 'joined', peers: ['alice'] });
    expect(await bobOld.nextOfType('error')).toMatchObject({ code: 'peer-replaced' });
    expect(await alice.nextOfType('peer-left')).toMatchObject({ peerId: 'bob' });
    expect(await alice.nextOfType('peer-joined')).toMatchObject({ peerId: 'bob' });
    const payload = await sealSignal(keys, { from: 'alice', to: 'bob' }, { session: 's', seq: 1, data: {} });
    alice.send({ type: 'signal', room: 'room-replace', to: 'bob', payload });
    await bobNew.nextOfType('signal');
    bobOld.send({ type: 'signal', room: 'room-replace', to: 'alice', payload: 'AAAA' });
    expect(await bobOld.nextOfType('error', (m) => m.type === 'error' && m.code === 'not-joined')).toBeDefined();
    await eventually(() => server.metrics().peers === 2, 'two peers remain');
  });
});
