import { KeeperError } from '../errors/keeper-error.js';
import type { Acl } from './acl.js';
import { CreateMode, TTL_MAX_MS, isEphemeral, isTtl } from './create-mode.js';
import { isInt64, putInt64 } from './int64-words.js';
import { parentOf } from './path.js';
import { SnapshotRecordBuffer, type SnapshotNode, type SnapshotRecord, type SnapshotTable } from './snapshot-node.js';
import { MAX_DATA_BYTES } from './stat.js';
import type { TreeStore } from './tree-store.js';
import type { Znode } from './znode.js';
import { CZXID, MZXID, OWNER, PZXID } from './znode-columns.js';

/** a before b in snapshot order: by path (siblings share their parent's prefix, so by name). */
function byPath(a: Znode, b: Znode): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/**
 * A parent's children in sorted path order. The set keeps insertion order, which is already sorted
 * for a restored parent and for children created in name order (sequential nodes, most workloads):
 * one pass checks that before anything is sorted.
 */
function sortedChildren(children: Set<Znode>): Znode[] {
  const nodes = Array.from(children);
  for (let i = 1; i < nodes.length; i++) {
    if ((nodes[i - 1] as Znode).path > (nodes[i] as Znode).path) return nodes.sort(byPath);
  }
  return nodes;
}

/**
 * Every node of the store, depth first from '/', siblings in sorted name order: a parent always
 * comes before its children, and the same tree always gives the same sequence. The znodes are the
 * store's own (lent, not copied): src/wire encodes them directly.
 */
export function snapshotOrder(store: TreeStore): Znode[] {
  const nodes: Znode[] = [];
  const stack: Znode[] = [store.nodes.get('/') as Znode];
  while (stack.length > 0) {
    const node = stack.pop() as Znode;
    nodes.push(node);
    if (node.children !== null) {
      const children = sortedChildren(node.children);
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as Znode);
    }
  }
  return nodes;
}

/**
 * The store's image for src/wire's table encoder, in snapshotOrder: the znodes themselves and their
 * slots in the store's columns (nothing copied per node but the slot number).
 */
export function snapshotTable(store: TreeStore, lastZxid: bigint, sessions: Uint8Array): SnapshotTable {
  const nodes = snapshotOrder(store);
  const slots = new Int32Array(nodes.length);
  for (let i = 0; i < nodes.length; i++) slots[i] = (nodes[i] as Znode).slot;
  const { int64Words, times, ints } = store.columns;
  return { lastZxid, nodes, slots, int64Words, times, ints, sessions };
}

function toSnapshotNode(node: Znode): SnapshotNode {
  return {
    path: node.path,
    data: node.data,
    acl: node.acl,
    mode: node.mode,
    ttlMs: node.ttlMs,
    czxid: node.czxid,
    mzxid: node.mzxid,
    pzxid: node.pzxid,
    ctime: node.ctime,
    mtime: node.mtime,
    version: node.version,
    creates: node.creates,
    aversion: node.aversion,
    ephemeralOwner: node.ephemeralOwner,
  };
}

/** Every node of the store as a SnapshotNode, in snapshotOrder. */
export function snapshotNodes(store: TreeStore): SnapshotNode[] {
  return snapshotOrder(store).map(toSnapshotNode);
}

const MODE_FLAGS = new Set<number>(Object.values(CreateMode));

function isInt32(value: number): boolean {
  return Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff;
}

function corrupt(index: number, path: string, problem: string): KeeperError {
  return new KeeperError('DATAINCONSISTENCY', `snapshot node #${index} is corrupt: ${problem}`, path);
}

function noRoot(): KeeperError {
  return new KeeperError('DATAINCONSISTENCY', 'snapshot must start with the root node /');
}

function pathProblem(path: string): string | null {
  if (typeof path !== 'string' || path.charCodeAt(0) !== 0x2f) return 'path must start with /';
  if (path.length > 1 && path.charCodeAt(path.length - 1) === 0x2f) return 'path must not end with /';
  return null;
}

/**
 * The problems of a SnapshotNode's field types and ranges, which src/wire's decoder rules out for
 * every record it hands over (so only restoreNodes checks them); null when there is none.
 */
function fieldProblem(node: SnapshotNode): string | null {
  if (!(node.data instanceof Uint8Array) || node.data.length > MAX_DATA_BYTES) return 'data missing or too large';
  if (!Array.isArray(node.acl)) return 'acl is not a list';
  if (!MODE_FLAGS.has(node.mode)) return `unknown create mode ${String(node.mode)}`;
  if (!isInt32(node.version) || !isInt32(node.creates) || !isInt32(node.aversion)) return 'a version is not a 32-bit integer';
  if (!Number.isSafeInteger(node.ctime) || !Number.isSafeInteger(node.mtime)) return 'a time is not an integer';
  if (!Number.isSafeInteger(node.ttlMs)) return 'ttl is not an integer';
  if (!isInt64(node.czxid) || !isInt64(node.mzxid) || !isInt64(node.pzxid) || !isInt64(node.ephemeralOwner)) {
    return 'a zxid or the owner is not a 64-bit integer';
  }
  return null;
}

/** The problems of a well-typed record's TTL and owner against its mode; null when there is none. */
function modeProblem(record: SnapshotRecord): string | null {
  const mode = record.mode;
  if (isTtl(mode) ? !(record.ttlMs > 0 && record.ttlMs <= TTL_MAX_MS) : record.ttlMs !== 0) return 'ttl does not fit the mode';
  const ownerAt = OWNER * 2;
  const noOwner = record.int64Words[ownerAt] === 0 && record.int64Words[ownerAt + 1] === 0;
  if (isEphemeral(mode) === noOwner) return 'ephemeralOwner does not fit the mode';
  return null;
}

/**
 * Whether `parent` is parentOf(path), without making the parent's path: `path` is `parent` (or '' for
 * the root), a '/', then a name with no '/'.
 */
function isChildOf(path: string, parent: string): boolean {
  const slash = parent.length === 1 ? 0 : parent.length;
  return path.length > slash + 1 && path.charCodeAt(slash) === 0x2f && path.indexOf('/', slash + 1) === -1 && path.startsWith(parent);
}

/**
 * Rebuilds a store from snapshot records fed one at a time, parents first and '/' first (straight
 * from the decoder by DataTree.decodeSnapshot, or from SnapshotNodes by restoreNodes). A record is
 * read only during `add` (a decoder may refill the same object). A snapshot that cannot be a tree (no
 * root first, an orphan, a duplicate, an impossible field) is KeeperError DATAINCONSISTENCY; the
 * half-built store is then to be dropped. Field types and ranges are the source's to check (src/wire's
 * decoder checks them as it reads; restoreNodes before it converts).
 */
export class SnapshotRestorer {
  private count = 0;
  /** Each ACL list given -> the ACL cache's shared copy (a snapshot repeats a few lists many times). */
  private readonly sharedAcls = new Map<readonly Acl[], readonly Acl[]>();
  private lastAcl: readonly Acl[] | null = null;
  private lastSharedAcl: readonly Acl[] = [];
  // Siblings come in runs, and a node's first child often right after it: the last parent found
  // and the last node restored are tried before parentOf and a lookup.
  private parent: Znode | null = null;
  private last: Znode | null = null;

  constructor(private readonly store: TreeStore) {}

  /** Makes room for `nodeCount` records at once (the decoder says how many are coming). */
  start(nodeCount: number): void {
    this.store.reserve(nodeCount);
  }

  add(record: SnapshotRecord): void {
    const index = this.count;
    const path = record.path;
    if (index === 0 && path !== '/') throw noRoot();
    const problem = pathProblem(path) ?? modeProblem(record);
    if (problem !== null) throw corrupt(index, String(path), problem);
    const parent = index === 0 ? null : this.parentOf(index, path);
    const acl = record.acl === this.lastAcl ? this.lastSharedAcl : (this.sharedAcls.get(record.acl) ?? record.acl);
    const restored = this.store.restoreNode(record, acl, parent);
    if (restored === null) throw corrupt(index, path, 'duplicate path');
    if (acl === record.acl) this.sharedAcls.set(record.acl, restored.acl);
    this.lastAcl = record.acl;
    this.lastSharedAcl = restored.acl;
    this.last = restored;
    this.count = index + 1;
  }

  /** Checks the snapshot had a root at all (every other problem is found by `add`), then counts every node into the digest. */
  finish(): void {
    if (this.count === 0) throw noRoot();
    this.store.finishRestore();
  }

  private parentOf(index: number, path: string): Znode {
    const parent = this.parent;
    if (parent !== null && isChildOf(path, parent.path)) return parent;
    const last = this.last;
    if (last !== null && isChildOf(path, last.path)) {
      this.parent = last;
      return last;
    }
    const found = this.store.nodes.get(parentOf(path));
    if (found === undefined) throw corrupt(index, path, 'its parent is not before it');
    this.parent = found;
    return found;
  }
}

/** A SnapshotRecord refilled from one SnapshotNode after another (restoreNodes). */
class NodeRecord extends SnapshotRecordBuffer {
  fill(node: SnapshotNode): this {
    this.path = node.path;
    this.data = node.data;
    this.acl = node.acl;
    this.mode = node.mode;
    this.ttlMs = node.ttlMs;
    this.ctime = node.ctime;
    this.mtime = node.mtime;
    this.version = node.version;
    this.creates = node.creates;
    this.aversion = node.aversion;
    putInt64(this.int64Words, CZXID * 2, node.czxid);
    putInt64(this.int64Words, MZXID * 2, node.mzxid);
    putInt64(this.int64Words, PZXID * 2, node.pzxid);
    putInt64(this.int64Words, OWNER * 2, node.ephemeralOwner);
    return this;
  }
}

/**
 * Rebuilds a store from snapshot nodes (parents first, '/' first). A snapshot that cannot be a tree
 * (no root first, an orphan, a duplicate, an impossible field) is KeeperError DATAINCONSISTENCY.
 */
export function restoreNodes(store: TreeStore, nodes: readonly SnapshotNode[]): void {
  if (nodes.length === 0 || nodes[0]?.path !== '/') throw noRoot();
  const restorer = new SnapshotRestorer(store);
  restorer.start(nodes.length);
  const record = new NodeRecord();
  for (let index = 0; index < nodes.length; index++) {
    const node = nodes[index] as SnapshotNode;
    const problem = pathProblem(node.path) ?? fieldProblem(node);
    if (problem !== null) throw corrupt(index, String(node.path), problem);
    restorer.add(record.fill(node));
  }
  restorer.finish();
}
