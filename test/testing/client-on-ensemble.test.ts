import { afterEach, describe, expect, it } from 'vitest';
import { CreateMode, KeeperError, isKeeperError, type WatchEvent } from '../../src/index.js';
import { createTestEnsemble, type TestEnsemble } from '../../src/testing/index.js';
import type { MeshKeeperClient } from '../../src/client/client.js';

// The public client against real replicas: what an application's own tests look like.

let ensemble: TestEnsemble | undefined;
const clients: MeshKeeperClient[] = [];
afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((client) => client.close()));
  await ensemble?.close();
  ensemble = undefined;
});

async function start(voters = 3): Promise<TestEnsemble> {
  ensemble = await createTestEnsemble({ voters });
  await ensemble.waitForLeader();
  return ensemble;
}

async function client(e: TestEnsemble, replica: number, options: Parameters<TestEnsemble['connect']>[0] = {}): Promise<MeshKeeperClient> {
  const c = await e.connect({ replica, ...options });
  clients.push(c);
  return c;
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('the public client on a test ensemble', () => {
  it('a write through any replica is read through every replica after sync', async () => {
    const e = await start();
    const writer = await client(e, 1);
    expect(await writer.create('/app', 'v1')).toBe('/app');
    const seq = await writer.create('/app/item-', 'x', { mode: CreateMode.PERSISTENT_SEQUENTIAL });
    expect(seq).toBe('/app/item-0000000000');
    for (const replica of [0, 1, 2]) {
      const reader = await client(e, replica);
      await reader.sync('/app');
      const { data, stat } = await reader.getData('/app');
      expect(text(data)).toBe('v1');
      expect(stat.numChildren).toBe(1);
      expect(await reader.getChildren('/app')).toEqual(['item-0000000000']);
    }
  });

  it('versions, errors and multi behave as ZooKeeper', async () => {
    const e = await start();
    const c = await client(e, 0);
    await c.create('/v', 'a');
    const stat = await c.setData('/v', 'b', 0);
    expect(stat.version).toBe(1);
    await expect(c.setData('/v', 'c', 0)).rejects.toMatchObject({ codeName: 'BADVERSION' });
    await expect(c.create('/v', 'again')).rejects.toMatchObject({ codeName: 'NODEEXISTS' });
    await expect(c.delete('/missing')).rejects.toBeInstanceOf(KeeperError);
    const results = await c.transaction().create('/m', 'x').setData('/v', 'd', 1).commit();
    expect(results).toHaveLength(2);
    await expect(c.transaction().create('/m2', 'x').delete('/nope').commit()).rejects.toSatisfy((error) => isKeeperError(error, 'NONODE'));
    expect(await c.exists('/m2')).toBeNull();
  });

  it('a watch set through one replica fires for a write through another', async () => {
    const e = await start();
    const watcher = await client(e, 2);
    const writer = await client(e, 0);
    await writer.create('/w', 'a');
    const fired = new Promise<WatchEvent>((resolve) => void watcher.getData('/w', { watch: (event) => resolve(event) }));
    await writer.setData('/w', 'b');
    const event = await fired;
    expect(event).toMatchObject({ type: 'NodeDataChanged', path: '/w' });
    expect(text((await watcher.getData('/w')).data)).toBe('b');
  });

  it('an ephemeral node goes with its session, and watchers hear it', async () => {
    const e = await start();
    const owner = await client(e, 1);
    const observer = await client(e, 2);
    await owner.create('/lock', 'held', { mode: CreateMode.EPHEMERAL });
    const deleted = new Promise<WatchEvent>((resolve) => void observer.exists('/lock', { watch: (event) => resolve(event) }));
    await owner.close();
    expect(await deleted).toMatchObject({ type: 'NodeDeleted', path: '/lock' });
    expect(await observer.exists('/lock')).toBeNull();
  });

  it('the client moves to another replica when its replica crashes, keeping its session', async () => {
    const e = await start();
    const leader = e.leader();
    const follower = [0, 1, 2].find((i) => i !== leader)!;
    const c = await client(e, follower, { sessionTimeoutMs: 20_000 });
    await c.create('/eph', 'mine', { mode: CreateMode.EPHEMERAL });
    const sessionId = c.sessionId;
    e.crash(follower);
    await c.waitForState('CONNECTED', { timeoutMs: 15_000 });
    expect(c.sessionId).toBe(sessionId);
    expect(await c.exists('/eph')).not.toBeNull();
    await c.setData('/eph', 'still mine');
  });
});
