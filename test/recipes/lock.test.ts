import { describe, expect, it } from 'vitest';
import { KeeperError, isKeeperError } from '../../src/index.js';
import { Lock } from '../../src/recipes/index.js';
import { countingClient, until, useWorld } from './helpers.js';

const world = useWorld();

/** Starts `lock.acquire()` and waits until its node is queued (so arrival order is known). */
async function queue(lock: Lock, expected: number): Promise<{ acquired: Promise<void> }> {
  const acquired = lock.acquire();
  acquired.catch(() => undefined);
  await until(async () => (await lock.participantNodes()).length === expected);
  return { acquired };
}

describe('Lock', () => {
  it('is fair: contenders get the lock in arrival order', async () => {
    const w = await world();
    const locks = await Promise.all([0, 1, 2, 0, 1].map(async (replica) => new Lock(await w.connect(replica), '/locks/fair')));
    const order: number[] = [];
    await locks[0]!.acquire();
    const waits = [];
    for (let i = 1; i < locks.length; i++) {
      const index = i;
      const { acquired } = await queue(locks[index]!, index + 1);
      waits.push(acquired.then(() => order.push(index)).then(() => locks[index]!.release()));
    }
    expect(locks.slice(1).every((lock) => !lock.isAcquired())).toBe(true);
    await locks[0]!.release();
    await Promise.all(waits);
    expect(order).toEqual([1, 2, 3, 4]);
    expect(await locks[0]!.participantNodes()).toEqual([]);
  });

  it('has no herd effect: each waiter watches only its predecessor and wakes once', async () => {
    const w = await world();
    const holder = new Lock(await w.connect(0), '/locks/herd');
    await holder.acquire();
    const waiters = [];
    for (let i = 0; i < 5; i++) {
      const counted = countingClient(await w.connect(i % 3));
      const lock = new Lock(counted.client, '/locks/herd');
      const { acquired } = await queue(lock, i + 2);
      waiters.push({ lock, counts: counted.counts, done: acquired.then(() => lock.release()) });
    }
    const nodes = await holder.participantNodes();
    await holder.release();
    await Promise.all(waiters.map((waiter) => waiter.done));
    waiters.forEach((waiter, i) => {
      const own = nodes[i + 1];
      const predecessor = nodes[i];
      const reads = waiter.counts.watchedReads.filter((read) => read.path !== own);
      const events = waiter.counts.nodeEvents.filter((event) => event.path !== own);
      expect(reads).toEqual([{ method: 'getData', path: predecessor }]);
      expect(events.map((event) => `${event.type} ${event.path}`)).toEqual([`NodeDeleted ${predecessor}`]);
    });
  });

  it('is reentrant within one object: it must be released as often as acquired', async () => {
    const w = await world();
    const lock = new Lock(await w.connect(0), '/locks/reentrant');
    const other = new Lock(await w.connect(1), '/locks/reentrant');
    await lock.acquire();
    await lock.acquire();
    expect(lock.holdCount).toBe(2);
    const { acquired: otherAcquired } = await queue(other, 2);
    await lock.release();
    expect(lock.isAcquired()).toBe(true);
    expect(other.isAcquired()).toBe(false);
    await lock.release();
    await otherAcquired;
    expect(other.isAcquired()).toBe(true);
    expect(lock.state).toBe('released');
  });

  it('refuses a release when not held and a second waiting acquire on one object (APIERROR)', async () => {
    const w = await world();
    const zk = await w.connect(0);
    const holder = new Lock(await w.connect(1), '/locks/misuse');
    const lock = new Lock(zk, '/locks/misuse');
    await expect(lock.release()).rejects.toMatchObject({ codeName: 'APIERROR' });
    await holder.acquire();
    const { acquired: waiting } = await queue(lock, 2);
    await expect(lock.acquire()).rejects.toMatchObject({ codeName: 'APIERROR' });
    await holder.release();
    await waiting;
    await lock.release();
    expect(() => new Lock(zk, '/')).toThrow(KeeperError);
    expect(() => new Lock(zk, 'relative')).toThrow(KeeperError);
  });

  it('a timeout rejects with OPERATIONTIMEOUT and deletes the waiting node', async () => {
    const w = await world();
    const holder = new Lock(await w.connect(0), '/locks/timeout');
    const waiter = new Lock(await w.connect(1), '/locks/timeout');
    await holder.acquire();
    await expect(waiter.acquire({ timeoutMs: 100 })).rejects.toSatisfy((error) => isKeeperError(error, 'OPERATIONTIMEOUT'));
    expect(await holder.participantNodes()).toEqual([holder.nodePath]);
    expect(waiter.state).toBe('released');
  });

  it('an abort cancels the wait, deletes the node, and the waiter behind it moves up', async () => {
    const w = await world();
    const [a, b, c] = [new Lock(await w.connect(0), '/locks/abort'), new Lock(await w.connect(1), '/locks/abort'), new Lock(await w.connect(2), '/locks/abort')];
    await a.acquire();
    const controller = new AbortController();
    const bWaits = b.acquire({ signal: controller.signal });
    bWaits.catch(() => undefined);
    await until(async () => (await a.participantNodes()).length === 2);
    const { acquired: cWaits } = await queue(c, 3);
    controller.abort(new Error('changed my mind'));
    await expect(bWaits).rejects.toThrow('changed my mind');
    expect(await a.participantNodes()).toHaveLength(2);
    await a.release();
    await cWaits;
    expect(c.isAcquired()).toBe(true);
    await c.release();
    expect(await a.participantNodes()).toEqual([]);
  });

  it('close releases a held lock and cancels a waiting acquire', async () => {
    const w = await world();
    const holder = new Lock(await w.connect(0), '/locks/close');
    const waiter = new Lock(await w.connect(1), '/locks/close');
    await holder.acquire();
    await holder.acquire();
    const { acquired: waiting } = await queue(waiter, 2);
    await waiter.close();
    await expect(waiting).rejects.toMatchObject({ codeName: 'APIERROR' });
    await holder.close();
    expect(holder.state).toBe('released');
    expect(await holder.participantNodes()).toEqual([]);
  });
});
