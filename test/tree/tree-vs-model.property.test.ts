import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DumbModel, type ModelOutcome } from './dumb-model.js';
import { DataTree } from '../../src/tree/data-tree.js';
import { PendingChanges } from '../../src/tree/pending-changes.js';
import { prep, prepCloseSession, prepDeleteContainer } from '../../src/tree/prep.js';
import { ANYONE_ID, CREATOR_ALL_ACL, OPEN_ACL_UNSAFE, Perms, generateDigest, type Acl, type Id } from '../../src/tree/acl.js';
import { CreateMode, type CreateModeFlag } from '../../src/tree/create-mode.js';
import type { CreateOp, MultiOp, ReadOp, WriteOp } from '../../src/tree/op.js';
import type { Txn, TxnHeader } from '../../src/tree/txn.js';

const alice: Id = { scheme: 'digest', id: generateDigest('alice:pw') };
const bob: Id = { scheme: 'digest', id: generateDigest('bob:pw') };
/** Session 1 is anonymous, 2 is alice, 3 is bob. */
const AUTH: ReadonlyMap<bigint, readonly Id[]> = new Map([
  [1n, [ANYONE_ID]],
  [2n, [ANYONE_ID, alice]],
  [3n, [ANYONE_ID, bob]],
]);
/** One byte over the limit; prints as BIG in counterexamples. */
const BIG = Object.assign(new Uint8Array(1_048_576), { [fc.toStringMethod]: () => 'BIG' });

const sessionArb = fc.constantFrom(1n, 2n, 3n);
const nameArb = fc.constantFrom('a', 'b', 'c');
const goodPathArb = fc.oneof(
  { weight: 4, arbitrary: nameArb.map((a) => `/${a}`) },
  { weight: 4, arbitrary: fc.tuple(nameArb, nameArb).map(([a, b]) => `/${a}/${b}`) },
  { weight: 1, arbitrary: fc.tuple(nameArb, nameArb, nameArb).map(([a, b, c]) => `/${a}/${b}/${c}`) },
);
/**
 * A path, or a reference resolved when the op is prepped: "\u0001k<n>" is the n-th path the run has
 * seen created (mod their count), "\u0001k<n>/<name>" a child of it. Keeps most ops on live nodes.
 */
const existingArb = fc.nat(1_000).map((n) => `\u0001k${n}`);
const childArb = fc.tuple(fc.nat(1_000), nameArb).map(([n, child]) => `\u0001k${n}/${child}`);
const badPathArb = fc.constantFrom('/', '/a/', 'a', '/zookeeper', '/zookeeper/config', '/zookeeper/x', '/a//b');
/** Mostly nodes the run has created (see Run.resolvePath), sometimes fixed or bad paths. */
const pathArb = fc.oneof(
  { weight: 5, arbitrary: goodPathArb },
  { weight: 20, arbitrary: existingArb },
  { weight: 3, arbitrary: childArb },
  { weight: 1, arbitrary: badPathArb },
);
/** Where a create goes: mostly under a node the run has created. */
const createPathArb = fc.oneof(
  { weight: 5, arbitrary: goodPathArb },
  { weight: 20, arbitrary: childArb },
  { weight: 3, arbitrary: existingArb },
  { weight: 1, arbitrary: badPathArb },
);
const versionArb = fc.constantFrom(-1, -1, -1, 0, 0, 1, 2, -2);
const dataArb = fc.oneof(
  { weight: 20, arbitrary: fc.constantFrom('', 'x', 'hello', 'zz').map((s) => new TextEncoder().encode(s)) },
  { weight: 1, arbitrary: fc.constant(BIG) },
);
const aclArb: fc.Arbitrary<readonly Acl[]> = fc.oneof(
  { weight: 20, arbitrary: fc.constant(OPEN_ACL_UNSAFE) },
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 31 }).map((perms) => [{ perms, id: alice }]) },
  {
    weight: 2,
    arbitrary: fc.integer({ min: 0, max: 31 }).map((perms) => [
      { perms: Perms.READ, id: ANYONE_ID },
      { perms, id: bob },
    ]),
  },
  { weight: 2, arbitrary: fc.constant(CREATOR_ALL_ACL) },
  { weight: 1, arbitrary: fc.constant([] as Acl[]) },
);
const modeArb = fc.oneof(
  { weight: 10, arbitrary: fc.constant<CreateModeFlag>(0) },
  { weight: 20, arbitrary: fc.constantFrom<CreateModeFlag>(0, 1, 2, 3, 4, 5, 6) },
  { weight: 1, arbitrary: fc.constant(9 as CreateModeFlag) },
);

const createArb: fc.Arbitrary<CreateOp> = fc
  .record({
    path: createPathArb,
    suffix: fc.constantFrom('', '', '-', '/'),
    data: dataArb,
    acl: aclArb,
    mode: modeArb,
    ttlMs: fc.oneof({ weight: 12, arbitrary: fc.constantFrom(0, 0, 1, 40, 500, 5_000) }, { weight: 1, arbitrary: fc.constant(-1) }),
  })
  .map(({ path, suffix, data, acl, mode, ttlMs }) => {
    const ttl = mode === CreateMode.PERSISTENT_WITH_TTL || mode === CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL;
    const sequential = mode === 2 || mode === 3 || mode === 6;
    return {
      type: 'create',
      path: sequential && path !== '/' ? `${path}${suffix}` : path,
      data,
      acl,
      mode,
      // Mostly the right kind of TTL for the mode, sometimes a wrong one.
      ttlMs: ttl ? (ttlMs === 0 ? 200 : ttlMs) : ttlMs === -1 ? 100 : 0,
    } satisfies CreateOp;
  });

const multiOpArb: fc.Arbitrary<MultiOp> = fc.oneof(
  { weight: 4, arbitrary: createArb },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('delete' as const), path: pathArb, version: versionArb }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('setData' as const), path: pathArb, data: dataArb, version: versionArb }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('check' as const), path: pathArb, version: versionArb }) },
);

const writeArb: fc.Arbitrary<WriteOp> = fc.oneof(
  { weight: 8, arbitrary: multiOpArb },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('setACL' as const), path: pathArb, acl: aclArb, version: versionArb }) },
  { weight: 2, arbitrary: fc.array(multiOpArb, { maxLength: 4 }).map((ops) => ({ type: 'multi' as const, ops })) },
);

const readArb: fc.Arbitrary<ReadOp> = fc.oneof(
  fc.record({ type: fc.constant('getData' as const), path: pathArb }),
  fc.record({ type: fc.constant('exists' as const), path: pathArb }),
  fc.record({ type: fc.constant('getChildren' as const), path: pathArb }),
  fc.record({ type: fc.constant('getACL' as const), path: pathArb }),
  fc.record({ type: fc.constant('getAllChildrenNumber' as const), path: pathArb }),
  fc.record({ type: fc.constant('getEphemerals' as const), prefix: fc.constantFrom('/', '/a', '/b/') }),
);

type Action =
  | { kind: 'write'; op: WriteOp; session: bigint }
  | { kind: 'close'; session: bigint }
  | { kind: 'commit'; count: number }
  | { kind: 'read'; op: ReadOp; session: bigint }
  | { kind: 'tick'; ms: number }
  | { kind: 'expire' };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 14, arbitrary: fc.record({ kind: fc.constant('write' as const), op: writeArb, session: sessionArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), session: sessionArb }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('commit' as const), count: fc.integer({ min: 1, max: 6 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('read' as const), op: readArb, session: sessionArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.constantFrom(30, 300, 3_000, 400_000) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'expire' as const }) },
);

/** What the model must do when the txn at the head of the log is applied. */
type Pending =
  | { header: TxnHeader; txn: Txn; kind: 'write'; op: WriteOp }
  | { header: TxnHeader; txn: Txn; kind: 'close' }
  | { header: TxnHeader; txn: Txn; kind: 'deleteContainer'; path: string };

class Run {
  readonly tree = new DataTree();
  readonly changes = new PendingChanges(this.tree);
  readonly model = new DumbModel();
  readonly log: Pending[] = [];
  zxid = 0n;
  timeMs = 1_000_000;
  readonly known: string[] = ['/'];

  resolvePath(path: string): string {
    if (!path.startsWith('\u0001k')) return path;
    const [index, child] = path.slice(2).split('/');
    const base = this.known[Number(index) % this.known.length] as string;
    if (child === undefined) return base;
    return base === '/' ? `/${child}` : `${base}/${child}`;
  }

  resolve(op: WriteOp): WriteOp {
    if (op.type === 'multi') return { ...op, ops: op.ops.map((sub) => this.resolve(sub) as MultiOp) };
    return { ...op, path: this.resolvePath(op.path) };
  }

  learn(txn: Txn): void {
    if (txn.type === 'create' && this.known.length < 200) this.known.push(txn.path);
    if (txn.type === 'multi') for (const sub of txn.txns) this.learn(sub);
  }

  header(sessionId: bigint): TxnHeader {
    this.zxid += 1n;
    this.timeMs += 1;
    return { sessionId, cxid: 0, zxid: this.zxid, timeMs: this.timeMs };
  }

  commit(count: number): void {
    for (const entry of this.log.splice(0, count)) {
      const actual = this.tree.apply(entry.header, entry.txn);
      this.changes.applied(entry.header.zxid);
      const { zxid, timeMs, sessionId } = entry.header;
      let expected: ModelOutcome;
      if (entry.kind === 'write') expected = this.model.write(entry.op, sessionId, AUTH.get(sessionId) ?? [], zxid, timeMs);
      else if (entry.kind === 'close') expected = this.model.closeSession(sessionId, zxid);
      else expected = this.model.deleteContainer(entry.path, zxid, timeMs);
      expect(actual, `${entry.kind} ${JSON.stringify(entry.kind === 'write' ? entry.op : '', (_, v) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? `bytes(${v.length})` : v))}`).toEqual(expected);
    }
  }

  step(action: Action): void {
    switch (action.kind) {
      case 'write': {
        const header = this.header(action.session);
        const ctx = { sessionId: action.session, authIds: AUTH.get(action.session) ?? [], zxid: header.zxid, timeMs: header.timeMs };
        const op = this.resolve(action.op);
        const txn = prep(op, ctx, this.changes);
        this.learn(txn);
        this.log.push({ header, txn, kind: 'write', op });
        return;
      }
      case 'close': {
        const header = this.header(action.session);
        this.log.push({ header, txn: prepCloseSession(action.session, header.zxid, this.changes), kind: 'close' });
        return;
      }
      case 'commit':
        this.commit(action.count);
        return;
      case 'read': {
        const op = action.op.type === 'getEphemerals' ? action.op : { ...action.op, path: this.resolvePath(action.op.path) };
        expect(this.tree.read(op, action.session, AUTH.get(action.session) ?? [])).toEqual(
          this.model.read(op, action.session, AUTH.get(action.session) ?? []),
        );
        return;
      }
      case 'tick':
        this.timeMs += action.ms;
        return;
      case 'expire': {
        this.commit(this.log.length);
        const due = this.tree.dueForDeletion(this.timeMs);
        expect(due).toEqual(this.model.due(this.timeMs));
        for (const path of due) {
          const header = this.header(0n);
          this.log.push({ header, txn: prepDeleteContainer(path, header, this.changes), kind: 'deleteContainer', path });
        }
        return;
      }
    }
  }

  /** Every node, every Stat field, data and ACL; then the snapshot round trip and its digest. */
  compareEverything(): void {
    this.commit(this.log.length);
    expect(this.changes.size).toBe(0);
    const paths = this.model.paths();
    expect(this.tree.nodeCount).toBe(paths.length);
    for (const path of paths) {
      expect(this.tree.exists(path), path).toEqual(this.model.stat(path));
      expect(this.tree.getData(path).data, path).toEqual(this.model.data(path));
      expect(this.tree.getACL(path).acl, path).toEqual(this.model.acl(path));
      expect(this.tree.getChildren(path).children, path).toEqual(this.model.children(path));
    }
    const copy = DataTree.fromSnapshot(this.tree.toSnapshot(new Uint8Array()));
    expect(copy.digest()).toBe(this.tree.digest());
    expect(copy.toSnapshot(new Uint8Array())).toEqual(this.tree.toSnapshot(new Uint8Array()));
  }
}

describe('property: pipelined prep + apply answers as a dumb sequential model does', () => {
  it('every result, error code, trigger and Stat field matches over random op sequences', () => {
    fc.assert(
      fc.property(fc.array(actionArb, { minLength: 1, maxLength: 80, size: 'max' }), (actions) => {
        const run = new Run();
        for (const action of actions) run.step(action);
        run.compareEverything();
      }),
      { numRuns: 1_500 },
    );
  });
});
