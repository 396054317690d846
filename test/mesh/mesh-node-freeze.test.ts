import { afterEach, describe, expect, it } from 'vitest';
import type { MeshKeeperClient } from '../../src/client/client.js';
import { isKeeperError } from '../../src/errors/keeper-error.js';
import { MeshNode } from '../../src/mesh/mesh-node.js';
import { createWorkerRuntime } from '../../src/mesh/worker-runtime.js';
import type { WorkerToPage } from '../../src/mesh/worker-protocol.js';
import { MemoryDisk } from '../../src/storage/memory-disk.js';
import { TimedMemoryStorage } from '../../src/testing/timed-memory-storage.js';
import { clientOf as clientOfNode, startTabs, until } from './one-device-tabs.js';

// "Freeze this tab": a replica paused as a browser freezes a hidden tab. Three tabs of one device
// (Node's real BroadcastChannel), one of them frozen.

const nodes: MeshNode[] = [];
const clients: MeshKeeperClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close().catch(() => undefined)));
  await Promise.all(nodes.splice(0).map((node) => node.close()));
});

const threeTabs = () => startTabs(3, nodes);
const clientOf = (node: MeshNode) => clientOfNode(node, clients);

describe('freezing a replica', () => {
  it('a frozen leader is replaced while it is frozen, and follows the new leader once it thaws', async () => {
    const tabs = await threeTabs();
    const leaderId = tabs[0]!.status().leader!;
    const leader = tabs.find((node) => node.replicaId === leaderId)!;
    const others = tabs.filter((node) => node !== leader);
    const termBefore = leader.status().term;

    leader.freeze(30_000);
    expect(leader.status().frozen).toBe(true);
    await until(() => others.every((node) => node.status().leader !== null && node.status().leader !== leaderId && node.status().term > termBefore));
    // Still frozen: it has seen none of it.
    expect(leader.status()).toMatchObject({ frozen: true, role: 'leader', term: termBefore });

    leader.thaw();
    expect(leader.status().frozen).toBe(false);
    // It follows whoever leads now (a stall of the two left may have re-elected since the failover).
    await until(() => {
      const current = others[0]!.status();
      const mine = leader.status();
      return current.role !== 'candidate' && mine.leader !== null && mine.leader === current.leader && mine.term === current.term && mine.term > termBefore;
    });
  });

  it("a frozen replica holds its client's requests and answers them when it thaws", async () => {
    const tabs = await threeTabs();
    const follower = tabs.find((node) => node.status().role === 'follower')!;
    const client = await clientOf(follower);
    follower.freeze(30_000);
    let answered = false;
    const created = client.create('/during-freeze', 'x').then((path) => {
      answered = true;
      return path;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(answered).toBe(false);
    expect(follower.status().frozen).toBe(true);
    follower.thaw();
    expect(await created).toBe('/during-freeze');
  });

  it('a freeze ends on its own after its duration', async () => {
    const tabs = await threeTabs();
    const follower = tabs.find((node) => node.status().role === 'follower')!;
    follower.freeze(200);
    expect(follower.status().frozen).toBe(true);
    await until(() => !follower.status().frozen);
    const client = await clientOf(follower);
    expect(await client.create('/after-thaw', 'x')).toBe('/after-thaw');
  });

  it('a freeze outside [0, 60 s] or of a replica that is not running is refused', async () => {
    const waiting = await MeshNode.start({ room: `freeze-bad-${process.pid}`, replicaId: 'x-0', deviceId: 'x', storage: new TimedMemoryStorage(new MemoryDisk()), broadcast: false });
    nodes.push(waiting);
    expect(() => waiting.freeze(1_000)).toThrow(expect.objectContaining({ codeName: 'CONNECTIONLOSS' }));
    await waiting.decideFounding(true);
    for (const bad of [-1, 60_001, 1.5, Number.NaN]) {
      try {
        waiting.freeze(bad);
        expect.unreachable();
      } catch (error) {
        expect(isKeeperError(error, 'BADARGUMENTS')).toBe(true);
      }
    }
    expect(waiting.status().frozen).toBe(false);
  });

  it('the worker freezes its replica on mk:freeze', async () => {
    const posted: WorkerToPage[] = [];
    const runtime = createWorkerRuntime({ post: (message) => posted.push(message), createStorage: () => new TimedMemoryStorage(new MemoryDisk()) });
    runtime.handle({ type: 'mk:init', room: `freeze-worker-${process.pid}`, replicaId: 'w-0', deviceId: 'w', options: {} });
    runtime.handle({ type: 'mk:founding', founder: true });
    runtime.handle({ type: 'mk:freeze', durationMs: 20_000 });
    runtime.handle({ type: 'mk:status', call: 1 });
    await until(() => posted.some((message) => message.type === 'mk:status'));
    nodes.push(runtime.node!);
    expect(posted.find((message) => message.type === 'mk:status')).toMatchObject({ status: { phase: 'running', frozen: true } });
  });
});
