import { describe, expect, it } from 'vitest';
import { isKeeperError } from '../../src/index.js';
import { Barrier } from '../../src/recipes/index.js';
import { until, useWorld } from './helpers.js';

const world = useWorld();

describe('Barrier', () => {
  it('wait blocks while the barrier is set and every waiter goes through once it is removed', async () => {
    const w = await world();
    const coordinator = new Barrier(await w.connect(0), '/barriers/deploy/b');
    await coordinator.set();
    await coordinator.set();
    expect(await coordinator.isSet()).toBe(true);
    const through: number[] = [];
    const clients = await Promise.all([0, 1, 2].map((replica) => w.connect(replica)));
    const waits = clients.map((client, replica) => new Barrier(client, '/barriers/deploy/b').wait().then(() => through.push(replica)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(through).toEqual([]);
    await coordinator.remove();
    await Promise.all(waits);
    expect(through.sort()).toEqual([0, 1, 2]);
    await coordinator.remove();
    expect(await coordinator.isSet()).toBe(false);
  });

  it('wait on a barrier that is not set resolves at once', async () => {
    const w = await world();
    await new Barrier(await w.connect(1), '/barriers/none').wait();
  });

  it('a timeout rejects with OPERATIONTIMEOUT; an abort with its reason, and leaves no watch', async () => {
    const w = await world();
    const zk = await w.connect(0);
    const barrier = new Barrier(zk, '/barriers/timeout');
    await barrier.set();
    await expect(barrier.wait({ timeoutMs: 50 })).rejects.toSatisfy((error) => isKeeperError(error, 'OPERATIONTIMEOUT'));
    const controller = new AbortController();
    const waiting = barrier.wait({ signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort(new Error('enough'));
    await expect(waiting).rejects.toThrow('enough');
    await until(async () => (await zk.removeAllWatches('/barriers/timeout', 'Any').then(() => 'left', (error: unknown) => (isKeeperError(error, 'NOWATCHER') ? 'none' : 'other'))) === 'none');
  });

  it("a waiter survives the crash of its replica and goes through when the barrier is removed", async () => {
    const w = await world();
    const replica = w.follower();
    const other = [0, 1, 2].find((index) => index !== replica)!;
    const coordinator = new Barrier(await w.connect(other), '/barriers/crash');
    const waiterClient = await w.connect(replica);
    await coordinator.set();
    let through = false;
    const waiting = new Barrier(waiterClient, '/barriers/crash').wait().then(() => (through = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    w.ensemble.crash(replica);
    await waiterClient.waitForState('DISCONNECTED').catch(() => undefined);
    await coordinator.remove();
    await waiting;
    expect(through).toBe(true);
  });

  it("a waiter whose session expires stops with SESSIONEXPIRED", async () => {
    const w = await world();
    const replica = w.follower();
    const other = [0, 1, 2].find((index) => index !== replica)!;
    const observer = await w.connect(other);
    const coordinator = new Barrier(observer, '/barriers/expiry');
    await coordinator.set();
    const waiterClient = await w.pinned(replica);
    await waiterClient.create('/barriers/marker', '', { mode: 'EPHEMERAL' });
    const waiting = new Barrier(waiterClient, '/barriers/expiry').wait();
    waiting.catch(() => undefined);
    await w.expire(waiterClient, replica, observer, '/barriers/marker');
    await expect(waiting).rejects.toMatchObject({ codeName: 'SESSIONEXPIRED' });
  });
});
