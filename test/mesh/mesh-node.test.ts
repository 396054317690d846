import { afterEach, describe, expect, it } from 'vitest';
import { MeshKeeperClient } from '../../src/client/client.js';
import type { ClientConnection } from '../../src/client/connection.js';
import { MeshNode, type MeshNodeConfig } from '../../src/mesh/mesh-node.js';
import { createConnectionPair } from '../../src/replica/client-connection.js';
import { MemoryDisk } from '../../src/storage/memory-disk.js';
import { TimedMemoryStorage } from '../../src/testing/timed-memory-storage.js';
import { createMemoryLinkPair } from '../../src/transport/memory-link.js';

// Mesh nodes in one process, as tabs: the nodes of one "device" share Node's real BroadcastChannel
// (each device its own channel namespace); between devices the test plays the window, joining
// two nodes with a memory link pair whenever either wants a WebRTC link.

let roomCounter = 0;
const nodes: MeshNode[] = [];
const clients: MeshKeeperClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close().catch(() => undefined)));
  await Promise.all(nodes.splice(0).map((node) => node.close()));
});

interface Harness {
  readonly room: string;
  readonly byId: Map<string, MeshNode>;
  readonly disks: Map<string, MemoryDisk>;
  start(id: string, options?: { founder?: boolean; disk?: MemoryDisk }): Promise<MeshNode>;
}

function harness(): Harness {
  roomCounter += 1;
  const room = `mesh-${process.pid}-${roomCounter}`;
  const byId = new Map<string, MeshNode>();
  const disks = new Map<string, MemoryDisk>();
  /** Cross-device links by pair, with the node that asked for each (it closes it when unwanted). */
  const linked = new Map<string, { readonly initiator: string; readonly close: () => void }>();
  const deviceOf = (id: string) => id.slice(0, id.lastIndexOf('-'));
  const connectPair = (a: string, b: string) => {
    const key = a < b ? `${a}|${b}` : `${b}|${a}`;
    const nodeA = byId.get(a);
    const nodeB = byId.get(b);
    if (linked.has(key) || nodeA === undefined || nodeB === undefined) return;
    const [atA, atB] = createMemoryLinkPair({ a, b });
    linked.set(key, { initiator: a, close: () => atA.close('unwanted') });
    atA.onClose(() => linked.delete(key));
    nodeA.addWebRtcLink(atA);
    nodeB.addWebRtcLink(atB);
    nodeA.webRtcConnected(atA.id);
    nodeB.webRtcConnected(atB.id);
  };
  const start = async (id: string, options: { founder?: boolean; disk?: MemoryDisk } = {}) => {
    const disk = options.disk ?? disks.get(id) ?? new MemoryDisk();
    disks.set(id, disk);
    const device = deviceOf(id);
    const config: MeshNodeConfig = {
      room,
      replicaId: id,
      deviceId: device,
      storage: new TimedMemoryStorage(disk),
      broadcast: { openChannel: (name) => new BroadcastChannel(`${device}/${name}`) as never },
      meshTickMs: 50,
      unwantGraceMs: 1_000,
      policy: { voterGraceMs: 2_000, learnerGraceMs: 4_000 },
      events: {
        wantedWebRtc: (peers) =>
          queueMicrotask(() => {
            for (const peer of peers) connectPair(id, peer);
            for (const [key, pair] of linked) if (pair.initiator === id && !key.split('|').some((end) => peers.includes(end))) pair.close();
          }),
      },
    };
    const node = await MeshNode.start(config);
    nodes.push(node);
    byId.set(id, node);
    const everyone = [...byId.keys()];
    for (const other of byId.values()) other.setSignalingRoster(everyone);
    await node.decideFounding(options.founder ?? false);
    return node;
  };
  return { room, byId, disks, start };
}

async function until(condition: () => boolean, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function clientOf(node: MeshNode): Promise<MeshKeeperClient> {
  const endpoint = async (): Promise<ClientConnection> => {
    const [clientEnd, replicaEnd] = createConnectionPair();
    node.acceptClient(replicaEnd);
    return { send: (bytes) => void clientEnd.send(bytes), onMessage: (l) => clientEnd.onMessage(l), onClose: (l) => clientEnd.onClose(l), close: () => clientEnd.close() };
  };
  return MeshKeeperClient.connect({ endpoints: [endpoint], sessionTimeoutMs: 5_000 }, { timeoutMs: 8_000 }).then((client) => {
    clients.push(client);
    return client;
  });
}

function oneEnsemble(members: readonly MeshNode[], voters: number): boolean {
  const statuses = members.map((node) => node.status());
  const leader = statuses[0]?.leader;
  return (
    leader !== null &&
    statuses.every((status) => status.leader === leader && status.voters.length === voters && status.voters.length + status.learners.length === members.length)
  );
}

describe('mesh node', () => {
  it('an empty replica waits for the founding verdict; the founder starts the ensemble as its sole voter', async () => {
    const h = harness();
    const founder = await h.start('a-0', { founder: true });
    expect(founder.startedEmpty).toBe(true);
    await until(() => founder.status().leader === 'a-0');
    expect(founder.status()).toMatchObject({ phase: 'running', voters: ['a-0'], learners: [] });
    const waiting = await MeshNode.start({ room: h.room, replicaId: 'a-1', deviceId: 'a', storage: new TimedMemoryStorage(new MemoryDisk()), broadcast: false });
    nodes.push(waiting);
    expect(waiting.status().phase).toBe('waiting');
  });

  it('tabs on two devices form one ensemble of three voters spread over both devices; a write anywhere is read everywhere', async () => {
    const h = harness();
    await h.start('a-0', { founder: true });
    await Promise.all(['a-1', 'a-2', 'b-0', 'b-1'].map((id) => h.start(id)));
    const all = [...h.byId.values()];
    await until(() => oneEnsemble(all, 3));
    const voters = all[0]!.status().voters;
    expect(new Set(voters.map((id) => id[0]))).toEqual(new Set(['a', 'b']));

    const writer = await clientOf(h.byId.get('b-1')!);
    await writer.create('/from-b1', 'hello');
    const reader = await clientOf(h.byId.get('a-2')!);
    await reader.sync('/');
    expect(new TextDecoder().decode((await reader.getData('/from-b1')).data)).toBe('hello');
    // Observers link to voters only (plus what they still hold within the grace period).
    const observer = h.byId.get(all[0]!.status().learners[0]!)!;
    await until(() => observer.status().links.every((link) => voters.includes(link.peer)), 10_000);
  });

  it("voters crowded on one device are spread when another device joins, and the tabs' clients keep writing through it: the surplus voter is demoted and never leaves the configuration", async () => {
    const h = harness();
    await h.start('a-0', { founder: true });
    await Promise.all(['a-1', 'a-2'].map((id) => h.start(id)));
    const crowded = [...h.byId.values()];
    await until(() => oneEnsemble(crowded, 3));
    const leaderId = crowded[0]!.status().leader!;
    // A client on every tab that is not the leader: one of them will lose its vote.
    const writers = await Promise.all(crowded.filter((node) => node.status().replicaId !== leaderId).map((node) => clientOf(node)));
    await writers[0]!.create('/n', '');
    const failures: string[] = [];
    let writing = true;
    const loops = writers.map(async (client) => {
      let ok = 0;
      while (writing) {
        try {
          await client.setData('/n', 'x');
          ok++;
        } catch (error) {
          failures.push(String((error as { code?: unknown }).code ?? error));
        }
      }
      return ok;
    });
    // Every few milliseconds: is every tab of device a still in the configuration?
    const leader = h.byId.get(leaderId)!;
    const leftConfiguration = new Set<string>();
    const watch = setInterval(() => {
      const { voters, learners } = leader.status();
      for (const id of ['a-0', 'a-1', 'a-2']) if (!voters.includes(id) && !learners.includes(id)) leftConfiguration.add(id);
    }, 2);
    await h.start('b-0');
    const all = [...h.byId.values()];
    await until(() => oneEnsemble(all, 3) && new Set(all[0]!.status().voters.map((id) => id[0])).size === 2, 15_000);
    clearInterval(watch);
    writing = false;
    const done = await Promise.all(loops);
    const status = all[0]!.status();
    expect(status.voters.filter((id) => id.startsWith('a-'))).toHaveLength(2);
    expect(status.learners.filter((id) => id.startsWith('a-'))).toHaveLength(1);
    expect([...leftConfiguration]).toEqual([]);
    expect(failures).toEqual([]);
    expect(done.every((ok) => ok > 0)).toBe(true);
  });

  it('a leader that leaves hands over; its tab\'s ephemeral node is gone and writes continue', async () => {
    const h = harness();
    await h.start('a-0', { founder: true });
    await Promise.all(['a-1', 'b-0'].map((id) => h.start(id)));
    const all = [...h.byId.values()];
    await until(() => oneEnsemble(all, 3));
    const leaderId = all[0]!.status().leader!;
    const leader = h.byId.get(leaderId)!;
    const onLeader = await clientOf(leader);
    await onLeader.create('/tab', '', { mode: 'EPHEMERAL' });
    const other = all.find((node) => node !== leader)!;
    const watcher = await clientOf(other);
    const deleted = new Promise<string>((resolve) => void watcher.exists('/tab', { watch: (event) => resolve(event.type) }));

    await leader.leave(2_000);
    expect(await deleted).toBe('NodeDeleted');
    await watcher.create('/after', 'x');
    expect(other.status().leader).not.toBe(leaderId);
  });
});
