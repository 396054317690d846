import { KeeperError } from '../errors/keeper-error.js';
import type { Acl } from './acl.js';
import { CreateMode, TTL_MAX_MS, isEphemeral, isTtl } from './create-mode.js';
import { parentOf } from './path.js';
import type { SnapshotNode } from './snapshot-node.js';
import { MAX_DATA_BYTES } from './stat.js';
import type { TreeStore } from './tree-store.js';
import type { Znode } from './znode.js';

/** The nodes of a store in snapshot order, as two columns: node i is `paths[i]`, `nodes[i]`. */
export interface SnapshotOrder {
  readonly paths: string[];
  readonly nodes: Znode[];
}

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
export function snapshotOrder(store: TreeStore): SnapshotOrder {
  const paths: string[] = [];
  const nodes: Znode[] = [];
  const stack: Znode[] = [store.nodes.get('/') as Znode];
  while (stack.length > 0) {
    const node = stack.pop() as Znode;
    paths.push(node.path);
    nodes.push(node);
    if (node.children !== null) {
      const children = sortedChildren(node.children);
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as Znode);
    }
  }
  return { paths, nodes };
}

function toSnapshotNode(path: string, node: Znode): SnapshotNode {
  return {
    path,
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
  const { paths, nodes } = snapshotOrder(store);
  return nodes.map((node, i) => toSnapshotNode(paths[i] as string, node));
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

/**
 * The problems of a node's field types and ranges, which src/wire's decoder rules out for every node it
 * hands over (so SnapshotRestorer skips this for decoded nodes); null when there is none.
 */
function fieldProblem(node: SnapshotNode): string | null {
  if (!(node.data instanceof Uint8Array) || node.data.length > MAX_DATA_BYTES) return 'data missing or too large';
  if (!Array.isArray(node.acl)) return 'acl is not a list';
  if (!MODE_FLAGS.has(node.mode)) return `unknown create mode ${String(node.mode)}`;
  if (!isInt32(node.version) || !isInt32(node.creates) || !isInt32(node.aversion)) return 'a version is not a 32-bit integer';
  if (!Number.isSafeInteger(node.ctime) || !Number.isSafeInteger(node.mtime)) return 'a time is not an integer';
  return null;
}

function pathProblem(path: string): string | null {
  if (typeof path !== 'string' || path.charCodeAt(0) !== 0x2f) return 'path must start with /';
  if (path.length > 1 && path.charCodeAt(path.length - 1) === 0x2f) return 'path must not end with /';
  return null;
}

/** The problems of a well-typed node's TTL and owner against its mode; null when there is none. */
function modeProblem(node: SnapshotNode): string | null {
  if (isTtl(node.mode) ? !(node.ttlMs > 0 && node.ttlMs <= TTL_MAX_MS) : node.ttlMs !== 0) return 'ttl does not fit the mode';
  if (isEphemeral(node.mode) === (node.ephemeralOwner === 0n)) return 'ephemeralOwner does not fit the mode';
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
 * Rebuilds a store from snapshot nodes fed one at a time, parents first and '/' first (from an
 * array by restoreNodes, or straight from the decoder by DataTree.decodeSnapshot). A node is read
 * only during `add` (a decoder may refill the same object). A snapshot that cannot be a tree (no
 * root first, an orphan, a duplicate, an impossible field) is KeeperError DATAINCONSISTENCY; the
 * half-built store is then to be dropped.
 */
export class SnapshotRestorer {
  private count = 0;
  /** Each ACL list given -> the ACL cache's shared copy (a snapshot repeats a few lists many times). */
  private readonly sharedAcls = new Map<readonly Acl[], readonly Acl[]>();
  private lastAcl: readonly Acl[] | null = null;
  private lastSharedAcl: readonly Acl[] = [];
  // Siblings come in runs, and a node's first child often right after it: the last parent found
  // and the last node restored are tried before parentOf and a lookup.
  private parentPath = '';
  private parent: Znode | null = null;
  private lastPath = '';
  private last: Znode | null = null;

  /**
   * `fieldsChecked`: the nodes come from src/wire's snapshot decoder, which has already checked every
   * field's type and range (data size, mode, 32-bit versions, integer times), so only what makes a
   * tree (paths, parents, TTL and owner against the mode) is checked here.
   */
  constructor(
    private readonly store: TreeStore,
    private readonly fieldsChecked = false,
  ) {}

  add(node: SnapshotNode): void {
    const index = this.count;
    const path = node.path;
    if (index === 0 && path !== '/') throw noRoot();
    const problem = pathProblem(path) ?? (this.fieldsChecked ? null : fieldProblem(node)) ?? modeProblem(node);
    if (problem !== null) throw corrupt(index, String(path), problem);
    const parent = index === 0 ? null : this.parentOf(index, path);
    const acl = node.acl === this.lastAcl ? this.lastSharedAcl : (this.sharedAcls.get(node.acl) ?? node.acl);
    const restored = this.store.restoreNode(path, parent, node.data, acl, node.mode, node.ttlMs, node.ephemeralOwner, node.czxid, node.ctime, node);
    if (restored === null) throw corrupt(index, path, 'duplicate path');
    if (acl === node.acl) this.sharedAcls.set(node.acl, restored.acl);
    this.lastAcl = node.acl;
    this.lastSharedAcl = restored.acl;
    this.lastPath = path;
    this.last = restored;
    this.count = index + 1;
  }

  /** Checks the snapshot had a root at all (every other problem is found by `add`), then counts every node into the digest. */
  finish(): void {
    if (this.count === 0) throw noRoot();
    this.store.finishRestore();
  }

  private parentOf(index: number, path: string): Znode {
    if (this.parent !== null && isChildOf(path, this.parentPath)) return this.parent;
    if (this.last !== null && isChildOf(path, this.lastPath)) {
      this.parentPath = this.lastPath;
      this.parent = this.last;
      return this.last;
    }
    const parentPath = parentOf(path);
    const parent = this.store.nodes.get(parentPath);
    if (parent === undefined) throw corrupt(index, path, 'its parent is not before it');
    this.parentPath = parentPath;
    this.parent = parent;
    return parent;
  }
}

/**
 * Rebuilds a store from snapshot nodes (parents first, '/' first). A snapshot that cannot be a tree
 * (no root first, an orphan, a duplicate, an impossible field) is KeeperError DATAINCONSISTENCY.
 */
export function restoreNodes(store: TreeStore, nodes: readonly SnapshotNode[]): void {
  if (nodes.length === 0 || nodes[0]?.path !== '/') throw noRoot();
  const restorer = new SnapshotRestorer(store);
  for (const node of nodes) restorer.add(node);
  restorer.finish();
}
