import { describe, expect, it } from 'vitest';
import { isKeeperError } from '../../src/index.js';
import { Semaphore } from '../../src/recipes/index.js';
import { until, useWorld } from './helpers.js';

const world = useWorld();

describe('Semaphore', () => {
  it('never has more leases out than maxLeases, with more contenders than leases', async () => {
    const w = await world();
    const semaphores = await Promise.all([0, 1, 2, 0, 1, 2].map(async (replica) => new Semaphore(await w.connect(replica), '/sem/slots', 3)));
    let inUse = 0;
    let most = 0;
    const nodeCounts: number[] = [];
    await Promise.all(
      semaphores.map(async (semaphore) => {
        for (let round = 0; round < 3; round++) {
          const lease = await semaphore.acquire();
          inUse++;
          most = Math.max(most, inUse);
          nodeCounts.push((await semaphore.leaseNodes()).length);
          await new Promise((resolve) => setTimeout(resolve, 5));
          inUse--;
          await lease.release();
        }
      }),
    );
    expect(most).toBeLessThanOrEqual(3);
    expect(most).toBe(3);
    expect(Math.max(...nodeCounts)).toBeLessThanOrEqual(3);
    expect(await semaphores[0]!.leaseNodes()).toEqual([]);
  });

  it('acquireMany takes several leases; a waiter gets one as soon as one is released', async () => {
    const w = await world();
    const a = new Semaphore(await w.connect(0), '/sem/many', 2);
    const b = new Semaphore(await w.connect(1), '/sem/many', 2);
    const leases = await a.acquireMany(2);
    expect(a.leases).toHaveLength(2);
    let got = false;
    const waiting = b.acquire().then((lease) => {
      got = true;
      return lease;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(got).toBe(false);
    await leases[0]!.release();
    const lease = await waiting;
    expect(lease.isValid()).toBe(true);
    expect(await a.leaseNodes()).toHaveLength(2);
    await expect(a.acquireMany(3)).rejects.toMatchObject({ codeName: 'BADARGUMENTS' });
    expect(() => new Semaphore(a.client, '/sem/x', 0)).toThrow();
  });

  it('a timeout or an abort while waiting leaves neither a lease node nor a queue node', async () => {
    const w = await world();
    const zk = await w.connect(0);
    const holder = new Semaphore(zk, '/sem/abort', 1);
    const waiter = new Semaphore(await w.connect(1), '/sem/abort', 1);
    await holder.acquire();
    await expect(waiter.acquire({ timeoutMs: 80 })).rejects.toSatisfy((error) => isKeeperError(error, 'OPERATIONTIMEOUT'));
    const controller = new AbortController();
    const pending = waiter.acquire({ signal: controller.signal });
    await until(async () => (await zk.getChildren('/sem/abort/leases')).length === 2);
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
    expect(await holder.leaseNodes()).toHaveLength(1);
    expect(await zk.getChildren('/sem/abort/locks')).toEqual([]);
  });
});

describe('Semaphore under faults', () => {
  it("a lease holder's session expires: its lease is lost and the waiter gets one", async () => {
    const w = await world();
    const replica = w.follower();
    const other = [0, 1, 2].find((index) => index !== replica)!;
    const holderClient = await w.pinned(replica);
    const observer = await w.connect(other);
    const holder = new Semaphore(holderClient, '/sem/expiry', 1);
    const waiter = new Semaphore(observer, '/sem/expiry', 1);
    const lost: string[] = [];
    holder.on('lost', (_lease, reason) => lost.push(reason.codeName));
    const lease = await holder.acquire();
    const waiting = waiter.acquire();
    await w.expire(holderClient, replica, observer, lease.nodePath);
    const next = await waiting;
    expect(next.isValid()).toBe(true);
    expect(lease.isValid()).toBe(false);
    expect(lease.state).toBe('lost');
    expect(lost).toEqual(['SESSIONEXPIRED']);
    await lease.release();
    expect(lease.state).toBe('released');
  });

  it("the crash of a holder's replica: leases uncertain, then held again; no extra lease goes out", async () => {
    const w = await world();
    const replica = w.follower();
    const other = [0, 1, 2].find((index) => index !== replica)!;
    const holder = new Semaphore(await w.connect(replica), '/sem/crash', 1);
    const waiter = new Semaphore(await w.connect(other), '/sem/crash', 1);
    const events: string[] = [];
    holder.on('uncertain', () => events.push('uncertain'));
    holder.on('reconnected', () => events.push('reconnected'));
    const lease = await holder.acquire();
    let got = false;
    const waiting = waiter.acquire().then(() => (got = true));
    await until(async () => (await holder.leaseNodes()).length === 2);
    w.ensemble.crash(replica);
    await until(() => events.length === 2);
    expect(events).toEqual(['uncertain', 'reconnected']);
    expect(lease.isValid()).toBe(true);
    expect(got).toBe(false);
    await lease.release();
    await waiting;
  });
});
