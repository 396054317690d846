import { afterEach, describe, expect, it } from 'vitest';
import type { MeshKeeperClient } from '../../src/client/client.js';
import { Ids } from '../../src/client/ids.js';
import { KeeperMultiError, Op } from '../../src/client/multi.js';
import { KeeperError } from '../../src/errors/keeper-error.js';
import { CreateMode } from '../../src/tree/create-mode.js';
import { Perms, generateDigest } from '../../src/tree/acl.js';
import type { RequestBody } from '../../src/wire/client-message.js';
import { bytes, connectTo, rejection, text } from './helpers.js';
import { TreeEnsemble } from './tree-replica.js';

let ensemble: TreeEnsemble;
const clients: MeshKeeperClient[] = [];

async function client(): Promise<MeshKeeperClient> {
  ensemble ??= new TreeEnsemble();
  const zk = await connectTo(ensemble);
  clients.push(zk);
  return zk;
}

/** The body of the last request of a type that went over the wire. */
function lastSent<Type extends RequestBody['type']>(type: Type): Extract<RequestBody, { type: Type }> {
  const found = ensemble.requests.filter((r) => r.request.body.type === type).at(-1);
  if (found === undefined) throw new Error(`no ${type} request was sent`);
  return found.request.body as Extract<RequestBody, { type: Type }>;
}

afterEach(async () => {
  for (const zk of clients.splice(0)) await zk.close();
  ensemble = new TreeEnsemble();
});

describe('create', () => {
  it('returns the actual path; a sequential mode appends the counter', async () => {
    const zk = await client();
    expect(await zk.create('/a')).toBe('/a');
    expect(await zk.create('/a/lock-', undefined, { mode: 'EPHEMERAL_SEQUENTIAL' })).toBe('/a/lock-0000000000');
    expect(await zk.create('/a/', 'x', { mode: CreateMode.PERSISTENT_SEQUENTIAL })).toBe('/a/0000000001');
  });

  it('sends the data, mode, TTL and ACL as given, with OPEN_ACL_UNSAFE and PERSISTENT by default', async () => {
    const zk = await client();
    await zk.create('/plain');
    expect(lastSent('create')).toMatchObject({ path: '/plain', data: new Uint8Array(0), mode: 0, ttlMs: 0, acl: Ids.OPEN_ACL_UNSAFE });
    await zk.create('/ttl', 'x', { mode: 'PERSISTENT_WITH_TTL', ttlMs: 5000, acl: Ids.READ_ACL_UNSAFE });
    expect(lastSent('create')).toMatchObject({ path: '/ttl', mode: CreateMode.PERSISTENT_WITH_TTL, ttlMs: 5000, acl: Ids.READ_ACL_UNSAFE });
  });

  it('string data is stored as UTF-8; no data reads back empty', async () => {
    const zk = await client();
    await zk.create('/s', 'é€');
    expect([...(await zk.getData('/s')).data]).toEqual([0xc3, 0xa9, 0xe2, 0x82, 0xac]);
    await zk.create('/empty');
    expect((await zk.getData('/empty')).data.length).toBe(0);
  });

  it('createWithStat sends create2 and returns the path and the new Stat', async () => {
    const zk = await client();
    const { path, stat } = await zk.createWithStat('/c', 'abc');
    expect(path).toBe('/c');
    expect(lastSent('create2').path).toBe('/c');
    expect(stat).toMatchObject({ version: 0, dataLength: 3, numChildren: 0, ephemeralOwner: 0n });
    expect(stat.czxid).toBe(zk.lastZxidSeen);
  });

  it('an ephemeral is owned by the session', async () => {
    const zk = await client();
    const { stat } = await zk.createWithStat('/e', '', { mode: 'EPHEMERAL' });
    expect(stat.ephemeralOwner).toBe(zk.sessionId);
  });
});

describe('delete, setData, exists, getData', () => {
  it('delete sends version -1 by default and removes the node', async () => {
    const zk = await client();
    await zk.create('/d');
    await zk.delete('/d');
    expect(lastSent('delete')).toEqual({ type: 'delete', path: '/d', version: -1 });
    expect(await zk.exists('/d')).toBeNull();
  });

  it('delete with a version that does not match is BADVERSION', async () => {
    const zk = await client();
    await zk.create('/d');
    const error = await rejection(zk.delete('/d', 3), 'BADVERSION');
    expect(error.path).toBe('/d');
  });

  it('setData returns the new Stat; exists and getData return the Stat and data', async () => {
    const zk = await client();
    await zk.create('/n', 'one');
    const stat = await zk.setData('/n', 'two');
    expect(lastSent('setData').version).toBe(-1);
    expect(stat.version).toBe(1);
    expect(await zk.exists('/n')).toEqual(stat);
    const read = await zk.getData('/n');
    expect(text(read.data)).toBe('two');
    expect(read.stat).toEqual(stat);
    expect((await zk.setData('/n', bytes('three'), 1)).version).toBe(2);
  });

  it('exists on a missing node is null', async () => {
    const zk = await client();
    expect(await zk.exists('/missing')).toBeNull();
  });
});

describe('getChildren and friends', () => {
  it('getChildren returns names; with stat: true it sends getChildren2 and adds the Stat', async () => {
    const zk = await client();
    await zk.create('/p');
    await zk.create('/p/a');
    await zk.create('/p/b');
    expect((await zk.getChildren('/p')).sort()).toEqual(['a', 'b']);
    expect(lastSent('getChildren').path).toBe('/p');
    const withStat = await zk.getChildren('/p', { stat: true });
    expect(lastSent('getChildren2').path).toBe('/p');
    expect(withStat.children.sort()).toEqual(['a', 'b']);
    expect(withStat.stat.numChildren).toBe(2);
  });

  it('getAllChildrenNumber counts every descendant', async () => {
    const zk = await client();
    await zk.create('/t');
    await zk.create('/t/a');
    await zk.create('/t/a/b');
    expect(await zk.getAllChildrenNumber('/t')).toBe(2);
  });

  it("getEphemerals lists the session's own ephemerals under a prefix", async () => {
    const zk = await client();
    const other = await client();
    await zk.create('/x', '', { mode: 'EPHEMERAL' });
    await zk.create('/y', '', { mode: 'EPHEMERAL' });
    await other.create('/z', '', { mode: 'EPHEMERAL' });
    expect((await zk.getEphemerals()).sort()).toEqual(['/x', '/y']);
    expect(await zk.getEphemerals('/x')).toEqual(['/x']);
    expect(lastSent('getEphemerals').prefix).toBe('/x');
  });

  it('sync resolves once the replica answers', async () => {
    const zk = await client();
    await zk.sync('/');
    expect(lastSent('sync')).toEqual({ type: 'sync', path: '/' });
  });
});

describe('multi and transaction', () => {
  it('multi returns one result per op', async () => {
    const zk = await client();
    await zk.create('/m', 'v0');
    const results = await zk.multi([Op.create('/m/a', 'x'), Op.setData('/m', 'v1'), Op.check('/m', 1), Op.delete('/m/a')]);
    expect(results.map((r) => r.type)).toEqual(['create', 'setData', 'check', 'delete']);
    expect(results[0]).toMatchObject({ type: 'create', path: '/m/a' });
    expect(results[1]).toMatchObject({ type: 'setData', stat: { version: 1 } });
  });

  it('an empty multi succeeds with no results', async () => {
    const zk = await client();
    expect(await zk.multi([])).toEqual([]);
  });

  it('a failed multi rejects with the failing op code and every op result, and applies nothing', async () => {
    const zk = await client();
    await zk.create('/exists');
    const error = await rejection(zk.multi([Op.create('/new'), Op.create('/exists'), Op.delete('/new')]), 'NODEEXISTS');
    expect(error).toBeInstanceOf(KeeperError);
    expect(error).toBeInstanceOf(KeeperMultiError);
    const multiError = error as KeeperMultiError;
    expect(multiError.failedIndex).toBe(1);
    expect(multiError.path).toBe('/exists');
    expect(multiError.message).toBe('NODEEXISTS for /exists: op 1 (create) of the multi failed: the node already exists');
    expect(multiError.results.map((r) => (r.type === 'error' ? r.codeName : r.type))).toEqual(['OK', 'NODEEXISTS', 'RUNTIMEINCONSISTENCY']);
    expect(await zk.exists('/new')).toBeNull();
  });

  it('transaction() builds the same multi op by op', async () => {
    const zk = await client();
    await zk.create('/t', 'a');
    const transaction = zk.transaction().create('/t/c', 'x', { mode: 'EPHEMERAL' }).setData('/t', 'b', 0).check('/t', 1).delete('/t/c');
    expect(transaction.size).toBe(4);
    const results = await transaction.commit();
    expect(results.map((r) => r.type)).toEqual(['create', 'setData', 'check', 'delete']);
    expect(lastSent('multi').ops.map((op) => op.type)).toEqual(['create', 'setData', 'check', 'delete']);
    const failed = await rejection(zk.transaction().check('/t', 7).commit(), 'BADVERSION');
    expect((failed as KeeperMultiError).results).toEqual([{ type: 'error', code: -103, codeName: 'BADVERSION' }]);
  });

  it('multiRead returns per-op results, errors included', async () => {
    const zk = await client();
    await zk.create('/r', 'data');
    await zk.create('/r/kid');
    const results = await zk.multiRead([Op.getData('/r'), Op.getChildren('/r'), Op.getData('/missing')]);
    expect(results[0]).toMatchObject({ type: 'getData', stat: { numChildren: 1 } });
    expect(results[0]?.type === 'getData' && text(results[0].data)).toBe('data');
    expect(results[1]).toMatchObject({ type: 'getChildren', children: ['kid'] });
    expect(results[2]).toEqual({ type: 'error', code: -101, codeName: 'NONODE' });
  });
});

describe('ACLs and auth', () => {
  it('getACL returns the ACL and Stat; setACL checks the aversion and returns the new Stat', async () => {
    const zk = await client();
    await zk.create('/acl');
    expect((await zk.getACL('/acl')).acl).toEqual(Ids.OPEN_ACL_UNSAFE);
    await rejection(zk.setACL('/acl', Ids.READ_ACL_UNSAFE, 4), 'BADVERSION');
    const stat = await zk.setACL('/acl', Ids.READ_ACL_UNSAFE, 0);
    expect(stat.aversion).toBe(1);
    expect(lastSent('setACL')).toEqual({ type: 'setACL', path: '/acl', acl: Ids.READ_ACL_UNSAFE, version: 0 });
    expect((await zk.getACL('/acl')).acl).toEqual(Ids.READ_ACL_UNSAFE);
    await rejection(zk.setData('/acl', 'x'), 'NOAUTH');
  });

  it('addAuthInfo adds an id whoAmI reports and ACLs honour', async () => {
    const zk = await client();
    const other = await client();
    await zk.addAuthInfo('digest', 'alice:secret');
    expect(await zk.whoAmI()).toEqual([{ scheme: 'digest', id: generateDigest('alice:secret') }]);
    await zk.create('/private', 'x', { acl: Ids.CREATOR_ALL_ACL });
    expect(text((await zk.getData('/private')).data)).toBe('x');
    await rejection(other.getData('/private'), 'NOAUTH');
    expect((await zk.getACL('/private')).acl).toEqual([{ perms: Perms.ALL, id: { scheme: 'digest', id: generateDigest('alice:secret') } }]);
  });
});

describe('close', () => {
  it('close deletes the ephemerals, ends in CLOSED, and later calls fail with SESSIONEXPIRED', async () => {
    const zk = await client();
    const other = await client();
    await zk.create('/eph', '', { mode: 'EPHEMERAL' });
    await zk.close();
    expect(zk.state).toBe('CLOSED');
    expect(lastSent('closeSession')).toEqual({ type: 'closeSession' });
    expect(await other.exists('/eph')).toBeNull();
    await rejection(zk.getData('/'), 'SESSIONEXPIRED');
    await zk.close();
  });
});
