import { afterEach, describe, expect, it } from 'vitest';
import type { MeshKeeperClient } from '../../src/client/client.js';
import type { WatchEvent } from '../../src/client/watcher.js';
import { connectTo, recorder, rejection } from './helpers.js';
import { TreeEnsemble } from './tree-replica.js';
import { flush } from './scripted-replica.js';

let ensemble = new TreeEnsemble();
const clients: MeshKeeperClient[] = [];

async function client(options: Parameters<typeof connectTo>[1] = {}): Promise<MeshKeeperClient> {
  const zk = await connectTo(ensemble, options);
  clients.push(zk);
  return zk;
}

const sentTypes = (): string[] => ensemble.requests.map((r) => r.request.body.type).filter((t) => t !== 'ping');

afterEach(async () => {
  for (const zk of clients.splice(0)) await zk.close();
  ensemble = new TreeEnsemble();
});

describe('one-shot watches', () => {
  it('a getData watch fires once, with the zxid of the change', async () => {
    const [zk, writer] = [await client(), await client()];
    await zk.create('/a', 'v0');
    const watcher = recorder();
    await zk.getData('/a', { watch: watcher });
    const stat = await writer.setData('/a', 'v1');
    await writer.setData('/a', 'v2');
    await zk.sync('/');
    expect(watcher.seen).toEqual(['NodeDataChanged /a']);
    expect(watcher.events[0]).toEqual({ type: 'NodeDataChanged', state: 'SyncConnected', path: '/a', zxid: stat.mzxid });
  });

  it('an exists watch on a missing node fires NodeCreated, and then nothing', async () => {
    const [zk, writer] = [await client(), await client()];
    const watcher = recorder();
    expect(await zk.exists('/later', { watch: watcher })).toBeNull();
    await writer.create('/later');
    await writer.delete('/later');
    await zk.sync('/');
    expect(watcher.seen).toEqual(['NodeCreated /later']);
  });

  it('a getChildren watch fires NodeChildrenChanged; a deleted node fires NodeDeleted to data and child watchers', async () => {
    const [zk, writer] = [await client(), await client()];
    await zk.create('/p');
    const children = recorder();
    const data = recorder();
    await zk.getChildren('/p', { watch: children });
    await writer.create('/p/kid');
    await zk.getChildren('/p', { watch: children });
    await zk.getData('/p', { watch: data });
    await writer.delete('/p/kid');
    await zk.getChildren('/p', { watch: children });
    await writer.delete('/p');
    await zk.sync('/');
    expect(children.seen).toEqual(['NodeChildrenChanged /p', 'NodeChildrenChanged /p', 'NodeDeleted /p']);
    expect(data.seen).toEqual(['NodeDeleted /p']);
  });

  it('a getData watch on a missing node is not set (NONODE)', async () => {
    const [zk, writer] = [await client(), await client()];
    const watcher = recorder();
    await rejection(zk.getData('/nope', { watch: watcher }), 'NONODE');
    await writer.create('/nope');
    await zk.sync('/');
    expect(watcher.seen).toEqual([]);
  });

  it('one watcher set by getData and exists on one path is called once per event', async () => {
    const [zk, writer] = [await client(), await client()];
    await zk.create('/once');
    const watcher = recorder();
    await zk.getData('/once', { watch: watcher });
    await zk.exists('/once', { watch: watcher });
    await writer.setData('/once', 'x');
    await zk.sync('/');
    expect(watcher.seen).toEqual(['NodeDataChanged /once']);
  });

  it('different watchers on one path are each called', async () => {
    const [zk, writer] = [await client(), await client()];
    await zk.create('/two');
    const first = recorder();
    const second = { seen: [] as string[], process(event: WatchEvent) { this.seen.push(event.type); } };
    await zk.getData('/two', { watch: first });
    await zk.exists('/two', { watch: second });
    await writer.setData('/two', 'x');
    await zk.sync('/');
    expect(first.seen).toEqual(['NodeDataChanged /two']);
    expect(second.seen).toEqual(['NodeDataChanged']);
  });

  it('watch: true goes to the default watcher (the watch event and the watcher option)', async () => {
    const option = recorder();
    const [zk, writer] = [await client({ watcher: option }), await client()];
    const listener = recorder();
    zk.on('watch', listener);
    await zk.create('/d');
    await zk.getData('/d', { watch: true });
    await writer.setData('/d', 'x');
    await zk.sync('/');
    expect(listener.seen).toEqual(['NodeDataChanged /d']);
    expect(option.seen).toEqual(['None SyncConnected', 'NodeDataChanged /d']);
  });

  it('a watch event reaches the watcher before the reply of the write that fired it', async () => {
    const zk = await client();
    await zk.create('/order');
    const order: string[] = [];
    await zk.getData('/order', { watch: () => order.push('event') });
    await zk.setData('/order', 'x');
    order.push('reply');
    expect(order).toEqual(['event', 'reply']);
  });
});

describe('persistent and recursive watches', () => {
  it('a PERSISTENT watch stays and fires for the node, not for its descendants', async () => {
    const [zk, writer] = [await client(), await client()];
    const watcher = recorder();
    await zk.addWatch('/pw', 'PERSISTENT', watcher);
    await writer.create('/pw');
    await writer.setData('/pw', '1');
    await writer.setData('/pw', '2');
    await writer.create('/pw/kid');
    await writer.setData('/pw/kid', 'x');
    await writer.delete('/pw/kid');
    await writer.delete('/pw');
    await zk.sync('/');
    expect(watcher.seen).toEqual([
      'NodeCreated /pw',
      'NodeDataChanged /pw',
      'NodeDataChanged /pw',
      'NodeChildrenChanged /pw',
      'NodeChildrenChanged /pw',
      'NodeDeleted /pw',
    ]);
  });

  it('a PERSISTENT_RECURSIVE watch fires for every descendant and never NodeChildrenChanged', async () => {
    const [zk, writer] = [await client(), await client()];
    const watcher = recorder();
    await zk.addWatch('/rw', 'PERSISTENT_RECURSIVE', watcher);
    await writer.create('/rw');
    await writer.create('/rw/a');
    await writer.create('/rw/a/b');
    await writer.setData('/rw/a/b', 'x');
    await writer.delete('/rw/a/b');
    await zk.sync('/');
    expect(watcher.seen).toEqual(['NodeCreated /rw', 'NodeCreated /rw/a', 'NodeCreated /rw/a/b', 'NodeDataChanged /rw/a/b', 'NodeDeleted /rw/a/b']);
  });

  it('a recursive watcher with a one-shot child watch gets NodeChildrenChanged through the child watch only', async () => {
    const [zk, writer] = [await client(), await client()];
    const watcher = recorder();
    await zk.create('/mix');
    await zk.addWatch('/mix', 'PERSISTENT_RECURSIVE', watcher);
    await zk.getChildren('/mix', { watch: watcher });
    await writer.create('/mix/a');
    await writer.create('/mix/b');
    await zk.sync('/');
    expect(watcher.seen).toEqual(['NodeCreated /mix/a', 'NodeChildrenChanged /mix', 'NodeCreated /mix/b']);
  });

  it('addWatch without a watcher uses the default watcher', async () => {
    const [zk, writer] = [await client(), await client()];
    const listener = recorder();
    zk.on('watch', listener);
    await zk.addWatch('/dw', 'PERSISTENT_RECURSIVE');
    await writer.create('/dw');
    await zk.sync('/');
    expect(listener.seen).toEqual(['NodeCreated /dw']);
  });
});

describe('removing watches', () => {
  it('removeWatches of one watcher leaves a shared watch on the replica and the other watcher still fires', async () => {
    const [zk, writer] = [await client(), await client()];
    await zk.create('/shared');
    const keep = recorder();
    const drop = recorder();
    await zk.getData('/shared', { watch: keep });
    await zk.getData('/shared', { watch: drop });
    await zk.removeWatches('/shared', drop, 'Data');
    expect(sentTypes()).not.toContain('removeWatches');
    expect(drop.events).toEqual([{ type: 'DataWatchRemoved', state: 'SyncConnected', path: '/shared', zxid: -1n }]);
    await writer.setData('/shared', 'x');
    await zk.sync('/');
    expect(keep.seen).toEqual(['NodeDataChanged /shared']);
    expect(drop.seen).toEqual(['DataWatchRemoved /shared']);
  });

  it("removing the last watcher of a watch asks the replica to drop it", async () => {
    const [zk, writer] = [await client(), await client()];
    await zk.create('/last');
    const watcher = recorder();
    await zk.getChildren('/last', { watch: watcher });
    await zk.removeWatches('/last', watcher, 'Children');
    const sent = ensemble.requests.map((r) => r.request.body).filter((b) => b.type === 'removeWatches');
    expect(sent).toEqual([{ type: 'removeWatches', path: '/last', watcherType: 'Children', local: false }]);
    expect(ensemble.frontEnds[0]?.watches.watchCount()).toBe(0);
    await writer.create('/last/kid');
    await zk.sync('/');
    expect(watcher.seen).toEqual(['ChildWatchRemoved /last']);
  });

  it('removeAllWatches Any removes every kind and tells each watcher what it lost', async () => {
    const [zk, writer] = [await client(), await client()];
    await zk.create('/all');
    const a = recorder();
    const b = recorder();
    await zk.getData('/all', { watch: a });
    await zk.getChildren('/all', { watch: b });
    await zk.addWatch('/all', 'PERSISTENT', b);
    await zk.removeAllWatches('/all', 'Any');
    expect(a.seen).toEqual(['DataWatchRemoved /all']);
    expect(b.seen).toEqual(['ChildWatchRemoved /all', 'PersistentWatchRemoved /all']);
    expect(ensemble.frontEnds[0]?.watches.watchCount()).toBe(0);
    await writer.setData('/all', 'x');
    await zk.sync('/');
    expect(a.seen.length + b.seen.length).toBe(3);
  });

  it('NOWATCHER when the client has no such watch, and nothing is sent', async () => {
    const zk = await client();
    await zk.create('/none');
    const before = sentTypes().length;
    await rejection(zk.removeWatches('/none', () => {}, 'Data'), 'NOWATCHER');
    await rejection(zk.removeAllWatches('/none', 'Persistent'), 'NOWATCHER');
    expect(sentTypes().length).toBe(before);
  });

  it('removeWatches of type Data does not touch a child watch of the same watcher', async () => {
    const [zk, writer] = [await client(), await client()];
    await zk.create('/kinds');
    const watcher = recorder();
    await zk.getData('/kinds', { watch: watcher });
    await zk.getChildren('/kinds', { watch: watcher });
    await zk.removeWatches('/kinds', watcher, 'Data');
    await writer.create('/kinds/kid');
    await zk.sync('/');
    expect(watcher.seen).toEqual(['DataWatchRemoved /kinds', 'NodeChildrenChanged /kinds']);
  });
});

describe('watchers and listeners that throw', () => {
  it('a throwing watcher is reported on error and the other watchers still run', async () => {
    const [zk, writer] = [await client(), await client()];
    const errors: unknown[] = [];
    zk.on('error', (error) => errors.push(error));
    await zk.create('/boom');
    const after = recorder();
    await zk.getData('/boom', {
      watch: () => {
        throw new Error('watcher bug');
      },
    });
    await zk.getData('/boom', { watch: after });
    await writer.setData('/boom', 'x');
    await zk.sync('/');
    await flush();
    expect(errors.map((e) => (e as Error).message)).toEqual(['watcher bug']);
    expect(after.seen).toEqual(['NodeDataChanged /boom']);
  });
});
