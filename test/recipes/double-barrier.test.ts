import { describe, expect, it } from 'vitest';
import { isKeeperError } from '../../src/index.js';
import { DoubleBarrier } from '../../src/recipes/index.js';
import { until, useWorld } from './helpers.js';

const world = useWorld();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('DoubleBarrier', () => {
  it('enter waits for all members; leave waits until all have left; the barrier can be used again', async () => {
    const w = await world();
    const members = await Promise.all([0, 1, 2].map(async (replica) => new DoubleBarrier(await w.connect(replica), '/dbl/round', 3, { id: `m${replica}` })));
    for (let round = 0; round < 2; round++) {
      const entered: string[] = [];
      const enters = members.slice(0, 2).map((member) => member.enter().then(() => entered.push(member.id)));
      await until(async () => (await members[0]!.members()).length === 2);
      await sleep(30);
      expect(entered).toEqual([]);
      await members[2]!.enter();
      await Promise.all(enters);
      expect(members.every((member) => member.state === 'inside')).toBe(true);

      const left: string[] = [];
      const leaves = members.slice(0, 2).map((member) => member.leave().then(() => left.push(member.id)));
      await sleep(50);
      expect(left).toEqual([]);
      await members[2]!.leave();
      await Promise.all(leaves);
      expect(await members[0]!.members()).toEqual([]);
      expect(await members[0]!.client.exists('/dbl/round/ready')).toBeNull();
    }
  });

  it('an aborted or timed-out enter takes its member out again', async () => {
    const w = await world();
    const zk = await w.connect(0);
    const a = new DoubleBarrier(zk, '/dbl/abort', 2, { id: 'a' });
    await expect(a.enter({ timeoutMs: 50 })).rejects.toSatisfy((error) => isKeeperError(error, 'OPERATIONTIMEOUT'));
    expect(await a.members()).toEqual([]);
    expect(a.state).toBe('outside');
    const controller = new AbortController();
    const entering = a.enter({ signal: controller.signal });
    await until(async () => (await a.members()).length === 1);
    controller.abort(new Error('cancel'));
    await expect(entering).rejects.toThrow('cancel');
    expect(await a.members()).toEqual([]);
    await expect(a.leave()).rejects.toMatchObject({ codeName: 'APIERROR' });
    expect(() => new DoubleBarrier(zk, '/dbl/x', 2, { id: 'ready' })).toThrow();
  });
});

describe('DoubleBarrier under faults', () => {
  it("a member survives the crash of its replica while waiting to leave", async () => {
    const w = await world();
    const replica = w.follower();
    const other = [0, 1, 2].find((index) => index !== replica)!;
    const a = new DoubleBarrier(await w.connect(replica), '/dbl/crash', 2, { id: 'a' });
    const b = new DoubleBarrier(await w.connect(other), '/dbl/crash', 2, { id: 'b' });
    await Promise.all([a.enter(), b.enter()]);
    const aLeaves = a.leave();
    await sleep(30);
    w.ensemble.crash(replica);
    await sleep(30);
    await b.leave();
    await aLeaves;
    expect(await b.members()).toEqual([]);
  });

  it('a member whose session expires while entering stops with SESSIONEXPIRED and no longer counts', async () => {
    const w = await world();
    const replica = w.follower();
    const other = [0, 1, 2].find((index) => index !== replica)!;
    const doomedClient = await w.pinned(replica);
    const observer = await w.connect(other);
    const doomed = new DoubleBarrier(doomedClient, '/dbl/expiry', 2, { id: 'doomed' });
    const entering = doomed.enter();
    entering.catch(() => undefined);
    await until(async () => (await doomed.members()).length === 1);
    await w.expire(doomedClient, replica, observer, '/dbl/expiry/doomed');
    await expect(entering).rejects.toMatchObject({ codeName: 'SESSIONEXPIRED' });
    const late = new DoubleBarrier(observer, '/dbl/expiry', 2, { id: 'late' });
    await expect(late.enter({ timeoutMs: 100 })).rejects.toSatisfy((error) => isKeeperError(error, 'OPERATIONTIMEOUT'));
  });
});
