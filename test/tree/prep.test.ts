import { describe, expect, it } from 'vitest';
import { Leader, createOp, utf8 } from './leader-harness.js';
import { ErrorCode } from '../../src/errors/error-code.js';
import { CreateMode, TTL_MAX_MS } from '../../src/tree/create-mode.js';
import { ANYONE_ID, CREATOR_ALL_ACL, OPEN_ACL_UNSAFE, Perms, generateDigest, type Acl } from '../../src/tree/acl.js';
import { MAX_DATA_BYTES } from '../../src/tree/stat.js';
import { formatSequenceSuffix, nextVersion } from '../../src/tree/prep.js';
import { validateWriteOp } from '../../src/tree/op-validation.js';
import { DataTree } from '../../src/tree/data-tree.js';
import { KeeperError } from '../../src/errors/keeper-error.js';

const E = ErrorCode;
const alice = { scheme: 'digest', id: generateDigest('alice:pw') };
const bob = { scheme: 'digest', id: generateDigest('bob:pw') };
const onlyAlice = (perms: number): Acl[] => [{ perms, id: alice }];

describe('prep: create', () => {
  it('create at an existing path is NODEEXISTS even if it is an ephemeral’s', () => {
    const l = new Leader();
    l.run(createOp('/e', { mode: CreateMode.EPHEMERAL }), 5n);
    expect(l.code(createOp('/e'))).toBe(E.NODEEXISTS);
    expect(l.code(createOp('/e', { mode: CreateMode.EPHEMERAL }), 5n)).toBe(E.NODEEXISTS);
  });

  it('a child of an ephemeral is NOCHILDRENFOREPHEMERALS (sequential too)', () => {
    const l = new Leader();
    l.run(createOp('/e', { mode: CreateMode.EPHEMERAL }), 5n);
    expect(l.code(createOp('/e/c'))).toBe(E.NOCHILDRENFOREPHEMERALS);
    expect(l.code(createOp('/e/s-', { mode: CreateMode.PERSISTENT_SEQUENTIAL }))).toBe(E.NOCHILDRENFOREPHEMERALS);
  });

  it('a grandchild under an ephemeral is NONODE, as is any create under a missing parent', () => {
    const l = new Leader();
    l.run(createOp('/e', { mode: CreateMode.EPHEMERAL }), 5n);
    expect(l.code(createOp('/e/c/g'))).toBe(E.NONODE);
    expect(l.code(createOp('/missing/c'))).toBe(E.NONODE);
  });

  it('sequential suffix counts creates only: create, delete, create gives 0000000001', () => {
    const l = new Leader();
    l.run(createOp('/a'));
    l.run(createOp('/a/x'));
    l.run({ type: 'delete', path: '/a/x', version: -1 });
    expect(l.run(createOp('/a/s-', { mode: CreateMode.PERSISTENT_SEQUENTIAL })).result).toMatchObject({ path: '/a/s-0000000001' });
  });

  it('a sequential create may end in /: "/a/" gives "/a/0000000004"', () => {
    const l = new Leader();
    l.run(createOp('/a'));
    for (const name of ['w', 'x', 'y', 'z']) l.run(createOp(`/a/${name}`));
    expect(l.run(createOp('/a/', { mode: CreateMode.PERSISTENT_SEQUENTIAL })).result).toMatchObject({ path: '/a/0000000004' });
  });

  it('the sequence counter is a signed 32-bit int: after 2147483647 it wraps to -2147483648', () => {
    expect(formatSequenceSuffix(7)).toBe('0000000007');
    expect(formatSequenceSuffix(2147483647)).toBe('2147483647');
    expect(formatSequenceSuffix(-5)).toBe('-000000005');
    expect(formatSequenceSuffix(-2147483648)).toBe('-2147483648');
    const l = new Leader();
    l.run(createOp('/q'));
    // Bring the counter to the edge by a snapshot edit (2^31 creates would take too long).
    const snapshot = l.tree.toSnapshot(new Uint8Array());
    const nodes = snapshot.nodes.map((n) => (n.path === '/q' ? { ...n, creates: 2147483647 } : n));
    const edge = new Leader(DataTree.fromSnapshot({ ...snapshot, nodes }));
    const first = edge.run(createOp('/q/n-', { mode: CreateMode.PERSISTENT_SEQUENTIAL })).result;
    expect(first).toMatchObject({ path: '/q/n-2147483647' });
    const second = edge.run(createOp('/q/n-', { mode: CreateMode.PERSISTENT_SEQUENTIAL })).result;
    expect(second).toMatchObject({ path: '/q/n--2147483648' });
    expect(edge.tree.nodeView('/q')?.creates).toBe(-2147483647);
  });

  it('an EPHEMERAL node is owned by the creating session; the others are owned by none', () => {
    const l = new Leader();
    expect(l.run(createOp('/e', { mode: CreateMode.EPHEMERAL_SEQUENTIAL }), 42n).result).toMatchObject({
      path: '/e0000000000',
      stat: { ephemeralOwner: 42n },
    });
    expect(l.run(createOp('/p'), 42n).result).toMatchObject({ stat: { ephemeralOwner: 0n } });
  });

  it('an ephemeral create needs a session (session 0 is BADARGUMENTS)', () => {
    expect(new Leader().code(createOp('/e', { mode: CreateMode.EPHEMERAL }), 0n)).toBe(E.BADARGUMENTS);
  });

  it('TTL modes need 0 < ttlMs <= TTL_MAX_MS; every other mode takes no TTL (BADARGUMENTS)', () => {
    const l = new Leader();
    const ttl = CreateMode.PERSISTENT_WITH_TTL;
    expect(l.code(createOp('/t0', { mode: ttl, ttlMs: 0 }))).toBe(E.BADARGUMENTS);
    expect(l.code(createOp('/t1', { mode: ttl, ttlMs: -5 }))).toBe(E.BADARGUMENTS);
    expect(l.code(createOp('/t2', { mode: ttl, ttlMs: TTL_MAX_MS + 1 }))).toBe(E.BADARGUMENTS);
    expect(l.code(createOp('/t3', { mode: ttl, ttlMs: 1.5 }))).toBe(E.BADARGUMENTS);
    expect(l.code(createOp('/t4', { mode: ttl, ttlMs: TTL_MAX_MS }))).toBe(0);
    expect(l.code(createOp('/t5', { mode: CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, ttlMs: 1 }))).toBe(0);
    expect(l.code(createOp('/e', { mode: CreateMode.EPHEMERAL, ttlMs: 100 }))).toBe(E.BADARGUMENTS);
    expect(l.code(createOp('/c', { mode: CreateMode.CONTAINER, ttlMs: 100 }))).toBe(E.BADARGUMENTS);
    expect(l.code(createOp('/p', { mode: CreateMode.PERSISTENT, ttlMs: 100 }))).toBe(E.BADARGUMENTS);
    expect(l.code({ ...createOp('/m'), mode: 9 as 0 })).toBe(E.BADARGUMENTS);
  });

  it('data over 1,048,575 bytes is BADARGUMENTS, with a message naming the limit', () => {
    const l = new Leader();
    expect(l.code(createOp('/ok', { data: new Uint8Array(MAX_DATA_BYTES) }))).toBe(0);
    expect(l.code(createOp('/big', { data: new Uint8Array(MAX_DATA_BYTES + 1) }))).toBe(E.BADARGUMENTS);
    expect(l.code({ type: 'setData', path: '/ok', data: new Uint8Array(MAX_DATA_BYTES + 1), version: -1 })).toBe(E.BADARGUMENTS);
    expect(() => validateWriteOp(createOp('/big', { data: new Uint8Array(MAX_DATA_BYTES + 1) }))).toThrow(
      'data is 1,048,576 bytes; a znode holds at most 1,048,575 bytes',
    );
  });

  it('a bad path is BADARGUMENTS', () => {
    const l = new Leader();
    for (const path of ['', 'a', '/a/', '/a//b', '/.', '/a\u0000']) {
      expect(l.code(createOp(path)), JSON.stringify(path)).toBe(E.BADARGUMENTS);
      expect(l.code({ type: 'delete', path, version: -1 }), JSON.stringify(path)).toBe(E.BADARGUMENTS);
      expect(l.code({ type: 'setData', path, data: utf8(''), version: -1 }), JSON.stringify(path)).toBe(E.BADARGUMENTS);
    }
    expect(() => validateWriteOp(createOp('/a/'))).toThrow(KeeperError);
  });

  it('a path over 4096 UTF-8 bytes is BADARGUMENTS, the sequential suffix included', () => {
    const l = new Leader();
    const name = (bytes: number) => 'x'.repeat(bytes - 1);
    expect(l.code(createOp(`/${name(4096)}`))).toBe(0);
    expect(l.code(createOp(`/${name(4097)}`))).toBe(E.BADARGUMENTS);
    expect(l.code(createOp(`/${'é'.repeat(2048)}`))).toBe(E.BADARGUMENTS); // 1 + 4096 bytes
    expect(l.code(createOp(`/${name(4086)}`, { mode: CreateMode.PERSISTENT_SEQUENTIAL }))).toBe(0); // + 10 digits
    expect(l.code(createOp(`/${name(4087)}`, { mode: CreateMode.PERSISTENT_SEQUENTIAL }))).toBe(E.BADARGUMENTS);
    expect(l.code({ type: 'setData', path: `/${name(5000)}`, data: utf8(''), version: -1 })).toBe(E.BADARGUMENTS);
    expect(() => validateWriteOp({ type: 'delete', path: `/${name(5000)}`, version: -1 })).toThrow(/at most 4096/);
  });

  it('an ACL over 1024 entries (after auth expands) is INVALIDACL', () => {
    const l = new Leader();
    const many = Array.from({ length: 1025 }, (_, i) => ({ perms: Perms.READ, id: { scheme: 'digest', id: generateDigest(`u${i}:pw`) } }));
    expect(l.code(createOp('/a', { acl: many }))).toBe(E.INVALIDACL);
    expect(l.code(createOp('/b', { acl: many.slice(0, 1024) }))).toBe(0);
  });

  it('writes under /zookeeper are BADARGUMENTS', () => {
    const l = new Leader();
    expect(l.code(createOp('/zookeeper/x'))).toBe(E.BADARGUMENTS);
    expect(l.code({ type: 'setData', path: '/zookeeper/config', data: utf8('x'), version: -1 })).toBe(E.BADARGUMENTS);
    expect(l.code({ type: 'delete', path: '/zookeeper/quota', version: -1 })).toBe(E.BADARGUMENTS);
    expect(l.code({ type: 'setACL', path: '/zookeeper', acl: OPEN_ACL_UNSAFE, version: -1 })).toBe(E.BADARGUMENTS);
    expect(l.code(createOp('/zookeeperish'))).toBe(0);
  });

  it('create of / is NODEEXISTS; a sequential create of / names a child of the root', () => {
    const l = new Leader();
    expect(l.code(createOp('/'))).toBe(E.NODEEXISTS);
    expect(l.run(createOp('/', { mode: CreateMode.PERSISTENT_SEQUENTIAL })).result).toMatchObject({ path: '/0000000000' });
  });
});

describe('prep: versions', () => {
  it('version -1 means any version; any other mismatch, negative included, is BADVERSION', () => {
    const l = new Leader();
    l.run(createOp('/a'));
    expect(l.code({ type: 'setData', path: '/a', data: utf8('1'), version: -1 })).toBe(0);
    expect(l.code({ type: 'setData', path: '/a', data: utf8('2'), version: 0 })).toBe(E.BADVERSION);
    expect(l.code({ type: 'setData', path: '/a', data: utf8('2'), version: -2 })).toBe(E.BADVERSION);
    expect(l.code({ type: 'setData', path: '/a', data: utf8('2'), version: 1 })).toBe(0);
    expect(l.code({ type: 'delete', path: '/a', version: 7 })).toBe(E.BADVERSION);
    expect(l.code({ type: 'delete', path: '/a', version: 2 })).toBe(0);
  });

  it('a version that is not a 32-bit integer is BADARGUMENTS', () => {
    const l = new Leader();
    l.run(createOp('/a'));
    expect(l.code({ type: 'setData', path: '/a', data: utf8('1'), version: 1.5 })).toBe(E.BADARGUMENTS);
    expect(l.code({ type: 'delete', path: '/a', version: 2 ** 31 })).toBe(E.BADARGUMENTS);
  });

  it('the next version wraps as a Java int and skips -1', () => {
    expect(nextVersion(0, -1, '/a')).toBe(1);
    expect(nextVersion(2147483647, -1, '/a')).toBe(-2147483648);
    expect(nextVersion(-2, -1, '/a')).toBe(0);
    expect(() => nextVersion(3, 4, '/a')).toThrow(/BADVERSION/);
  });

  it('setACL checks and bumps the aversion, not the version', () => {
    const l = new Leader();
    l.run(createOp('/a'));
    expect(l.code({ type: 'setACL', path: '/a', acl: OPEN_ACL_UNSAFE, version: 1 })).toBe(E.BADVERSION);
    expect(l.run({ type: 'setACL', path: '/a', acl: OPEN_ACL_UNSAFE, version: 0 }).result).toMatchObject({ stat: { aversion: 1, version: 0 } });
  });

  it('delete of a node with children is NOTEMPTY (after the version check)', () => {
    const l = new Leader();
    l.run(createOp('/a'));
    l.run(createOp('/a/b'));
    expect(l.code({ type: 'delete', path: '/a', version: 5 })).toBe(E.BADVERSION);
    expect(l.code({ type: 'delete', path: '/a', version: -1 })).toBe(E.NOTEMPTY);
    expect(l.code({ type: 'delete', path: '/', version: -1 })).toBe(E.NOTEMPTY);
  });

  it('a failed write consumes a zxid; the tree only advances lastZxid', () => {
    const l = new Leader();
    const digest = l.tree.digest();
    const { header, txn } = l.prep({ type: 'delete', path: '/none', version: -1 });
    expect(txn).toEqual({ type: 'error', code: E.NONODE });
    l.commit();
    expect(l.tree.lastZxid).toBe(header.zxid);
    expect(l.tree.digest()).toBe(digest);
  });
});

describe('prep: ACLs (ZooKeeper 3.9 permissions)', () => {
  it('create needs CREATE on the parent', () => {
    const l = new Leader();
    l.run(createOp('/p', { acl: onlyAlice(Perms.ALL & ~Perms.CREATE) }), 1n, [alice]);
    expect(l.code(createOp('/p/c'), 1n, [alice])).toBe(E.NOAUTH);
    l.run({ type: 'setACL', path: '/p', acl: onlyAlice(Perms.CREATE | Perms.ADMIN), version: -1 }, 1n, [alice]);
    expect(l.code(createOp('/p/c'), 1n, [alice])).toBe(0);
    expect(l.code(createOp('/p/d'), 1n, [ANYONE_ID])).toBe(E.NOAUTH);
  });

  it('delete needs DELETE on the parent (not on the node)', () => {
    const l = new Leader();
    l.run(createOp('/p', { acl: onlyAlice(Perms.ALL & ~Perms.DELETE) }), 1n, [alice]);
    l.run(createOp('/p/c'), 1n, [alice]);
    expect(l.code({ type: 'delete', path: '/p/c', version: -1 }, 1n, [alice])).toBe(E.NOAUTH);
    l.run(createOp('/q', { acl: onlyAlice(Perms.DELETE | Perms.CREATE) }), 1n, [alice]);
    l.run(createOp('/q/c', { acl: onlyAlice(0) }), 1n, [alice]);
    expect(l.code({ type: 'delete', path: '/q/c', version: -1 }, 1n, [alice])).toBe(0);
  });

  it('delete: NOAUTH on the parent wins over NONODE of the node; a missing parent is NONODE', () => {
    const l = new Leader();
    l.run(createOp('/p', { acl: onlyAlice(Perms.ALL) }), 1n, [alice]);
    expect(l.code({ type: 'delete', path: '/p/none', version: -1 }, 1n, [bob])).toBe(E.NOAUTH);
    expect(l.code({ type: 'delete', path: '/none/x', version: -1 }, 1n, [bob])).toBe(E.NONODE);
  });

  it('setData needs WRITE; NOAUTH wins over BADVERSION', () => {
    const l = new Leader();
    l.run(createOp('/a', { acl: onlyAlice(Perms.READ) }), 1n, [alice]);
    expect(l.code({ type: 'setData', path: '/a', data: utf8('x'), version: 9 }, 1n, [alice])).toBe(E.NOAUTH);
  });

  it('setACL needs ADMIN', () => {
    const l = new Leader();
    l.run(createOp('/a', { acl: onlyAlice(Perms.ALL & ~Perms.ADMIN) }), 1n, [alice]);
    expect(l.code({ type: 'setACL', path: '/a', acl: OPEN_ACL_UNSAFE, version: -1 }, 1n, [alice])).toBe(E.NOAUTH);
  });

  it('check needs READ', () => {
    const l = new Leader();
    l.run(createOp('/a', { acl: onlyAlice(Perms.WRITE) }), 1n, [alice]);
    expect(l.code({ type: 'check', path: '/a', version: 0 }, 1n, [alice])).toBe(E.NOAUTH);
    l.run(createOp('/b', { acl: onlyAlice(Perms.READ) }), 1n, [alice]);
    expect(l.code({ type: 'check', path: '/b', version: 0 }, 1n, [alice])).toBe(0);
    expect(l.code({ type: 'check', path: '/b', version: 3 }, 1n, [alice])).toBe(E.BADVERSION);
    expect(l.code({ type: 'check', path: '/zookeeper/config', version: 0 })).toBe(0);
  });

  it('an invalid ACL is INVALIDACL, checked before the parent exists', () => {
    const l = new Leader();
    expect(l.code(createOp('/none/x', { acl: [] }))).toBe(E.INVALIDACL);
    expect(l.code(createOp('/a', { acl: [{ perms: 99, id: ANYONE_ID }] }))).toBe(E.INVALIDACL);
    expect(l.code({ ...createOp('/a'), acl: 'nope' as unknown as Acl[] })).toBe(E.INVALIDACL);
    expect(l.code(createOp('/a', { acl: CREATOR_ALL_ACL }), 1n, [ANYONE_ID])).toBe(E.INVALIDACL);
  });

  it('the auth scheme expands to the creator’s authenticated ids', () => {
    const l = new Leader();
    l.run(createOp('/a', { acl: CREATOR_ALL_ACL }), 1n, [ANYONE_ID, alice]);
    expect(l.tree.getACL('/a').acl).toEqual([{ perms: Perms.ALL, id: alice }]);
  });
});

describe('prep: pipelined requests resolve as ZooKeeper resolves them', () => {
  it('two pipelined creates of one path: the second is NODEEXISTS', () => {
    const l = new Leader();
    expect(l.prep(createOp('/a'), 1n).txn.type).toBe('create');
    expect(l.prep(createOp('/a'), 2n).txn).toEqual({ type: 'error', code: E.NODEEXISTS });
    const outcomes = l.commit();
    expect(outcomes.map((o) => o.result.type)).toEqual(['create', 'error']);
  });

  it('sequential numbers continue across pending creates', () => {
    const l = new Leader();
    l.run(createOp('/q'));
    const paths = [1n, 2n, 3n].map((s) => {
      const { txn } = l.prep(createOp('/q/n-', { mode: CreateMode.EPHEMERAL_SEQUENTIAL }), s);
      return txn.type === 'create' ? txn.path : txn.type;
    });
    expect(paths).toEqual(['/q/n-0000000000', '/q/n-0000000001', '/q/n-0000000002']);
    l.commit();
    expect(l.tree.getChildren('/q').children).toEqual(['n-0000000000', 'n-0000000001', 'n-0000000002']);
  });

  it('delete then create of the same path, pipelined, both succeed', () => {
    const l = new Leader();
    l.run(createOp('/a', { data: 'old' }));
    expect(l.prep({ type: 'delete', path: '/a', version: -1 }).txn.type).toBe('delete');
    expect(l.prep(createOp('/a', { data: 'new' })).txn.type).toBe('create');
    l.commit();
    expect(new TextDecoder().decode(l.tree.getData('/a').data)).toBe('new');
  });

  it('a child of a pending ephemeral is NOCHILDRENFOREPHEMERALS; of a pending delete NONODE', () => {
    const l = new Leader();
    l.prep(createOp('/e', { mode: CreateMode.EPHEMERAL }), 3n);
    expect(l.prep(createOp('/e/c')).txn).toEqual({ type: 'error', code: E.NOCHILDRENFOREPHEMERALS });
    l.prep({ type: 'delete', path: '/e', version: -1 });
    expect(l.prep(createOp('/e/c')).txn).toEqual({ type: 'error', code: E.NONODE });
  });

  it('pipelined setData versions continue: the second expects the version the first leaves', () => {
    const l = new Leader();
    l.run(createOp('/a'));
    expect(l.prep({ type: 'setData', path: '/a', data: utf8('1'), version: 0 }).txn).toMatchObject({ version: 1 });
    expect(l.prep({ type: 'setData', path: '/a', data: utf8('2'), version: 0 }).txn).toEqual({ type: 'error', code: E.BADVERSION });
    expect(l.prep({ type: 'setData', path: '/a', data: utf8('2'), version: 1 }).txn).toMatchObject({ version: 2 });
    l.commit();
    expect(l.tree.exists('/a')?.version).toBe(2);
  });

  it('a parent whose last child has a pending delete can be deleted in the same pipeline', () => {
    const l = new Leader();
    l.run(createOp('/p'));
    l.run(createOp('/p/c'));
    expect(l.prep({ type: 'delete', path: '/p', version: -1 }).txn).toEqual({ type: 'error', code: E.NOTEMPTY });
    l.prep({ type: 'delete', path: '/p/c', version: -1 });
    expect(l.prep({ type: 'delete', path: '/p', version: -1 }).txn.type).toBe('delete');
    l.commit();
    expect(l.tree.exists('/p')).toBeNull();
  });

  it('a pending setACL revocation applies to requests pipelined after it', () => {
    const l = new Leader();
    l.run(createOp('/a'));
    l.prep({ type: 'setACL', path: '/a', acl: onlyAlice(Perms.ALL), version: -1 }, 1n, [alice]);
    expect(l.prep({ type: 'setData', path: '/a', data: utf8('x'), version: -1 }, 2n, [bob]).txn).toEqual({
      type: 'error',
      code: E.NOAUTH,
    });
  });

  it('a failed request leaves no pending record', () => {
    const l = new Leader();
    l.run(createOp('/a'));
    const before = l.changes.size;
    l.prep(createOp('/a'));
    l.prep({ type: 'setData', path: '/a', data: utf8('x'), version: 4 });
    expect(l.changes.size).toBe(before);
  });

  it('applied(zxid) drops the records the tree has caught up with, and only those', () => {
    const l = new Leader();
    const first = l.prep(createOp('/a'));
    l.prep(createOp('/b'));
    expect(l.changes.size).toBe(4);
    l.tree.apply(first.header, first.txn);
    l.changes.applied(first.header.zxid);
    expect(l.changes.size).toBe(2);
    // '/' was re-recorded by the second create: that record still answers (2 creates pending + applied).
    expect(l.changes.lookup('/')?.creates).toBe(2);
    expect(l.changes.lookup('/b')).not.toBeNull();
  });

  it('clear() drops every pending record (leader change): the tree alone answers', () => {
    const l = new Leader();
    l.prep(createOp('/a'));
    l.changes.clear();
    expect(l.changes.size).toBe(0);
    expect(l.changes.lookup('/a')).toBeNull();
  });

  it('when the pending table is full, prep answers THROTTLEDOP', async () => {
    const { PendingChanges } = await import('../../src/tree/pending-changes.js');
    const { prep } = await import('../../src/tree/prep.js');
    const changes = new PendingChanges(new DataTree(), { maxRecords: 2 });
    const ctx = { sessionId: 1n, authIds: [ANYONE_ID], zxid: 1n, timeMs: 0 };
    expect(prep(createOp('/a'), ctx, changes).type).toBe('create');
    expect(prep(createOp('/b'), { ...ctx, zxid: 2n }, changes)).toEqual({ type: 'error', code: E.THROTTLEDOP });
  });
});

describe('prep: closeSession and deleteContainer', () => {
  it('closeSession deletes the session’s pending ephemerals too, and not ones already pending deletion', () => {
    const l = new Leader();
    l.run(createOp('/p'));
    l.run(createOp('/p/old', { mode: CreateMode.EPHEMERAL }), 5n);
    l.run(createOp('/p/gone', { mode: CreateMode.EPHEMERAL }), 5n);
    l.prep(createOp('/p/new', { mode: CreateMode.EPHEMERAL }), 5n);
    l.prep({ type: 'delete', path: '/p/gone', version: -1 }, 6n);
    l.prepClose(5n);
    // Pipelined after the close: the parent is seen empty.
    expect(l.prep({ type: 'delete', path: '/p', version: -1 }, 6n).txn.type).toBe('delete');
    const outcomes = l.commit();
    expect(outcomes[2]?.triggers).toEqual([
      { path: '/p/new', type: 'NodeDeleted' },
      { path: '/p', type: 'NodeChildrenChanged' },
      { path: '/p/old', type: 'NodeDeleted' },
      { path: '/p', type: 'NodeChildrenChanged' },
    ]);
    expect(l.tree.exists('/p')).toBeNull();
  });

  it('prepDeleteContainer re-checks: NOTEMPTY with a pending child, BADVERSION when not due any more', () => {
    const l = new Leader();
    l.run(createOp('/c', { mode: CreateMode.CONTAINER }));
    l.run(createOp('/c/x'));
    l.run({ type: 'delete', path: '/c/x', version: -1 });
    expect(l.tree.dueForDeletion(l.timeMs)).toEqual(['/c']);
    l.prep(createOp('/c/y'));
    expect(l.prepDeleteContainer('/c').txn).toEqual({ type: 'error', code: E.NOTEMPTY });
    l.commit();
    l.run({ type: 'delete', path: '/c/y', version: -1 });
    expect(l.prepDeleteContainer('/c').txn).toEqual({ type: 'deleteContainer', path: '/c' });
    expect(l.prepDeleteContainer('/c').txn).toEqual({ type: 'error', code: E.NONODE });
    l.commit();
    expect(l.tree.exists('/c')).toBeNull();

    l.run(createOp('/t', { mode: CreateMode.PERSISTENT_WITH_TTL, ttlMs: 1_000 }));
    l.timeMs += 2_000;
    expect(l.tree.dueForDeletion(l.timeMs)).toEqual(['/t']);
    l.prep({ type: 'setData', path: '/t', data: utf8('fresh'), version: -1 });
    expect(l.prepDeleteContainer('/t').txn).toEqual({ type: 'error', code: E.BADVERSION });
    l.run(createOp('/plain'));
    expect(l.prepDeleteContainer('/plain').txn).toEqual({ type: 'error', code: E.BADVERSION });
  });
});
