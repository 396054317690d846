import { afterEach, describe, expect, it } from 'vitest';
import type { MeshKeeperClient } from '../../src/client/client.js';
import { connectTo, recorder, text } from './helpers.js';
import { TreeEnsemble } from './tree-replica.js';

let ensemble = new TreeEnsemble(2);
const clients: MeshKeeperClient[] = [];

afterEach(async () => {
  for (const zk of clients.splice(0)) await zk.close();
  ensemble = new TreeEnsemble(2);
});

async function client(): Promise<MeshKeeperClient> {
  const zk = await connectTo(ensemble);
  clients.push(zk);
  return zk;
}

describe('moving to another replica (real watch manager on each)', () => {
  it('watches follow the client to the next replica, and a change missed while away is delivered', async () => {
    const zk = await client();
    await zk.create('/a', 'v0');
    await zk.create('/gone');
    await zk.create('/p');
    const watcher = recorder();
    await zk.getData('/a', { watch: watcher });
    await zk.exists('/new', { watch: watcher });
    await zk.exists('/gone', { watch: watcher });
    await zk.getChildren('/p', { watch: watcher });
    await zk.addWatch('/p', 'PERSISTENT_RECURSIVE', watcher);
    const seenBefore = zk.lastZxidSeen;

    ensemble.frontEnds[0]?.dropAll();
    // While the client is away: another client changes /a, creates /new, deletes /gone.
    ensemble.externalWrite({ type: 'setData', path: '/a', data: new Uint8Array([1]), version: -1 });
    ensemble.externalWrite({ type: 'create', path: '/new', data: new Uint8Array(0), acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], mode: 0, ttlMs: 0 });
    ensemble.externalWrite({ type: 'delete', path: '/gone', version: -1 });

    await zk.waitForState('DISCONNECTED');
    await zk.waitForState('CONNECTED');
    await zk.sync('/');
    const connect = ensemble.connects.at(-1);
    expect(connect?.frontEnd).toBe(1);
    expect(connect?.request.lastZxidSeen).toBe(seenBefore);
    expect(watcher.seen).toEqual([
      'None Disconnected',
      'None SyncConnected',
      // ZooKeeper's setWatches order: the data list (/a, then /gone: exists on a node that existed), then the exist list.
      'NodeDataChanged /a',
      'NodeDeleted /gone',
      'NodeCreated /new',
    ]);
    // The child watch and the recursive watch live on at the new replica.
    ensemble.externalWrite({ type: 'create', path: '/p/kid', data: new Uint8Array(0), acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], mode: 0, ttlMs: 0 });
    await zk.sync('/');
    expect(watcher.seen.slice(5)).toEqual(['NodeCreated /p/kid', 'NodeChildrenChanged /p']);
  });

  it('the session survives the move: its ephemerals stay and its data is readable', async () => {
    const zk = await client();
    await zk.create('/eph', 'mine', { mode: 'EPHEMERAL' });
    const sessionId = zk.sessionId;
    ensemble.frontEnds[0]?.dropAll();
    await zk.waitForState('DISCONNECTED');
    await zk.waitForState('CONNECTED');
    expect(zk.sessionId).toBe(sessionId);
    expect(text((await zk.getData('/eph')).data)).toBe('mine');
    expect(await zk.getEphemerals()).toEqual(['/eph']);
  });

  it('a session the ensemble ended is EXPIRED when the client comes back', async () => {
    const zk = await client();
    const other = await client();
    await zk.create('/eph', '', { mode: 'EPHEMERAL' });
    const sessionId = zk.sessionId;
    const [first, second] = ensemble.frontEnds;
    if (first === undefined || second === undefined) throw new Error('two front ends');
    first.down = true;
    second.down = true;
    first.dropAll();
    await zk.waitForState('DISCONNECTED');
    ensemble.endSession(sessionId);
    second.down = false;
    await zk.waitForState('EXPIRED');
    expect(await other.exists('/eph')).toBeNull();
  });
});
