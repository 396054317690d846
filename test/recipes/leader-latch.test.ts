import { describe, expect, it } from 'vitest';
import { isKeeperError } from '../../src/index.js';
import { LeaderLatch } from '../../src/recipes/index.js';
import { countingClient, until, useWorld } from './helpers.js';

const world = useWorld();

describe('LeaderLatch', () => {
  it('the first to start leads; leadership passes in start order as leaders close', async () => {
    const w = await world();
    const latches: LeaderLatch[] = [];
    for (let i = 0; i < 4; i++) {
      const latch = new LeaderLatch(await w.connect(i % 3), '/election/fair', { id: `p${i}` });
      await latch.start();
      latches.push(latch);
    }
    await latches[0]!.await();
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      const leader = latches.find((latch) => latch.hasLeadership());
      order.push(leader?.id ?? 'none');
      expect(latches.filter((latch) => latch.hasLeadership())).toHaveLength(1);
      await leader?.close();
      if (i < 3) await latches[i + 1]!.await();
    }
    expect(order).toEqual(['p0', 'p1', 'p2', 'p3']);
  });

  it('a follower watches only the participant before it: closing the leader wakes one follower', async () => {
    const w = await world();
    const leader = new LeaderLatch(await w.connect(0), '/election/herd', { id: 'leader' });
    await leader.start();
    await leader.await();
    const followers: { latch: LeaderLatch; counts: ReturnType<typeof countingClient>['counts'] }[] = [];
    for (let i = 0; i < 4; i++) {
      const counted = countingClient(await w.connect(i % 3));
      const latch = new LeaderLatch(counted.client, '/election/herd', { id: `f${i}` });
      await latch.start();
      followers.push({ latch, counts: counted.counts });
    }
    await until(() => followers.every((f) => f.counts.watchedReads.length > 0));
    const nodes = (await leader.participants()).map((p) => p.nodePath);
    await leader.close();
    await followers[0]!.latch.await();
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Only the first follower heard anything (its predecessor's deletion); it now watches its own node.
    expect(followers.map((f) => f.counts.nodeEvents.map((event) => event.path))).toEqual([[nodes[0]], [], [], []]);
    expect(followers.map((f) => f.counts.watchedReads.map((read) => read.path))).toEqual([
      [nodes[0], nodes[1]],
      [nodes[1]],
      [nodes[2]],
      [nodes[3]],
    ]);
  });

  it('participants lists the ids in order, the leader first; leader() names it', async () => {
    const w = await world();
    const a = new LeaderLatch(await w.connect(0), '/election/list', { id: 'a' });
    const b = new LeaderLatch(await w.connect(1), '/election/list', { id: 'b' });
    await a.start();
    await b.start();
    const participants = await b.participants();
    expect(participants.map((p) => [p.id, p.isLeader])).toEqual([['a', true], ['b', false]]);
    expect((await a.leader())?.id).toBe('a');
  });

  it('await: timeout (OPERATIONTIMEOUT), abort (its reason), not started or closed (APIERROR)', async () => {
    const w = await world();
    const leader = new LeaderLatch(await w.connect(0), '/election/await');
    const follower = new LeaderLatch(await w.connect(1), '/election/await');
    await expect(follower.await()).rejects.toMatchObject({ codeName: 'APIERROR' });
    await leader.start();
    await follower.start();
    await expect(follower.await({ timeoutMs: 50 })).rejects.toSatisfy((error) => isKeeperError(error, 'OPERATIONTIMEOUT'));
    const controller = new AbortController();
    const waiting = follower.await({ signal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    const pending = follower.await();
    await follower.close();
    await expect(pending).rejects.toMatchObject({ codeName: 'APIERROR' });
    expect((await leader.participants()).map((p) => p.nodePath)).toEqual([leader.nodePath]);
    await expect(leader.start()).rejects.toMatchObject({ codeName: 'APIERROR' });
  });

  it('a leader whose node is deleted stops leading and queues again at the back', async () => {
    const w = await world();
    const admin = await w.connect(2);
    const a = new LeaderLatch(await w.connect(0), '/election/deleted', { id: 'a' });
    const b = new LeaderLatch(await w.connect(1), '/election/deleted', { id: 'b' });
    const reasons: string[] = [];
    a.on('notLeader', (reason) => reasons.push(reason));
    await a.start();
    await a.await();
    await b.start();
    await admin.delete(a.nodePath!);
    await b.await();
    await until(async () => (await b.participants()).length === 2);
    expect((await b.participants()).map((p) => p.id)).toEqual(['b', 'a']);
    expect(reasons).toEqual(['deleted']);
    await b.close();
    await a.await();
  });
});

describe('LeaderLatch under faults', () => {
  it("partitioning the leader's replica away: notLeader 'uncertain', then leader again once the reconnect is confirmed; no one else leads", async () => {
    const w = await world();
    const replica = w.follower();
    const other = [0, 1, 2].find((index) => index !== replica)!;
    const leader = new LeaderLatch(await w.connect(replica), '/election/partition', { id: 'a' });
    const follower = new LeaderLatch(await w.connect(other), '/election/partition', { id: 'b' });
    const events: string[] = [];
    leader.on('leader', () => events.push('leader'));
    leader.on('notLeader', (reason) => events.push(`notLeader ${reason}`));
    let followerLed = false;
    follower.on('leader', () => (followerLed = true));
    await leader.start();
    await leader.await();
    await follower.start();
    w.ensemble.partition([[replica], [0, 1, 2].filter((index) => index !== replica)]);
    await until(() => events.length >= 3);
    expect(events).toEqual(['leader', 'notLeader uncertain', 'leader']);
    expect(leader.hasLeadership()).toBe(true);
    expect(followerLed).toBe(false);
  });

  it("the leader's session expires: notLeader 'lost', the next participant leads, await rejects", async () => {
    const w = await world();
    const replica = w.follower();
    const other = [0, 1, 2].find((index) => index !== replica)!;
    const leaderClient = await w.pinned(replica);
    const observer = await w.connect(other);
    const leader = new LeaderLatch(leaderClient, '/election/expiry', { id: 'a' });
    const follower = new LeaderLatch(observer, '/election/expiry', { id: 'b' });
    const reasons: string[] = [];
    leader.on('notLeader', (reason) => reasons.push(reason));
    await leader.start();
    await leader.await();
    await follower.start();
    await w.expire(leaderClient, replica, observer, leader.nodePath!);
    await follower.await();
    expect(leader.hasLeadership()).toBe(false);
    expect(reasons[0]).toBe('uncertain');
    await expect(leader.await()).rejects.toMatchObject({ codeName: 'SESSIONEXPIRED' });
    expect((await follower.participants()).map((p) => p.id)).toEqual(['b']);
  });

  it("the crash of the leader's replica: uncertain, then leading again on another replica", async () => {
    const w = await world();
    const replica = w.follower();
    const leader = new LeaderLatch(await w.connect(replica), '/election/crash', { id: 'a' });
    const events: string[] = [];
    leader.on('leader', () => events.push('leader'));
    leader.on('notLeader', (reason) => events.push(`notLeader ${reason}`));
    await leader.start();
    await leader.await();
    w.ensemble.crash(replica);
    await until(() => events.length >= 3);
    expect(events).toEqual(['leader', 'notLeader uncertain', 'leader']);
  });
});
