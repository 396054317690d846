import { describe, expect, it } from 'vitest';
import { CreateMode, Op, Perms, generateDigest, type WatchEvent } from '../../src/index.js';
import { createTestEnsemble } from '../../src/testing/index.js';

// The README's "Using it" and "Testing your app" examples, run as written (so the docs cannot drift).

describe('README examples', () => {
  it('every call of the "Using it" example works as the README says', async () => {
    const ensemble = await createTestEnsemble({ voters: 3 });
    try {
      await ensemble.waitForLeader();
      const zk = await ensemble.connect();
      const events: WatchEvent[] = [];
      expect(await zk.create('/app', 'config v1')).toBe('/app');
      const { path } = await zk.createWithStat('/app/job-', new Uint8Array([1]), { mode: CreateMode.PERSISTENT_SEQUENTIAL });
      expect(path).toBe('/app/job-0000000000');
      await zk.create('/app/members', '');
      await zk.create('/app/members/tab-1', 'here', { mode: CreateMode.EPHEMERAL });
      await zk.create('/app/tmp', '', { mode: CreateMode.PERSISTENT_WITH_TTL, ttlMs: 60_000 });
      await zk.create('/app/secret', 's', { acl: [{ perms: Perms.ALL, id: { scheme: 'digest', id: generateDigest('alice:pw') } }] });
      await expect(zk.getData('/app/secret')).rejects.toMatchObject({ codeName: 'NOAUTH' });
      await zk.addAuthInfo('digest', 'alice:pw');
      expect(await zk.whoAmI()).toContainEqual({ scheme: 'digest', id: 'alice' }); // ZooKeeper's whoAmI names the user
      expect(new TextDecoder().decode((await zk.getData('/app/secret')).data)).toBe('s');

      const { stat: s } = await zk.getData('/app', { watch: (event) => events.push(event) });
      await zk.setData('/app', 'config v2', s.version);
      await expect(zk.setData('/app', 'stale', s.version)).rejects.toMatchObject({ codeName: 'BADVERSION' });
      expect(events).toEqual([expect.objectContaining({ type: 'NodeDataChanged', path: '/app' })]);
      expect(await zk.exists('/app/none')).toBeNull();
      expect(await zk.getChildren('/app')).toEqual(['job-0000000000', 'members', 'secret', 'tmp']);
      expect(await zk.getAllChildrenNumber('/app')).toBe(5);
      expect(await zk.getEphemerals('/app')).toEqual(['/app/members/tab-1']);
      await zk.sync('/app');

      await zk.multi([Op.check('/app', 1), Op.create('/app/a', 'x'), Op.setData('/app', 'v3')]);
      await zk.transaction().create('/app/b', 'y').delete('/app/a').commit();
      const reads = await zk.multiRead([Op.getData('/app'), Op.getChildren('/app')]);
      expect(reads.map((r) => r.type)).toEqual(['getData', 'getChildren']);

      const recursive: string[] = [];
      await zk.addWatch('/app', 'PERSISTENT_RECURSIVE', (event) => recursive.push(`${event.type} ${event.path}`));
      await zk.create('/app/b/deep', 'z');
      await zk.sync('/app');
      expect(recursive).toContain('NodeCreated /app/b/deep');
      await zk.removeAllWatches('/app', 'Any');
      const { acl } = await zk.getACL('/app');
      await zk.setACL('/app', acl, -1);
      await zk.delete('/app/b/deep', -1);
      await zk.delete('/app/b', -1);

      const other = await ensemble.connect();
      await zk.close();
      expect(await other.exists('/app/members/tab-1')).toBeNull();
      await other.close();
    } finally {
      await ensemble.close();
    }
  });

  it('the "Testing your app" example passes', async () => {
    const ensemble = await createTestEnsemble({ voters: 3 });
    await ensemble.waitForLeader();
    const a = await ensemble.connect({ replica: 0 });
    const b = await ensemble.connect({ replica: 1 });
    await a.create('/lock', 'a', { mode: CreateMode.EPHEMERAL });
    ensemble.crash(0);
    await a.waitForState('CONNECTED');
    expect(await b.exists('/lock')).not.toBeNull();
    await Promise.allSettled([a.close(), b.close()]);
    await ensemble.close();
  });
});
