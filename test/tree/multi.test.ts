import { describe, expect, it } from 'vitest';
import { Leader, createOp, utf8 } from './leader-harness.js';
import { ErrorCode } from '../../src/errors/error-code.js';
import { CreateMode } from '../../src/tree/create-mode.js';
import { MAX_DATA_BYTES } from '../../src/tree/stat.js';
import { MAX_MULTI_OPS } from '../../src/tree/op-validation.js';
import type { MultiOp } from '../../src/tree/op.js';

const E = ErrorCode;
const multi = (...ops: MultiOp[]) => ({ type: 'multi' as const, ops });
const errors = (...codes: number[]) => ({ type: 'multi', results: codes.map((code) => ({ type: 'error', code })) });

describe('multi', () => {
  it('an empty multi succeeds with []', () => {
    const l = new Leader();
    expect(l.run(multi())).toEqual({ result: { type: 'multi', results: [] }, triggers: [] });
  });

  it('ops before the failing one report OK, the failing one its error, later ones RUNTIMEINCONSISTENCY', () => {
    const l = new Leader();
    const { result } = l.run(
      multi(createOp('/a'), createOp('/b'), { type: 'delete', path: '/missing', version: -1 }, createOp('/c'), { type: 'check', path: '/a', version: 0 }),
    );
    expect(result).toEqual(errors(E.OK, E.OK, E.NONODE, E.RUNTIMEINCONSISTENCY, E.RUNTIMEINCONSISTENCY));
  });

  it('a failed multi changes nothing and fires no watch, but still consumes a zxid', () => {
    const l = new Leader();
    l.run(createOp('/x'));
    const digest = l.tree.digest();
    const { header, txn } = l.prep(multi(createOp('/a'), { type: 'setData', path: '/x', data: utf8('v'), version: 3 }));
    expect(txn.type).toBe('multi');
    const [outcome] = l.commit();
    expect(outcome?.result).toEqual(errors(E.OK, E.BADVERSION));
    expect(outcome?.triggers).toEqual([]);
    expect(l.tree.exists('/a')).toBeNull();
    expect(l.tree.digest()).toBe(digest);
    expect(l.tree.lastZxid).toBe(header.zxid);
  });

  it('create and delete of one node in one multi succeeds', () => {
    const l = new Leader();
    const { result, triggers } = l.run(multi(createOp('/a'), { type: 'delete', path: '/a', version: 0 }));
    expect(result).toMatchObject({ type: 'multi', results: [{ type: 'create', path: '/a' }, { type: 'delete' }] });
    expect(triggers).toEqual([
      { path: '/a', type: 'NodeCreated' },
      { path: '/', type: 'NodeChildrenChanged' },
      { path: '/a', type: 'NodeDeleted' },
      { path: '/', type: 'NodeChildrenChanged' },
    ]);
    expect(l.tree.exists('/a')).toBeNull();
    expect(l.tree.exists('/')?.cversion).toBe(1); // 2 * 1 create - 1 child (/zookeeper)
  });

  it("a multi's ops see the earlier ops of the same multi (parents, versions, sequence numbers)", () => {
    const l = new Leader();
    const { result } = l.run(
      multi(
        createOp('/p'),
        createOp('/p/s-', { mode: CreateMode.PERSISTENT_SEQUENTIAL }),
        createOp('/p/s-', { mode: CreateMode.PERSISTENT_SEQUENTIAL }),
        { type: 'setData', path: '/p', data: utf8('1'), version: 0 },
        { type: 'check', path: '/p', version: 1 },
        { type: 'setData', path: '/p', data: utf8('2'), version: 1 },
      ),
    );
    expect(result).toMatchObject({
      type: 'multi',
      results: [
        { type: 'create', path: '/p' },
        { type: 'create', path: '/p/s-0000000000' },
        { type: 'create', path: '/p/s-0000000001' },
        { type: 'setData', stat: { version: 1 } },
        { type: 'check' },
        { type: 'setData', stat: { version: 2, cversion: 2, numChildren: 2 } },
      ],
    });
    // Every op of a multi shares its zxid.
    expect(l.tree.exists('/p')).toMatchObject({ czxid: l.zxid, mzxid: l.zxid, pzxid: l.zxid });
  });

  it('a failed multi rolls back its own pending records (sequence numbers too)', () => {
    const l = new Leader();
    l.run(createOp('/q'));
    l.prep(createOp('/q/n-', { mode: CreateMode.PERSISTENT_SEQUENTIAL })); // pending: counter -> 1
    const before = l.changes.size;
    const failed = l.prep(multi(createOp('/q/n-', { mode: CreateMode.PERSISTENT_SEQUENTIAL }), createOp('/q/missing/x')));
    expect(failed.txn).toEqual({
      type: 'multi',
      txns: [
        { type: 'error', code: E.OK },
        { type: 'error', code: E.NONODE },
      ],
    });
    expect(l.changes.size).toBe(before);
    const next = l.prep(createOp('/q/n-', { mode: CreateMode.PERSISTENT_SEQUENTIAL }));
    expect(next.txn).toMatchObject({ path: '/q/n-0000000001' });
    l.commit();
    expect(l.tree.getChildren('/q').children).toEqual(['n-0000000000', 'n-0000000001']);
  });

  it('a multi that creates, sets and deletes a node reports all three triggers in op order', () => {
    const l = new Leader();
    const { triggers } = l.run(
      multi(createOp('/w'), { type: 'setData', path: '/w', data: utf8('x'), version: -1 }, { type: 'delete', path: '/w', version: -1 }),
    );
    expect(triggers).toEqual([
      { path: '/w', type: 'NodeCreated' },
      { path: '/', type: 'NodeChildrenChanged' },
      { path: '/w', type: 'NodeDataChanged' },
      { path: '/w', type: 'NodeDeleted' },
      { path: '/', type: 'NodeChildrenChanged' },
    ]);
  });

  it('a multi over the op or data limit is one BADARGUMENTS error', () => {
    const l = new Leader();
    const many = Array.from({ length: MAX_MULTI_OPS + 1 }, (_, i) => ({ type: 'check' as const, path: `/n${i}`, version: -1 }));
    expect(l.prep(multi(...many)).txn).toEqual({ type: 'error', code: E.BADARGUMENTS });
    const half = new Uint8Array(Math.ceil(MAX_DATA_BYTES / 2) + 1);
    expect(l.prep(multi(createOp('/a', { data: half }), createOp('/b', { data: half }))).txn).toEqual({ type: 'error', code: E.BADARGUMENTS });
  });

  it('a multi cannot hold setACL or a nested multi (BADARGUMENTS at that op)', () => {
    const l = new Leader();
    const bad = { type: 'setACL', path: '/', acl: [], version: -1 } as unknown as MultiOp;
    expect(l.run(multi(createOp('/a'), bad)).result).toEqual(errors(E.OK, E.BADARGUMENTS));
  });

  it('apply keeps a multi all-or-nothing even when its txn does not fit the tree', () => {
    const l = new Leader();
    const header = { sessionId: 1n, cxid: 0, zxid: 1n, timeMs: 5 };
    const outcome = l.tree.apply(header, {
      type: 'multi',
      txns: [
        { type: 'create', path: '/a', data: utf8(''), acl: [], mode: 0, ephemeralOwner: 0n, ttlMs: 0, parentCversion: 1 },
        { type: 'delete', path: '/nope' },
        { type: 'setData', path: '/a', data: utf8('x'), version: 1 },
      ],
    });
    expect(outcome).toEqual({ result: errors(E.OK, E.NONODE, E.RUNTIMEINCONSISTENCY), triggers: [] });
    expect(l.tree.exists('/a')).toBeNull();
    expect(l.tree.lastZxid).toBe(1n);
  });
});
