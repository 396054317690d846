import { afterEach, describe, expect, it } from 'vitest';
import type { MeshKeeperClient } from '../../src/client/client.js';
import { LatencyProbe } from '../../src/demo/latency-probe.js';
import { BarrierPanel } from '../../src/demo/playground/barrier-panel.js';
import { CounterPanel } from '../../src/demo/playground/counter-panel.js';
import { ElectionPanel } from '../../src/demo/playground/election-panel.js';
import { LockPanel } from '../../src/demo/playground/lock-panel.js';
import { PresencePanel } from '../../src/demo/playground/presence-panel.js';
import { createTestEnsemble, type TestEnsemble } from '../../src/testing/index.js';
import { TestHost } from '../ui/test-host.js';

// The playground's panels as three tabs would run them: one client and one host each, on real replicas.

let ensemble: TestEnsemble | undefined;
const clients: MeshKeeperClient[] = [];
const hosts: TestHost[] = [];

afterEach(async () => {
  for (const host of hosts.splice(0)) host.disconnect();
  await Promise.allSettled(clients.splice(0).map((client) => client.close()));
  await ensemble?.close();
  ensemble = undefined;
});

interface Tab {
  readonly name: string;
  readonly client: MeshKeeperClient;
  readonly host: TestHost;
}

async function tabs(count: number): Promise<Tab[]> {
  ensemble = await createTestEnsemble({ voters: 3 });
  await ensemble.waitForLeader();
  const made: Tab[] = [];
  for (let i = 0; i < count; i++) {
    const client = await ensemble.connect({ replica: i % 3 });
    clients.push(client);
    const host = new TestHost();
    hosts.push(host);
    made.push({ name: `tab-${i}`, client, host });
  }
  return made;
}

describe('recipe playground', () => {
  it("the lock's queue shows the holder first and the waiting tabs in order; when the holder's session ends the next one holds it", async () => {
    const [a, b, c] = await tabs(3);
    const panels = [a!, b!, c!].map((tab) => {
      const panel = new LockPanel(tab.host, () => tab.client, '/demo/lock', () => tab.name);
      tab.host.connect();
      return panel;
    });
    const [pa, pb, pc] = panels as [LockPanel, LockPanel, LockPanel];
    await pa.acquire();
    expect(pa.state).toBe('held');
    void pb.acquire();
    await b!.host.until(() => pb.queue.length === 2, 'b queued');
    void pc.acquire();
    for (const [i, panel] of panels.entries()) {
      await [a, b, c][i]!.host.until(() => panel.queue.length === 3, 'three in the queue');
      expect(panel.queue.map((entry) => [entry.owner, entry.first, entry.mine])).toEqual([
        ['tab-0', true, i === 0],
        ['tab-1', false, i === 1],
        ['tab-2', false, i === 2],
      ]);
    }
    expect([pb.state, pc.state]).toEqual(['acquiring', 'acquiring']);

    await a!.client.close();
    await b!.host.until(() => pb.state === 'held', 'b holds it');
    await c!.host.until(() => pc.queue.map((entry) => entry.owner).join() === 'tab-1,tab-2', 'c sees b first');
    expect(pc.state).toBe('acquiring');
    await pb.release();
    await c!.host.until(() => pc.state === 'held', 'c holds it');
    expect(pb.state).toBe('released');
  });

  it('every tab joins the election at once; the first leads, and the next leads once it steps out', async () => {
    const [a, b] = await tabs(2);
    const pa = new ElectionPanel(a!.host, () => a!.client, '/demo/leader', () => a!.name);
    a!.host.connect();
    await a!.host.until(() => pa.leading, 'a leads');
    const pb = new ElectionPanel(b!.host, () => b!.client, '/demo/leader', () => b!.name);
    b!.host.connect();
    await b!.host.until(() => pb.participants.length === 2, 'b sees both');
    expect(pb.participants.map((entry) => [entry.owner, entry.first])).toEqual([
      ['tab-0', true],
      ['tab-1', false],
    ]);
    expect(pb.leading).toBe(false);
    await pa.leave();
    await b!.host.until(() => pb.leading, 'b leads');
    expect(pa.joined).toBe(false);
    await pa.join();
    await a!.host.until(() => pa.participants.map((entry) => entry.owner).join() === 'tab-1,tab-0', 'a queues behind b');
  });

  it('a tab waiting at the barrier shows as waiting to everyone, and passes once another tab removes it', async () => {
    const [a, b] = await tabs(2);
    const pa = new BarrierPanel(a!.host, () => a!.client, '/demo/barrier', '/demo/barrier-waiting', () => a!.name);
    const pb = new BarrierPanel(b!.host, () => b!.client, '/demo/barrier', '/demo/barrier-waiting', () => b!.name);
    a!.host.connect();
    b!.host.connect();
    await pa.set();
    await b!.host.until(() => pb.isSet, 'b sees it set');
    const waited = pa.wait();
    await b!.host.until(() => pb.waiters.join() === 'tab-0', 'b sees a waiting');
    expect(pa.waiting).toBe(true);
    await pb.remove();
    await waited;
    expect(pa.passedAtMs).toBeGreaterThan(0);
    await b!.host.until(() => pb.waiters.length === 0 && !pb.isSet, 'nobody waits, the barrier is open');
  });

  it('concurrent increments from two tabs all count, and both tabs show the total', async () => {
    const [a, b] = await tabs(2);
    const pa = new CounterPanel(a!.host, () => a!.client, '/demo/counter');
    const pb = new CounterPanel(b!.host, () => b!.client, '/demo/counter');
    a!.host.connect();
    b!.host.connect();
    await a!.host.until(() => pa.value === 0 && pb.value === 0, 'both read 0');
    await Promise.all([pa.increment(10), pb.increment(10)]);
    await a!.host.until(() => pa.value === 20 && pb.value === 20, 'both show 20');
    expect([pa.error, pb.error]).toEqual([null, null]);
    await pb.reset();
    await a!.host.until(() => pa.value === 0, 'a sees the reset');
  });

  it('every connected tab is present in the group, and leaves it with its session', async () => {
    const [a, b] = await tabs(2);
    const pa = new PresencePanel(a!.host, () => a!.client, '/demo/online', () => a!.name);
    const pb = new PresencePanel(b!.host, () => b!.client, '/demo/online', () => b!.name);
    a!.host.connect();
    b!.host.connect();
    await a!.host.until(() => pa.members.length === 2 && pb.members.length === 2, 'both see both');
    expect(pa.members.map((member) => [member.id, member.mine])).toEqual([
      ['tab-0', true],
      ['tab-1', false],
    ]);
    await b!.client.close();
    await a!.host.until(() => pa.members.map((member) => member.id).join() === 'tab-0', 'b is gone');
  });

  it('the latency probe measures setData of its own ephemeral node, one at a time', async () => {
    const [a, b] = await tabs(2);
    const probe = new LatencyProbe(a!.host, () => a!.client, { path: () => '/demo/latency/tab-0', intervalMs: 100 });
    a!.host.connect();
    await a!.host.until(() => probe.samples.length >= 3, 'three samples');
    expect(probe.samples.every((sample) => sample.error === null && sample.latencyMs >= 0)).toBe(true);
    const stat = await b!.client.exists('/demo/latency/tab-0');
    expect(stat?.ephemeralOwner).toBe(a!.client.sessionId);
    expect(stat!.version).toBeGreaterThanOrEqual(3);
  });
});
