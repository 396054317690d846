import { describe, expect, it } from 'vitest';
import { DataTree } from '../../src/tree/data-tree.js';
import { CreateMode, type CreateModeFlag } from '../../src/tree/create-mode.js';
import { OPEN_ACL_UNSAFE, Perms, READ_ACL_UNSAFE, generateDigest, type Acl } from '../../src/tree/acl.js';
import { ErrorCode } from '../../src/errors/error-code.js';
import { KeeperError } from '../../src/errors/keeper-error.js';
import type { Txn, TxnHeader } from '../../src/tree/txn.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

class Driver {
  readonly tree = new DataTree();
  zxid = 0n;
  timeMs = 1_000;

  header(sessionId = 1n): TxnHeader {
    this.zxid += 1n;
    this.timeMs += 10;
    return { sessionId, cxid: 0, zxid: this.zxid, timeMs: this.timeMs };
  }

  apply(txn: Txn, sessionId = 1n) {
    return this.tree.apply(this.header(sessionId), txn);
  }

  create(path: string, opts: { data?: string; mode?: CreateModeFlag; owner?: bigint; ttlMs?: number; acl?: readonly Acl[] } = {}) {
    const parent = path.slice(0, Math.max(1, path.lastIndexOf('/')));
    const creates = (this.tree.nodeView(parent)?.creates ?? 0) + 1;
    return this.apply({
      type: 'create',
      path,
      data: utf8(opts.data ?? ''),
      acl: opts.acl ?? OPEN_ACL_UNSAFE,
      mode: opts.mode ?? CreateMode.PERSISTENT,
      ephemeralOwner: opts.owner ?? 0n,
      ttlMs: opts.ttlMs ?? 0,
      parentCversion: creates,
    });
  }

  delete(path: string) {
    return this.apply({ type: 'delete', path });
  }
}

describe('DataTree: initial state', () => {
  it("starts with '/', '/zookeeper', '/zookeeper/quota' and '/zookeeper/config' like ZooKeeper", () => {
    const tree = new DataTree();
    expect(tree.nodeCount).toBe(4);
    expect(tree.getChildren('/').children).toEqual(['zookeeper']);
    expect(tree.getChildren('/zookeeper').children).toEqual(['config', 'quota']);
    expect(tree.getACL('/zookeeper/config').acl).toEqual(READ_ACL_UNSAFE);
    expect(tree.getACL('/zookeeper/config').stat.aversion).toBe(-1);
    expect(tree.lastZxid).toBe(0n);
  });

  it('the fresh root shows cversion -1 (2 * 0 creates - 1 child), as real ZooKeeper does', () => {
    const stat = new DataTree().exists('/');
    expect(stat).toMatchObject({ cversion: -1, numChildren: 1, version: 0, czxid: 0n, pzxid: 0n, ephemeralOwner: 0n });
  });
});

describe('DataTree: reads', () => {
  it('a missing node is KeeperError NONODE', () => {
    const tree = new DataTree();
    expect(() => tree.getData('/nope')).toThrow(KeeperError);
    expect(() => tree.getChildren('/nope')).toThrow(/NONODE/);
    expect(() => tree.getACL('/nope')).toThrow(/NONODE/);
    expect(() => tree.getAllChildrenNumber('/nope')).toThrow(/NONODE/);
    expect(tree.exists('/nope')).toBeNull();
    expect(tree.read({ type: 'getData', path: '/nope' }, 1n)).toEqual({ type: 'error', code: ErrorCode.NONODE });
  });

  it('a read of a bad path is BADARGUMENTS, not NONODE', () => {
    const tree = new DataTree();
    expect(tree.read({ type: 'getData', path: 'relative' }, 1n)).toEqual({ type: 'error', code: ErrorCode.BADARGUMENTS });
    expect(tree.read({ type: 'exists', path: '/a/' }, 1n)).toEqual({ type: 'error', code: ErrorCode.BADARGUMENTS });
  });

  it('a node created without data reads back as empty', () => {
    const d = new Driver();
    d.create('/a');
    const { data, stat } = d.tree.getData('/a');
    expect(data.length).toBe(0);
    expect(stat.dataLength).toBe(0);
  });

  it('getChildren lists children sorted, with the parent stat', () => {
    const d = new Driver();
    d.create('/p');
    for (const name of ['c', 'a', 'b']) d.create(`/p/${name}`);
    const { children, stat } = d.tree.getChildren('/p');
    expect(children).toEqual(['a', 'b', 'c']);
    expect(stat.numChildren).toBe(3);
  });

  it('getAllChildrenNumber counts all descendants', () => {
    const d = new Driver();
    d.create('/a');
    d.create('/a/b');
    d.create('/a/b/c');
    d.create('/a/d');
    expect(d.tree.getAllChildrenNumber('/a')).toBe(3);
    expect(d.tree.getAllChildrenNumber('/a/b/c')).toBe(0);
    // ZooKeeper counts every node but the root for '/': here 3 system nodes + 4.
    expect(d.tree.getAllChildrenNumber('/')).toBe(7);
  });

  it("getEphemerals lists the session's own ephemerals under a prefix, sorted", () => {
    const d = new Driver();
    d.create('/e2', { mode: CreateMode.EPHEMERAL, owner: 7n });
    d.create('/e1', { mode: CreateMode.EPHEMERAL, owner: 7n });
    d.create('/other', { mode: CreateMode.EPHEMERAL, owner: 8n });
    d.create('/x', { mode: CreateMode.EPHEMERAL, owner: 7n });
    expect(d.tree.getEphemerals(7n)).toEqual(['/e1', '/e2', '/x']);
    expect(d.tree.getEphemerals(7n, '/e')).toEqual(['/e1', '/e2']);
    expect(d.tree.read({ type: 'getEphemerals', prefix: '/' }, 8n)).toEqual({ type: 'getEphemerals', paths: ['/other'] });
    expect(d.tree.getEphemerals(9n)).toEqual([]);
    expect(d.tree.read({ type: 'getEphemerals', prefix: '/e/' }, 7n)).toEqual({ type: 'error', code: ErrorCode.BADARGUMENTS });
  });

  it('reads with auth ids enforce READ (exists too), and getACL needs READ or ADMIN', () => {
    const d = new Driver();
    const alice = { scheme: 'digest', id: generateDigest('alice:pw') };
    d.create('/secret', { acl: [{ perms: Perms.ADMIN, id: alice }] });
    d.create('/readable', { acl: [{ perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } }, { perms: Perms.ALL, id: alice }] });
    const nobody = [{ scheme: 'world', id: 'anyone' }];
    expect(d.tree.read({ type: 'getData', path: '/secret' }, 1n, nobody)).toEqual({ type: 'error', code: ErrorCode.NOAUTH });
    expect(d.tree.read({ type: 'exists', path: '/secret' }, 1n, nobody)).toEqual({ type: 'error', code: ErrorCode.NOAUTH });
    expect(d.tree.read({ type: 'getChildren', path: '/secret' }, 1n, nobody)).toEqual({ type: 'error', code: ErrorCode.NOAUTH });
    expect(d.tree.read({ type: 'getACL', path: '/secret' }, 1n, nobody)).toEqual({ type: 'error', code: ErrorCode.NOAUTH });
    // ADMIN alone is enough for getACL, and shows the full digest.
    const asAlice = d.tree.read({ type: 'getACL', path: '/secret' }, 1n, [alice]);
    expect(asAlice).toMatchObject({ type: 'getACL', acl: [{ perms: Perms.ADMIN, id: alice }] });
    // READ without ADMIN sees digest ids redacted to user:x, as ZooKeeper does.
    const redacted = d.tree.read({ type: 'getACL', path: '/readable' }, 1n, nobody);
    expect(redacted).toMatchObject({ type: 'getACL' });
    if (redacted.type === 'getACL') expect(redacted.acl[1]?.id).toEqual({ scheme: 'digest', id: 'alice:x' });
    expect(() => d.tree.checkRead('/secret', nobody)).toThrow(/NOAUTH/);
    expect(() => d.tree.checkRead('/readable', nobody)).not.toThrow();
  });
});

describe('DataTree: apply', () => {
  it('create sets czxid = mzxid = pzxid and ctime = mtime from the txn header', () => {
    const d = new Driver();
    const { result } = d.create('/a', { data: 'hello' });
    expect(result).toEqual({
      type: 'create',
      path: '/a',
      stat: {
        czxid: 1n,
        mzxid: 1n,
        pzxid: 1n,
        ctime: 1_010,
        mtime: 1_010,
        version: 0,
        cversion: 0,
        aversion: 0,
        ephemeralOwner: 0n,
        dataLength: 5,
        numChildren: 0,
      },
    });
  });

  it('cversion counts creates and deletes; pzxid changes on child create and delete', () => {
    const d = new Driver();
    d.create('/p'); // zxid 1
    d.create('/p/a'); // zxid 2
    d.create('/p/b'); // zxid 3
    expect(d.tree.exists('/p')).toMatchObject({ cversion: 2, pzxid: 3n, numChildren: 2, mzxid: 1n });
    d.delete('/p/a'); // zxid 4
    expect(d.tree.exists('/p')).toMatchObject({ cversion: 3, pzxid: 4n, numChildren: 1, mzxid: 1n });
    expect(d.tree.nodeView('/p')?.creates).toBe(2);
  });

  it('setData bumps version and mzxid/mtime, and fires NodeDataChanged', () => {
    const d = new Driver();
    d.create('/a', { data: 'x' });
    const { result, triggers } = d.apply({ type: 'setData', path: '/a', data: utf8('yy'), version: 1 });
    expect(result).toMatchObject({ type: 'setData', stat: { version: 1, mzxid: 2n, czxid: 1n, mtime: 1_020, ctime: 1_010, dataLength: 2 } });
    expect(triggers).toEqual([{ path: '/a', type: 'NodeDataChanged' }]);
  });

  it('create fires NodeCreated on the path and NodeChildrenChanged on the parent', () => {
    const d = new Driver();
    expect(d.create('/a').triggers).toEqual([
      { path: '/a', type: 'NodeCreated' },
      { path: '/', type: 'NodeChildrenChanged' },
    ]);
  });

  it('delete fires NodeDeleted on the path and NodeChildrenChanged on the parent', () => {
    const d = new Driver();
    d.create('/a');
    d.create('/a/b');
    expect(d.delete('/a/b').triggers).toEqual([
      { path: '/a/b', type: 'NodeDeleted' },
      { path: '/a', type: 'NodeChildrenChanged' },
    ]);
  });

  it('setACL bumps aversion and fires nothing', () => {
    const d = new Driver();
    d.create('/a');
    const { result, triggers } = d.apply({ type: 'setACL', path: '/a', acl: READ_ACL_UNSAFE, version: 1 });
    expect(result).toMatchObject({ type: 'setACL', stat: { aversion: 1, version: 0 } });
    expect(triggers).toEqual([]);
    expect(d.tree.getACL('/a').acl).toEqual(READ_ACL_UNSAFE);
  });

  it('an ErrorTxn changes nothing but lastZxid', () => {
    const d = new Driver();
    d.create('/a');
    const before = d.tree.digest();
    const { result, triggers } = d.apply({ type: 'error', code: ErrorCode.NONODE });
    expect(result).toEqual({ type: 'error', code: ErrorCode.NONODE });
    expect(triggers).toEqual([]);
    expect(d.tree.lastZxid).toBe(2n);
    expect(d.tree.digest()).toBe(before);
  });

  it('a txn that does not fit the tree is an error result, not an exception', () => {
    const d = new Driver();
    expect(d.create('/missing/child').result).toEqual({ type: 'error', code: ErrorCode.NONODE });
    d.create('/a');
    expect(d.create('/a').result).toEqual({ type: 'error', code: ErrorCode.NODEEXISTS });
    d.create('/a/b');
    expect(d.delete('/a').result).toEqual({ type: 'error', code: ErrorCode.NOTEMPTY });
    expect(d.delete('/zz').result).toEqual({ type: 'error', code: ErrorCode.NONODE });
    expect(d.apply({ type: 'setData', path: '/zz', data: utf8(''), version: 1 }).result).toEqual({ type: 'error', code: ErrorCode.NONODE });
    expect(d.apply({ type: 'deleteContainer', path: '/a/b' }).result).toEqual({ type: 'error', code: ErrorCode.BADVERSION });
    expect(d.tree.lastZxid).toBe(d.zxid);
  });

  it('zxids must strictly increase (a replayed txn is a programmer error)', () => {
    const d = new Driver();
    d.create('/a');
    expect(() => d.tree.apply({ sessionId: 1n, cxid: 0, zxid: 1n, timeMs: 0 }, { type: 'delete', path: '/a' })).toThrow(/assertion/);
  });

  it('closeSession deletes every ephemeral of the session, with their triggers', () => {
    const d = new Driver();
    d.create('/p');
    d.create('/p/e1', { mode: CreateMode.EPHEMERAL, owner: 5n });
    d.create('/e2', { mode: CreateMode.EPHEMERAL_SEQUENTIAL, owner: 5n });
    d.create('/keep', { mode: CreateMode.EPHEMERAL, owner: 6n });
    const { result, triggers } = d.apply({ type: 'closeSession' }, 5n);
    expect(result).toEqual({ type: 'closeSession' });
    expect(triggers).toEqual([
      { path: '/e2', type: 'NodeDeleted' },
      { path: '/', type: 'NodeChildrenChanged' },
      { path: '/p/e1', type: 'NodeDeleted' },
      { path: '/p', type: 'NodeChildrenChanged' },
    ]);
    expect(d.tree.exists('/p/e1')).toBeNull();
    expect(d.tree.exists('/keep')).not.toBeNull();
    expect(d.tree.getEphemerals(5n)).toEqual([]);
  });

  it('an ephemeral shows its owner; container and TTL nodes show ephemeralOwner 0', () => {
    const d = new Driver();
    d.create('/e', { mode: CreateMode.EPHEMERAL, owner: 0x1234n });
    d.create('/c', { mode: CreateMode.CONTAINER });
    d.create('/t', { mode: CreateMode.PERSISTENT_WITH_TTL, ttlMs: 500 });
    expect(d.tree.exists('/e')?.ephemeralOwner).toBe(0x1234n);
    expect(d.tree.exists('/c')?.ephemeralOwner).toBe(0n);
    expect(d.tree.exists('/t')?.ephemeralOwner).toBe(0n);
  });

  it('deleteContainer deletes an empty container or TTL node, re-checking it is still empty', () => {
    const d = new Driver();
    d.create('/c', { mode: CreateMode.CONTAINER });
    d.create('/c/x');
    expect(d.apply({ type: 'deleteContainer', path: '/c' }).result).toEqual({ type: 'error', code: ErrorCode.NOTEMPTY });
    d.delete('/c/x');
    const { result, triggers } = d.apply({ type: 'deleteContainer', path: '/c' });
    expect(result).toEqual({ type: 'deleteContainer' });
    expect(triggers).toEqual([
      { path: '/c', type: 'NodeDeleted' },
      { path: '/', type: 'NodeChildrenChanged' },
    ]);
    d.create('/t', { mode: CreateMode.PERSISTENT_WITH_TTL, ttlMs: 5 });
    expect(d.apply({ type: 'deleteContainer', path: '/t' }).result).toEqual({ type: 'deleteContainer' });
  });

  it('createSession changes nothing in the tree', () => {
    const d = new Driver();
    const digest = d.tree.digest();
    expect(d.apply({ type: 'createSession', timeoutMs: 30_000, passwordDigest: new Uint8Array(20), ownerReplica: 'r1', fateShared: true }, 9n)).toEqual({ result: { type: 'createSession' }, triggers: [] });
    expect(d.tree.digest()).toBe(digest);
  });
});
