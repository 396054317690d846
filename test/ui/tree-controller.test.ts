import { afterEach, describe, expect, it } from 'vitest';
import type { MeshKeeperClient } from '../../src/client/client.js';
import { createTestEnsemble, type TestEnsemble } from '../../src/testing/index.js';
import { TreeController } from '../../src/ui/tree-controller.js';
import { WatchLogController } from '../../src/ui/watch-log-controller.js';
import { TestHost } from './test-host.js';

// The tree editor's logic against real replicas: browse, create, edit and delete with versions,
// watches set for the user.

let ensemble: TestEnsemble | undefined;
const clients: MeshKeeperClient[] = [];
const hosts: TestHost[] = [];

afterEach(async () => {
  for (const host of hosts.splice(0)) host.disconnect();
  await Promise.allSettled(clients.splice(0).map((client) => client.close()));
  await ensemble?.close();
  ensemble = undefined;
});

async function setup() {
  ensemble = await createTestEnsemble({ voters: 3 });
  await ensemble.waitForLeader();
  const client = await ensemble.connect({ replica: 0 });
  const other = await ensemble.connect({ replica: 1 });
  clients.push(client, other);
  const host = new TestHost();
  hosts.push(host);
  const tree = new TreeController(host, () => client);
  const log = new WatchLogController(host, () => client);
  host.connect();
  return { client, other, host, tree, log };
}

const paths = (tree: TreeController) => tree.rows.map((row) => row.path);

describe('tree controller', () => {
  it('lists the root at once, and expanding a znode lists its children in order with their Stat', async () => {
    const { other, host, tree } = await setup();
    await host.until(() => paths(tree).includes('/zookeeper'), 'the root listing');
    await other.create('/b', 'x');
    await other.create('/a', 'y');
    await other.create('/a/child', 'z');
    await host.until(() => paths(tree).includes('/a') && paths(tree).includes('/b') && tree.rows[1]?.numChildren === 1, 'the new children');
    expect(paths(tree)).toEqual(['/', '/a', '/b', '/zookeeper']);
    expect(tree.rows.find((row) => row.path === '/a')).toMatchObject({ depth: 1, numChildren: 1, expanded: false, ephemeral: false });
    await tree.toggle('/a');
    expect(paths(tree)).toEqual(['/', '/a', '/a/child', '/b', '/zookeeper']);
    await tree.toggle('/a');
    expect(paths(tree)).toEqual(['/', '/a', '/b', '/zookeeper']);
  });

  it("another client's changes show up by the controller's own watches, which never reach the default watcher", async () => {
    const { other, host, tree, log } = await setup();
    await other.create('/app', 'v1');
    await tree.select('/app');
    expect(tree.selected).toMatchObject({ path: '/app', text: 'v1', stat: { version: 0 } });
    await other.setData('/app', 'v2');
    await host.until(() => tree.selected?.text === 'v2', 'the new data');
    expect(tree.selected?.stat.version).toBe(1);
    await other.create('/app/e', '', { mode: 'EPHEMERAL' });
    await tree.toggle('/app');
    expect(tree.rows.find((row) => row.path === '/app/e')).toMatchObject({ ephemeral: true, depth: 2 });
    await other.delete('/app/e');
    await host.until(() => !paths(tree).includes('/app/e'), 'the deleted child gone');
    expect(log.entries.filter((entry) => entry.type !== 'None')).toEqual([]);
  });

  it('an edit with a stale version fails with BADVERSION and changes nothing; with the current one it succeeds', async () => {
    const { client, other, tree } = await setup();
    await client.create('/cfg', 'a');
    await tree.select('/cfg');
    expect(tree.editor).toMatchObject({ path: '/cfg', text: 'a', version: 0 });
    await other.setData('/cfg', 'theirs');
    expect(await tree.setData('/cfg', 'mine', tree.editor!.version)).toBe(false);
    expect(tree.outcome).toMatchObject({ ok: false, action: 'setData', code: 'BADVERSION' });
    expect(new TextDecoder().decode((await client.getData('/cfg')).data)).toBe('theirs');
    tree.resetEditor();
    expect(tree.editor).toMatchObject({ text: 'theirs', version: 1 });
    expect(await tree.setData('/cfg', 'mine', tree.editor!.version)).toBe(true);
    expect(tree.outcome).toMatchObject({ ok: true, message: 'set /cfg: now version 2' });
    expect(tree.editor).toMatchObject({ text: 'mine', version: 2 });
  });

  it('create selects what it made (a sequential name included); delete checks the version', async () => {
    const { client, tree } = await setup();
    expect(await tree.create('/jobs', 'queue')).toBe(true);
    expect(await tree.create('/jobs/job-', 'first', 'PERSISTENT_SEQUENTIAL')).toBe(true);
    expect(tree.selected).toMatchObject({ path: '/jobs/job-0000000000', text: 'first' });
    expect(paths(tree)).toContain('/jobs/job-0000000000');
    expect(await tree.create('/jobs', 'again')).toBe(false);
    expect(tree.outcome).toMatchObject({ code: 'NODEEXISTS' });
    expect(await tree.create('bad path', '')).toBe(false);
    expect(tree.outcome).toMatchObject({ code: 'BADARGUMENTS' });
    expect(await tree.delete('/jobs', -1)).toBe(false);
    expect(tree.outcome).toMatchObject({ code: 'NOTEMPTY' });
    expect(await tree.delete('/jobs/job-0000000000', 3)).toBe(false);
    expect(tree.outcome).toMatchObject({ code: 'BADVERSION' });
    expect(await tree.delete('/jobs/job-0000000000', 0)).toBe(true);
    expect(tree.selected).toBeNull();
    expect(paths(tree)).not.toContain('/jobs/job-0000000000');
    expect(await client.exists('/jobs/job-0000000000')).toBeNull();
  });

  it("watches set from the tree are the default watcher's: their events reach the watch log", async () => {
    const { other, host, tree, log } = await setup();
    await other.create('/w', 'x');
    expect(await tree.watch('/w', 'data')).toBe(true);
    expect(await tree.watch('/w', 'children')).toBe(true);
    expect(await tree.watch('/w', 'persistent-recursive')).toBe(true);
    expect(await tree.watch('/missing', 'exists')).toBe(true);
    expect(await tree.watch('/missing', 'data')).toBe(false);
    expect(tree.outcome).toMatchObject({ code: 'NONODE' });
    await other.setData('/w', 'y');
    await other.create('/w/c', '');
    await other.create('/missing', '');
    await host.until(() => log.entries.length >= 4, `four events (got ${JSON.stringify(log.entries.map((entry) => `${entry.type} ${entry.path}`))})`);
    const seen = log.entries.map((entry) => `${entry.type} ${entry.path}`);
    expect(seen).toEqual(expect.arrayContaining(['NodeDataChanged /w', 'NodeChildrenChanged /w', 'NodeCreated /w/c', 'NodeCreated /missing']));
    // The data watch and the recursive watch are one watcher (the default one): called once, as ZooKeeper's client does.
    expect(seen.filter((entry) => entry === 'NodeDataChanged /w')).toHaveLength(1);
    expect(log.entries[0]!.seq).toBe(log.entries.length);

    expect(await tree.removeWatches('/w')).toBe(true);
    await host.until(() => log.entries.some((entry) => entry.type === 'PersistentWatchRemoved'), 'the removal event');
    const before = log.entries.length;
    await other.setData('/w', 'z');
    await tree.select('/w');
    await host.until(() => tree.selected?.text === 'z', 'the tree still follows /w');
    expect(log.entries.slice(0, log.entries.length - before).filter((entry) => entry.path === '/w' && entry.type === 'NodeDataChanged')).toEqual([]);
  });
});
