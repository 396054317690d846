import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Leader, createOp, utf8 } from './leader-harness.js';
import { DataTree } from '../../src/tree/data-tree.js';
import { CreateMode, type CreateModeFlag } from '../../src/tree/create-mode.js';
import { OPEN_ACL_UNSAFE, Perms, READ_ACL_UNSAFE, generateDigest } from '../../src/tree/acl.js';
import type { SnapshotNode, TreeSnapshot } from '../../src/tree/snapshot-node.js';
import { isKeeperError } from '../../src/errors/keeper-error.js';
import { createPrng } from '../../src/util/prng.js';
import { encodeTreeSnapshot } from '../../src/wire/snapshot-encoder.js';

const NO_SESSIONS = new Uint8Array();

function busyLeader(): Leader {
  const l = new Leader();
  const alice = { scheme: 'digest', id: generateDigest('alice:pw') };
  l.run(createOp('/b', { data: 'bee' }));
  l.run(createOp('/a-b'));
  l.run(createOp('/a'));
  l.run(createOp('/a/y', { acl: [{ perms: Perms.READ, id: alice }] }));
  l.run(createOp('/a/x', { mode: CreateMode.EPHEMERAL }), 7n);
  l.run(createOp('/c', { mode: CreateMode.CONTAINER }));
  l.run(createOp('/c/k'));
  l.run(createOp('/t', { mode: CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, ttlMs: 60_000 }));
  l.run({ type: 'setData', path: '/b', data: utf8('bee2'), version: 0 });
  l.run(createOp('/d'));
  l.run({ type: 'delete', path: '/d', version: -1 });
  return l;
}

describe('snapshots', () => {
  it('toSnapshot lists every node parents first: depth first from /, siblings sorted by name', () => {
    const paths = busyLeader()
      .tree.toSnapshot(NO_SESSIONS)
      .nodes.map((n) => n.path);
    expect(paths).toEqual([
      '/', '/a', '/a/x', '/a/y', '/a-b', '/b', '/c', '/c/k', '/t0000000004', '/zookeeper', '/zookeeper/config', '/zookeeper/quota',
    ]);
  });

  it('toSnapshot is deterministic and carries lastZxid and the session bytes untouched', () => {
    const l = busyLeader();
    const sessions = new Uint8Array([1, 2, 3]);
    const snapshot = l.tree.toSnapshot(sessions);
    expect(snapshot.lastZxid).toBe(l.tree.lastZxid);
    expect(snapshot.sessions).toBe(sessions);
    expect(l.tree.toSnapshot(sessions)).toEqual(snapshot);
  });

  it('fromSnapshot rebuilds the same tree: stats, data, ACLs, children, indexes and digest', () => {
    const original = busyLeader().tree;
    const copy = DataTree.fromSnapshot(original.toSnapshot(NO_SESSIONS));
    expect(copy.digest()).toBe(original.digest());
    expect(copy.lastZxid).toBe(original.lastZxid);
    expect(copy.nodeCount).toBe(original.nodeCount);
    for (const { path } of original.toSnapshot(NO_SESSIONS).nodes) {
      expect(copy.getData(path), path).toEqual(original.getData(path));
      expect(copy.getACL(path), path).toEqual(original.getACL(path));
      expect(copy.getChildren(path), path).toEqual(original.getChildren(path));
    }
    // The indexes come back too: ephemerals by owner, containers and TTL nodes.
    expect(copy.getEphemerals(7n)).toEqual(['/a/x']);
    expect(copy.dueForDeletion(Number.MAX_SAFE_INTEGER)).toEqual(original.dueForDeletion(Number.MAX_SAFE_INTEGER));
    const l = new Leader(copy);
    l.prepClose(7n);
    expect(l.commit()[0]?.triggers).toEqual([
      { path: '/a/x', type: 'NodeDeleted' },
      { path: '/a', type: 'NodeChildrenChanged' },
    ]);
  });

  it('a replica rebuilt from a snapshot keeps applying the log to the same state as the original', () => {
    const first = busyLeader();
    const second = new Leader(DataTree.fromSnapshot(first.tree.toSnapshot(NO_SESSIONS)));
    second.timeMs = first.timeMs;
    for (const l of [first, second]) {
      l.run(createOp('/a/s-', { mode: CreateMode.PERSISTENT_SEQUENTIAL }));
      l.run({ type: 'delete', path: '/c/k', version: -1 });
    }
    expect(second.tree.digest()).toBe(first.tree.digest());
    expect(second.tree.toSnapshot(NO_SESSIONS)).toEqual(first.tree.toSnapshot(NO_SESSIONS));
  });
});

describe('digest', () => {
  it('is kept up to date incrementally: after every txn it equals a from-scratch rebuild', () => {
    const prng = createPrng(7);
    const l = new Leader();
    const names = ['a', 'b', 'c'];
    const pick = () => names[prng.nextInt(names.length)] as string;
    for (let i = 0; i < 300; i++) {
      const path = prng.chance(0.5) ? `/${pick()}` : `/${pick()}/${pick()}`;
      const roll = prng.nextInt(5);
      if (roll === 0) l.run({ type: 'delete', path, version: -1 });
      else if (roll === 1) l.run({ type: 'setData', path, data: utf8(String(i)), version: -1 });
      else if (roll === 2) l.run({ type: 'setACL', path, acl: [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }], version: -1 });
      else if (roll === 3) l.run(createOp(path, { mode: CreateMode.EPHEMERAL }), 3n);
      else l.run(createOp(path, { data: 'x' }));
      if (i % 25 === 0) l.prepClose(3n);
      l.commit();
      expect(DataTree.fromSnapshot(l.tree.toSnapshot(NO_SESSIONS)).digest(), `after step ${i}`).toBe(l.tree.digest());
    }
  });

  it('two replicas that applied the same txns agree; any divergence changes the digest', () => {
    const one = busyLeader();
    const two = busyLeader();
    expect(two.tree.digest()).toBe(one.tree.digest());
    two.run({ type: 'setData', path: '/b', data: utf8('bee2'), version: -1 });
    expect(two.tree.digest()).not.toBe(one.tree.digest());
  });

  it('every stored field of every node counts: changing any one changes the digest', () => {
    const snapshot = busyLeader().tree.toSnapshot(NO_SESSIONS);
    const base = DataTree.fromSnapshot(snapshot).digest();
    const edits: [string, (n: SnapshotNode) => SnapshotNode][] = [
      ['data', (n) => ({ ...n, data: utf8('bee3') })],
      ['czxid', (n) => ({ ...n, czxid: n.czxid + 1n })],
      ['mzxid', (n) => ({ ...n, mzxid: n.mzxid + 1n })],
      ['pzxid', (n) => ({ ...n, pzxid: n.pzxid + 1n })],
      ['ctime', (n) => ({ ...n, ctime: n.ctime + 1 })],
      ['mtime', (n) => ({ ...n, mtime: n.mtime + 1 })],
      ['version', (n) => ({ ...n, version: n.version + 1 })],
      ['creates', (n) => ({ ...n, creates: n.creates + 1 })],
      ['aversion', (n) => ({ ...n, aversion: n.aversion + 1 })],
      ['acl', (n) => ({ ...n, acl: [{ perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } }] })],
      ['mode', (n) => ({ ...n, mode: CreateMode.CONTAINER })],
    ];
    const seen = new Set<bigint>([base]);
    for (const [field, edit] of edits) {
      const nodes = snapshot.nodes.map((n) => (n.path === '/b' ? edit(n) : n));
      const digest = DataTree.fromSnapshot({ ...snapshot, nodes }).digest();
      expect(seen.has(digest), field).toBe(false);
      seen.add(digest);
    }
    // A rename (same content at another path) counts too.
    const renamed = snapshot.nodes.map((n) => (n.path === '/b' ? { ...n, path: '/bb' } : n));
    expect(DataTree.fromSnapshot({ ...snapshot, nodes: renamed }).digest()).not.toBe(base);
  });
});

describe('corrupt snapshots', () => {
  const good = () => busyLeader().tree.toSnapshot(NO_SESSIONS);
  const withNodes = (s: TreeSnapshot, nodes: SnapshotNode[]): TreeSnapshot => ({ ...s, nodes });

  it('a snapshot that cannot be a tree is DATAINCONSISTENCY, naming the problem', () => {
    const s = good();
    const [root, ...rest] = s.nodes as [SnapshotNode, ...SnapshotNode[]];
    const b = rest.find((n) => n.path === '/b') as SnapshotNode;
    const cases: [string, SnapshotNode[], RegExp][] = [
      ['empty', [], /start with the root/],
      ['no root first', [...rest, root], /start with the root/],
      ['orphan', [root, { ...b, path: '/nope/b' }], /parent is not before it/],
      ['duplicate', [root, b, b], /duplicate path/],
      ['bad mode', [root, { ...b, mode: 9 as 0 }], /unknown create mode/],
      ['ephemeral without owner', [root, { ...b, mode: CreateMode.EPHEMERAL }], /ephemeralOwner/],
      ['owner without ephemeral', [root, { ...b, ephemeralOwner: 5n }], /ephemeralOwner/],
      ['ttl without ttl mode', [root, { ...b, ttlMs: 5 }], /ttl/],
      ['trailing slash', [root, { ...b, path: '/b/' }], /must not end/],
      ['fractional version', [root, { ...b, version: 1.5 }], /32-bit/],
    ];
    for (const [name, nodes, message] of cases) {
      expect(() => DataTree.fromSnapshot(withNodes(s, nodes)), name).toThrow(message);
      expect(() => DataTree.fromSnapshot(withNodes(s, nodes)), name).toThrow(/DATAINCONSISTENCY/);
    }
  });
});

/** Everything a client can read of every node, and the indexes, compared between two trees. */
function expectSameTree(copy: DataTree, original: DataTree): void {
  expect(copy.digest()).toBe(original.digest());
  expect(copy.lastZxid).toBe(original.lastZxid);
  expect(copy.nodeCount).toBe(original.nodeCount);
  for (const { path } of original.toSnapshot(NO_SESSIONS).nodes) {
    expect(copy.getData(path), path).toEqual(original.getData(path));
    expect(copy.getACL(path), path).toEqual(original.getACL(path));
    expect(copy.getChildren(path), path).toEqual(original.getChildren(path));
  }
  for (const session of [1n, 7n, 8n]) expect(copy.getEphemerals(session)).toEqual(original.getEphemerals(session));
  expect(copy.dueForDeletion(Number.MAX_SAFE_INTEGER)).toEqual(original.dueForDeletion(Number.MAX_SAFE_INTEGER));
  expect(copy.toSnapshot(NO_SESSIONS)).toEqual(original.toSnapshot(NO_SESSIONS));
}

const modes: CreateModeFlag[] = [
  CreateMode.PERSISTENT,
  CreateMode.EPHEMERAL,
  CreateMode.PERSISTENT_SEQUENTIAL,
  CreateMode.EPHEMERAL_SEQUENTIAL,
  CreateMode.CONTAINER,
  CreateMode.PERSISTENT_WITH_TTL,
  CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL,
];

/** One random write: its kind, which known path it targets (mod their count), a name, a size, a mode, a session. */
const stepArb = fc.record({
  kind: fc.constantFrom('create', 'create', 'create', 'setData', 'setACL', 'delete'),
  target: fc.nat(1_000),
  name: fc.constantFrom('a', 'b', 'a-b', 'é', 'n-', 'zz'),
  size: fc.constantFrom(0, 1, 3, 4, 5, 100),
  mode: fc.nat(modes.length - 1),
  session: fc.constantFrom(1n, 7n, 8n),
});

type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never;

/** Runs random writes (errors and all) and returns the leader: a tree of every mode, ACL and shape. */
function randomTree(steps: readonly Step[]): Leader {
  const l = new Leader();
  const paths = ['/'];
  for (const step of steps) {
    const target = paths[step.target % paths.length] as string;
    const data = new Uint8Array(step.size).fill(step.target & 0xff);
    if (step.kind === 'create') {
      const path = `${target === '/' ? '' : target}/${step.name}`;
      const mode = modes[step.mode] as CreateModeFlag;
      const ttlMs = mode === CreateMode.PERSISTENT_WITH_TTL || mode === CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL ? 1_000 : 0;
      const outcome = l.run(createOp(path, { data, mode, ttlMs }), step.session);
      if (outcome.result.type === 'create') paths.push(outcome.result.path);
    } else if (step.kind === 'setData') {
      l.run({ type: 'setData', path: target, data, version: -1 }, step.session);
    } else if (step.kind === 'setACL') {
      l.run({ type: 'setACL', path: target, acl: step.size % 2 === 0 ? OPEN_ACL_UNSAFE : READ_ACL_UNSAFE, version: -1 }, step.session);
    } else {
      l.run({ type: 'delete', path: target, version: -1 }, step.session);
    }
  }
  return l;
}

describe('the direct snapshot path: DataTree.encodeSnapshot and DataTree.decodeSnapshot', () => {
  it('encodeSnapshot writes exactly the bytes of encodeTreeSnapshot(toSnapshot(sessions))', () => {
    const tree = busyLeader().tree;
    const sessions = Uint8Array.of(4, 5, 6);
    expect(tree.encodeSnapshot(sessions)).toEqual(encodeTreeSnapshot(tree.toSnapshot(sessions)));
  });

  it('decodeSnapshot rebuilds the same tree: stats, data, ACLs, children, indexes, digest, and the sessions', () => {
    const original = busyLeader().tree;
    const sessions = Uint8Array.of(9, 8, 7);
    const decoded = DataTree.decodeSnapshot(original.encodeSnapshot(sessions));
    expect(decoded.sessions).toEqual(sessions);
    expectSameTree(decoded.tree, original);
  });

  it('a replica rebuilt from snapshot bytes keeps applying the log to the same state as the original', () => {
    const first = busyLeader();
    const second = new Leader(DataTree.decodeSnapshot(first.tree.encodeSnapshot(NO_SESSIONS)).tree);
    second.timeMs = first.timeMs;
    for (const l of [first, second]) {
      l.run(createOp('/a/s-', { mode: CreateMode.PERSISTENT_SEQUENTIAL }));
      l.run({ type: 'setData', path: '/b', data: utf8('bee3'), version: -1 });
      l.run({ type: 'delete', path: '/c/k', version: -1 });
      l.prepClose(7n);
      l.commit();
    }
    expectSameTree(second.tree, first.tree);
  });

  it('property: after random writes, tree -> bytes -> tree gives the same tree, and the same bytes again', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 60 }), (steps) => {
        const original = randomTree(steps).tree;
        const bytes = original.encodeSnapshot(NO_SESSIONS);
        const copy = DataTree.decodeSnapshot(bytes).tree;
        expectSameTree(copy, original);
        expect(copy.encodeSnapshot(NO_SESSIONS)).toEqual(bytes);
      }),
      { numRuns: 200 },
    );
  });

  it('bytes that decode but cannot be a tree are DATAINCONSISTENCY, as fromSnapshot says', () => {
    const s = busyLeader().tree.toSnapshot(NO_SESSIONS);
    const [root, ...rest] = s.nodes as [SnapshotNode, ...SnapshotNode[]];
    const b = rest.find((n) => n.path === '/b') as SnapshotNode;
    const cases: [string, SnapshotNode[], RegExp][] = [
      ['empty', [], /start with the root/],
      ['no root first', [...rest, root], /start with the root/],
      ['orphan', [root, { ...b, path: '/nope/b' }], /parent is not before it/],
      ['duplicate', [root, b, b], /duplicate path/],
      ['duplicate root', [root, root], /duplicate path/],
      ['ephemeral without owner', [root, { ...b, mode: CreateMode.EPHEMERAL }], /ephemeralOwner/],
      ['ttl without ttl mode', [root, { ...b, ttlMs: 5 }], /ttl/],
      ['trailing slash', [root, { ...b, path: '/b/' }], /must not end/],
      ['relative path', [root, { ...b, path: 'b' }], /must start with/],
    ];
    for (const [name, nodes, message] of cases) {
      const bytes = encodeTreeSnapshot({ ...s, nodes });
      const error = (() => {
        try {
          DataTree.decodeSnapshot(bytes);
        } catch (caught) {
          return caught;
        }
        return null;
      })();
      expect(isKeeperError(error, 'DATAINCONSISTENCY'), name).toBe(true);
      expect(String((error as Error).message), name).toMatch(message);
    }
  });

  it('malformed bytes are MARSHALLINGERROR, and nothing is built from them', () => {
    const bytes = busyLeader().tree.encodeSnapshot(NO_SESSIONS);
    const flipped = bytes.slice();
    flipped[bytes.length >> 1] = (flipped[bytes.length >> 1] as number) ^ 1;
    for (const bad of [flipped, bytes.subarray(0, bytes.length - 1), new Uint8Array(0)]) {
      expect(() => DataTree.decodeSnapshot(bad)).toThrow(/MARSHALLINGERROR/);
    }
  });
});

describe('the digest is pinned (a replica of another build must agree with this one)', () => {
  it('known trees have known digests, however they were built', () => {
    expect(busyLeader().tree.digest()).toBe(0x2d5d655e545ddeaen);
    const node = (path: string, over: Partial<SnapshotNode> = {}): SnapshotNode => ({
      path,
      data: utf8(`data of ${path}`),
      acl: OPEN_ACL_UNSAFE,
      mode: CreateMode.PERSISTENT,
      ttlMs: 0,
      czxid: 5n,
      mzxid: 5n,
      pzxid: 5n,
      ctime: 1000,
      mtime: 1000,
      version: 0,
      creates: 0,
      aversion: 0,
      ephemeralOwner: 0n,
      ...over,
    });
    // Every 64-bit and 53-bit edge the hash splits into words: 2^53 either side, 2^62, ±2^63.
    const edges: TreeSnapshot = {
      lastZxid: 2n ** 62n,
      nodes: [
        node('/', { czxid: 0n, mzxid: 0n, pzxid: 2n ** 53n, creates: 3 }),
        node('/big', { czxid: 2n ** 62n + 5n, mzxid: -(2n ** 63n), pzxid: 2n ** 63n - 1n, ctime: -(2 ** 53 - 1), mtime: 2 ** 53 - 1, version: -7 }),
        node('/eph', {
          mode: CreateMode.EPHEMERAL,
          ephemeralOwner: -(2n ** 40n) - 3n,
          czxid: 2n ** 53n - 1n,
          mzxid: 2n ** 53n,
          pzxid: 2n ** 53n + 1n,
          data: new Uint8Array(1001).map((_, i) => i),
        }),
        node('/ttl', { mode: CreateMode.PERSISTENT_WITH_TTL, ttlMs: 2 ** 33 + 7, czxid: -1n, mzxid: -(2n ** 32n), aversion: 2147483647, creates: -2147483648 }),
      ],
      sessions: NO_SESSIONS,
    };
    expect(DataTree.fromSnapshot(edges).digest()).toBe(0x63437945a840cc0cn);
    expect(DataTree.decodeSnapshot(encodeTreeSnapshot(edges)).tree.digest()).toBe(0x63437945a840cc0cn);
  });
});
