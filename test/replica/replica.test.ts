import { describe, expect, it } from 'vitest';
import { createConnectionPair } from '../../src/replica/client-connection.js';
import { Replica, saidLeaving } from '../../src/replica/replica.js';
import type { PeerMessage } from '../../src/server/peer-message.js';
import { MemoryDisk } from '../../src/storage/memory-disk.js';
import { TimedMemoryStorage } from '../../src/testing/timed-memory-storage.js';
import { LinkHub } from '../../src/transport/link-hub.js';
import { createMemoryLinkPair } from '../../src/transport/memory-link.js';
import { decodePeerMessage, encodePeerMessage } from '../../src/wire/peer-codec.js';
import { create } from '../server/requests.js';
import { BytesClient } from '../testing/bytes-client.js';

async function until(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function single(disk = new MemoryDisk()): Promise<{ replica: Replica; storage: TimedMemoryStorage; disk: MemoryDisk }> {
  const storage = new TimedMemoryStorage(disk);
  const replica = await Replica.open({ id: 'solo', storage, hub: new LinkHub({ self: 'solo' }), founding: { voters: ['solo'], learners: [] }, seed: 5 });
  return { replica, storage, disk };
}

describe('Replica', () => {
  it('a founding replica bootstraps its empty storage, elects itself and serves a client over bytes', async () => {
    const { replica } = await single();
    replica.campaign();
    await until(() => replica.status().leaderReady);
    const [clientEnd, replicaEnd] = createConnectionPair();
    replica.accept(replicaEnd);
    const client = await BytesClient.connect(clientEnd);
    const reply = await client.request(create('/solo', 'x'));
    expect(reply.err).toBe(0);
    await replica.close();
  });

  it('a restarted replica recovers its tree and sessions from its storage', async () => {
    const first = await single();
    first.replica.campaign();
    await until(() => first.replica.status().leaderReady);
    const [clientEnd, replicaEnd] = createConnectionPair();
    first.replica.accept(replicaEnd);
    const client = await BytesClient.connect(clientEnd, { timeoutMs: 60_000 });
    await client.request(create('/kept', 'x'));
    const digest = first.replica.status().digest;
    await first.replica.close();
    const second = await single(first.disk);
    await until(() => second.replica.status().digest === digest);
    expect(second.replica.status().sessionCount).toBe(1);
    await second.replica.close();
  });

  it('requests that arrive in one task leave as one forward message', async () => {
    const hubA = new LinkHub({ self: 'a' });
    const hubB = new LinkHub({ self: 'b' });
    const founding = { voters: ['a', 'b'], learners: [] };
    const a = await Replica.open({ id: 'a', storage: new TimedMemoryStorage(new MemoryDisk()), hub: hubA, founding, seed: 1 });
    const forwards: PeerMessage[] = [];
    const codec = {
      encode: (m: PeerMessage) => {
        if (m.type === 'forward') forwards.push(m);
        return encodePeerMessage(m);
      },
      decode: decodePeerMessage,
    };
    const b = await Replica.open({ id: 'b', storage: new TimedMemoryStorage(new MemoryDisk()), hub: hubB, founding, seed: 2, peerCodec: codec });
    const [ab, ba] = createMemoryLinkPair({ a: 'a', b: 'b', maxFrameBytes: 8 * 1024 * 1024 });
    hubA.add(ab);
    hubB.add(ba);
    a.campaign();
    await until(() => a.status().leaderReady && b.status().leader === 'a');
    const [clientEnd, replicaEnd] = createConnectionPair();
    b.accept(replicaEnd);
    const client = await BytesClient.connect(clientEnd);
    forwards.length = 0;
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => client.request(create(`/n${i}`))));
    expect(replies.every((reply) => reply.err === 0)).toBe(true);
    expect(forwards).toHaveLength(1);
    await a.close();
    await b.close();
    hubA.close();
    hubB.close();
  });

  it('a peer frame that does not decode closes that link', async () => {
    const hubA = new LinkHub({ self: 'a' });
    const a = await Replica.open({ id: 'a', storage: new TimedMemoryStorage(new MemoryDisk()), hub: hubA, founding: { voters: ['a', 'x'], learners: [] }, seed: 1 });
    const [ax, xa] = createMemoryLinkPair({ a: 'a', b: 'x' });
    hubA.add(ax);
    const closed = new Promise<string>((resolve) => xa.onClose(resolve));
    xa.send(new Uint8Array([9, 9, 9]));
    expect(await closed).toMatch(/MARSHALLINGERROR/);
    await a.close();
    hubA.close();
  });

  it("a leader whose links close with 'bye' (its tab left) is succeeded without an election timeout", async () => {
    const ids = ['a', 'b', 'c'];
    const hubs = new Map(ids.map((id) => [id, new LinkHub({ self: id })]));
    const founding = { voters: ids, learners: [] };
    // An election timeout of hours: only the leaving signal can elect anyone during the test.
    const options = { electionTicks: 1_000_000 };
    const replicas = new Map<string, Replica>();
    for (const [i, id] of ids.entries()) {
      replicas.set(id, await Replica.open({ id, storage: new TimedMemoryStorage(new MemoryDisk()), hub: hubs.get(id)!, founding, seed: i + 1, options }));
    }
    const fromA = [];
    for (const [x, y] of [['a', 'b'], ['a', 'c'], ['b', 'c']] as const) {
      const [xy, yx] = createMemoryLinkPair({ a: x, b: y });
      hubs.get(x)!.add(xy);
      hubs.get(y)!.add(yx);
      if (x === 'a') fromA.push(xy);
    }
    const a = replicas.get('a')!;
    a.campaign();
    await until(() => a.status().leaderReady && ['b', 'c'].every((id) => replicas.get(id)!.status().leader === 'a'));
    for (const link of fromA) link.close('bye');
    await until(() => replicas.get('b')!.status().role === 'leader' && replicas.get('c')!.status().leader === 'b');
    for (const replica of replicas.values()) await replica.close();
    for (const hub of hubs.values()) hub.close();
  });

  it("reads 'bye' (either side's) and a channel that closed under its link as the peer leaving; other closes not", () => {
    for (const reason of ['bye', 'remote: bye', 'channel closed']) expect(saidLeaving(reason), reason).toBe(true);
    for (const reason of ['closed', 'remote: closed', 'timeout', 'duplicate', 'backpressure', 'peer restarted', 'remote: unwanted']) expect(saidLeaving(reason), reason).toBe(false);
  });
});
