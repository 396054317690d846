import { afterEach, describe, expect, it } from 'vitest';
import type { MeshKeeperClient } from '../../src/client/client.js';
import type { MeshNode, MeshStatus } from '../../src/mesh/mesh-node.js';
import { EnsembleController } from '../../src/ui/ensemble-controller.js';
import { ensembleView, trackActivity, type EnsembleSource } from '../../src/ui/ensemble-view.js';
import { clientOf, startTabs } from '../mesh/one-device-tabs.js';
import { TestHost } from './test-host.js';

// The ensemble view of real mesh nodes (tabs of one device in this process).

const nodes: MeshNode[] = [];
const clients: MeshKeeperClient[] = [];
const hosts: TestHost[] = [];

afterEach(async () => {
  for (const host of hosts.splice(0)) host.disconnect();
  await Promise.all(clients.splice(0).map((client) => client.close().catch(() => undefined)));
  await Promise.all(nodes.splice(0).map((node) => node.close()));
});

const sourceOf = (node: MeshNode): EnsembleSource => ({ status: () => Promise.resolve(node.status()) });

function watch(node: MeshNode) {
  const host = new TestHost();
  hosts.push(host);
  const source = sourceOf(node);
  const controller = new EnsembleController(host, () => source, { intervalMs: 50 });
  host.connect();
  return { host, controller };
}

describe('ensemble view', () => {
  it("the leader's tab shows every replica: roles, terms, zxids, Raft lag, links and liveness", async () => {
    const tabs = await startTabs(4, nodes);
    const leaderId = tabs[0]!.status().leader!;
    const leader = tabs.find((node) => node.replicaId === leaderId)!;
    const writer = await clientOf(tabs[3]!, clients);
    for (let i = 0; i < 5; i++) await writer.create(`/n${i}`, '');
    const { host, controller } = watch(leader);
    await host.until(() => controller.view?.replicas.length === 4 && controller.view.replicas.every((row) => row.live && row.lag === 0), 'all four live and caught up');
    const view = controller.view!;
    expect(view).toMatchObject({ self: leaderId, phase: 'running', leader: leaderId, frozen: false });
    expect(view.voters).toHaveLength(3);
    const [first, ...rest] = view.replicas;
    expect(first).toMatchObject({ id: leaderId, self: true, role: 'leader', membership: 'voter', lag: 0, link: null });
    expect(rest.map((row) => row.role)).toEqual(['follower', 'follower', 'observer']);
    expect(rest.every((row) => row.link === 'broadcast' && row.term === view.term)).toBe(true);
    expect(first!.lastZxid).toBe(view.lastZxid);
    expect(view.nodeCount).toBeGreaterThanOrEqual(5);
  });

  it("a frozen tab shows frozen in its own view, and not live in the leader's", async () => {
    const tabs = await startTabs(3, nodes);
    const leader = tabs.find((node) => node.status().role === 'leader')!;
    const follower = tabs.find((node) => node.status().role === 'follower')!;
    const atLeader = watch(leader);
    const atFollower = watch(follower);
    await atLeader.host.until(() => atLeader.controller.view?.replicas.every((row) => row.live) === true, 'all live');
    follower.freeze(30_000);
    await atFollower.host.until(() => atFollower.controller.view?.frozen === true, 'frozen at the follower');
    expect(atFollower.controller.view!.replicas.find((row) => row.self)).toMatchObject({ frozen: true, live: false });
    await atLeader.host.until(() => atLeader.controller.view?.replicas.find((row) => row.id === follower.replicaId)?.live === false, 'not live at the leader', 20_000);
    follower.thaw();
    await atLeader.host.until(() => atLeader.controller.view?.replicas.every((row) => row.live) === true, 'live again', 20_000);
  });

  it('a failed read keeps the last view and says why; the controller stops reading when the host disconnects', async () => {
    let fail = false;
    let reads = 0;
    const status: MeshStatus = {
      replicaId: 'd-0', deviceId: 'd', phase: 'waiting', role: 'none', leader: null, term: 0, voters: [], learners: [],
      lastZxid: '0', appliedIndex: 0, commitIndex: 0, lastIndex: 0, nodeCount: 0, sessionCount: 0, links: [], presence: [], peers: [], frozen: false,
    };
    const source: EnsembleSource = {
      status: () => {
        reads += 1;
        return fail ? Promise.reject(new Error('the replica worker did not answer')) : Promise.resolve(status);
      },
    };
    const host = new TestHost();
    const controller = new EnsembleController(host, () => source, { intervalMs: 50 });
    host.connect();
    await host.until(() => controller.view !== null, 'a view');
    expect(controller.view!.replicas).toEqual([expect.objectContaining({ id: 'd-0', role: 'joining', term: null, live: false })]);
    fail = true;
    await host.until(() => controller.error === 'the replica worker did not answer', 'the error');
    expect(controller.view).not.toBeNull();
    host.disconnect();
    const readsThen = reads;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(reads).toBeLessThanOrEqual(readsThen + 1);
  });

  it("a non-leader tab shows the peers' announced zxids, lag only where it knows it (the leader's: 0), and liveness by the links it should have", () => {
    const peer = (id: string, zxid: string, role: 'voter' | 'observer') => ({ replicaId: id, deviceId: 'd', role, term: 2, appliedZxid: zxid, leaderId: 'd-0' });
    const view = ensembleView({
      replicaId: 'd-1', deviceId: 'd', phase: 'running', role: 'follower', leader: 'd-0', term: 2, voters: ['d-0', 'd-1', 'd-2'], learners: ['d-3'],
      lastZxid: '20000000a', appliedIndex: 12, commitIndex: 12, lastIndex: 12, nodeCount: 9, sessionCount: 2,
      links: [{ peer: 'd-0', kind: 'broadcast' }, { peer: 'd-2', kind: 'broadcast' }],
      presence: [peer('d-0', '20000000c', 'voter'), peer('d-2', '200000009', 'voter'), peer('d-3', '100000004', 'observer')],
      peers: [], frozen: false,
    });
    expect(view.replicas.map((row) => [row.id, row.role, row.lastZxid, row.lag, row.link, row.live])).toEqual([
      ['d-0', 'leader', '20000000c', 0, 'broadcast', true],
      ['d-1', 'follower', '20000000a', null, null, true],
      ['d-2', 'follower', '200000009', null, 'broadcast', true],
      // A voter (d-1) links to everyone: an observer it has no link to is not live.
      ['d-3', 'observer', '100000004', null, null, false],
    ]);
    // Between two observers there is no link: presence says.
    const observerView = ensembleView({
      replicaId: 'd-4', deviceId: 'd', phase: 'running', role: 'observer', leader: 'd-0', term: 2, voters: ['d-0'], learners: ['d-3', 'd-4'],
      lastZxid: '20000000a', appliedIndex: 12, commitIndex: 12, lastIndex: 12, nodeCount: 9, sessionCount: 2,
      links: [{ peer: 'd-0', kind: 'webrtc' }], presence: [peer('d-0', '20000000c', 'voter'), peer('d-3', '20000000c', 'observer')], peers: [], frozen: false,
    });
    expect(observerView.replicas.map((row) => [row.id, row.link, row.live])).toEqual([
      ['d-0', 'webrtc', true],
      ['d-3', null, true],
      ['d-4', null, true],
    ]);
  });

  it("on the leader's tab a peer stays live for a grace period after Raft last saw it active (CheckQuorum clears the flags each election timeout)", () => {
    const leaderStatus = (recentActive: boolean): MeshStatus => ({
      replicaId: 'd-0', deviceId: 'd', phase: 'running', role: 'leader', leader: 'd-0', term: 2, voters: ['d-0', 'd-1'], learners: [],
      lastZxid: '200000001', appliedIndex: 3, commitIndex: 3, lastIndex: 3, nodeCount: 5, sessionCount: 1,
      links: [{ peer: 'd-1', kind: 'broadcast' }], presence: [], frozen: false,
      peers: [{ id: 'd-1', matchIndex: 3, lagEntries: 0, state: 'replicate', recentActive, isLearner: false }],
    });
    const seen = new Map<string, number>();
    const live = (recentActive: boolean, nowMs: number) => {
      const status = leaderStatus(recentActive);
      return ensembleView(status, trackActivity(status, seen, nowMs, 3_000)).replicas.find((row) => row.id === 'd-1')!.live;
    };
    expect(live(false, 1_000)).toBe(false);
    expect(live(true, 2_000)).toBe(true);
    expect(live(false, 4_000)).toBe(true);
    expect(live(false, 5_001)).toBe(false);
    // A tab that no longer leads forgets what it saw.
    const follower = { ...leaderStatus(true), role: 'follower' as const, peers: [] };
    trackActivity(follower, seen, 5_002);
    expect(seen.size).toBe(0);
  });

  it('an interval under 50 ms is refused', () => {
    expect(() => new EnsembleController(new TestHost(), () => undefined, { intervalMs: 10 })).toThrow(/every 50 ms/);
  });
});
