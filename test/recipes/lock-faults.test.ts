import { describe, expect, it } from 'vitest';
import { Lock } from '../../src/recipes/index.js';
import { until, useWorld } from './helpers.js';

const world = useWorld();

describe('Lock under faults', () => {
  it("partitioning the holder's replica away makes the hold uncertain, then confirmed after the move; no one else gets it", async () => {
    const w = await world();
    const replica = w.follower();
    const other = [0, 1, 2].find((index) => index !== replica)!;
    const holder = new Lock(await w.connect(replica), '/locks/partition');
    const waiter = new Lock(await w.connect(other), '/locks/partition');
    const events: string[] = [];
    holder.on('uncertain', () => events.push('uncertain'));
    holder.on('reconnected', () => events.push('reconnected'));
    holder.on('lost', () => events.push('lost'));
    await holder.acquire();
    const waiting = waiter.acquire();
    await until(async () => (await holder.participantNodes()).length === 2);
    w.ensemble.partition([[replica], [0, 1, 2].filter((index) => index !== replica)]);
    await until(() => events.includes('reconnected'));
    expect(events).toEqual(['uncertain', 'reconnected']);
    expect(holder.isAcquired()).toBe(true);
    expect(waiter.isAcquired()).toBe(false);
    w.ensemble.heal();
    await holder.release();
    await waiting;
    expect(waiter.isAcquired()).toBe(true);
  });

  it("the crash of the holder's replica: uncertain, then held again on another replica", async () => {
    const w = await world();
    const replica = w.follower();
    const other = [0, 1, 2].find((index) => index !== replica)!;
    const holder = new Lock(await w.connect(replica), '/locks/crash');
    const waiter = new Lock(await w.connect(other), '/locks/crash');
    const events: string[] = [];
    holder.on('uncertain', () => events.push('uncertain'));
    holder.on('reconnected', () => events.push('reconnected'));
    await holder.acquire();
    const waiting = waiter.acquire();
    await until(async () => (await holder.participantNodes()).length === 2);
    w.ensemble.crash(replica);
    await until(() => events.includes('reconnected'));
    expect(holder.isAcquired()).toBe(true);
    expect(waiter.isAcquired()).toBe(false);
    await holder.release();
    await waiting;
    expect(waiter.isAcquired()).toBe(true);
  });

  it("a holder cut off with its replica learns the lock is uncertain then lost; the next client gets it only once the holder's session expired", async () => {
    const w = await world();
    const replica = w.follower();
    const others = [0, 1, 2].filter((index) => index !== replica);
    const holderClient = await w.pinned(replica);
    const holder = new Lock(holderClient, '/locks/expiry');
    const waiterClient = await w.connect(others[0]);
    const waiter = new Lock(waiterClient, '/locks/expiry');
    const events: string[] = [];
    holder.on('uncertain', () => events.push('uncertain'));
    holder.on('lost', (reason) => events.push(`lost ${reason.codeName}`));
    await holder.acquire();
    const holderNode = holder.nodePath!;
    const holderSession = holderClient.sessionId;
    let sessionGoneWhenAcquired: boolean | undefined;
    const waiting = waiter.acquire().then(async () => {
      const stat = await waiterClient.exists(holderNode);
      sessionGoneWhenAcquired = stat === null;
    });
    await until(async () => (await waiter.participantNodes()).length === 2);
    w.ensemble.partition([[replica], others]);
    await waiting;
    expect(sessionGoneWhenAcquired).toBe(true);
    await until(() => events.length === 2);
    expect(events).toEqual(['uncertain', 'lost SESSIONEXPIRED']);
    expect(holder.isAcquired()).toBe(false);
    expect(holder.state).toBe('lost');
    w.ensemble.heal();
    await holderClient.waitForState('EXPIRED', { timeoutMs: 10_000 });
    expect(holderClient.sessionId).toBe(holderSession);
    await holder.release(); // clears the lost lock
    expect(holder.state).toBe('released');
    expect(waiter.isAcquired()).toBe(true);
  });

  it('session expiry while held: lost (isAcquired false), the waiter gets the lock', async () => {
    const w = await world();
    const replica = w.follower();
    const other = [0, 1, 2].find((index) => index !== replica)!;
    const holderClient = await w.pinned(replica);
    const holder = new Lock(holderClient, '/locks/expire');
    const observer = await w.connect(other);
    const waiter = new Lock(observer, '/locks/expire');
    const lost: string[] = [];
    holder.on('lost', (reason) => lost.push(reason.codeName));
    await holder.acquire();
    const waiting = waiter.acquire();
    await w.expire(holderClient, replica, observer, holder.nodePath ?? '/none');
    await waiting;
    expect(waiter.isAcquired()).toBe(true);
    expect(holder.isAcquired()).toBe(false);
    expect(lost).toEqual(['SESSIONEXPIRED']);
    await expect(holder.acquire()).rejects.toMatchObject({ codeName: 'SESSIONEXPIRED' });
  });

  it('a waiter whose session expires stops waiting with SESSIONEXPIRED, and its node is gone', async () => {
    const w = await world();
    const replica = w.follower();
    const other = [0, 1, 2].find((index) => index !== replica)!;
    const observer = await w.connect(other);
    const holder = new Lock(observer, '/locks/waiter-expiry');
    const waiterClient = await w.pinned(replica);
    const waiter = new Lock(waiterClient, '/locks/waiter-expiry');
    await holder.acquire();
    const waiting = waiter.acquire();
    waiting.catch(() => undefined);
    await until(async () => (await holder.participantNodes()).length === 2);
    const waiterNode = (await holder.participantNodes())[1]!;
    await w.expire(waiterClient, replica, observer, waiterNode);
    await expect(waiting).rejects.toMatchObject({ codeName: 'SESSIONEXPIRED' });
    expect(await holder.participantNodes()).toEqual([holder.nodePath]);
  });
});
