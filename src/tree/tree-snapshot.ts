import { KeeperError } from '../errors/keeper-error.js';
import { CreateMode, TTL_MAX_MS, isEphemeral, isTtl } from './create-mode.js';
import { parentOf } from './path.js';
import type { SnapshotNode } from './snapshot-node.js';
import { MAX_DATA_BYTES } from './stat.js';
import type { TreeStore } from './tree-store.js';
import type { Znode } from './znode.js';
import type { Acl } from './acl.js';

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

/**
 * Every node of the store, depth first from '/', siblings in sorted name order: a parent always
 * comes before its children, and the same tree always gives the same sequence.
 */
export function snapshotNodes(store: TreeStore): SnapshotNode[] {
  const out: SnapshotNode[] = [];
  const stack: string[] = ['/'];
  while (stack.length > 0) {
    const path = stack.pop() as string;
    const node = store.nodes.get(path) as Znode;
    out.push(toSnapshotNode(path, node));
    if (node.children !== null) {
      // Children of one parent share its prefix: sorting their paths sorts their names.
      const children = Array.from(node.children).sort();
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as string);
    }
  }
  return out;
}

const MODE_FLAGS = new Set<number>(Object.values(CreateMode));

function isInt32(value: number): boolean {
  return Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff;
}

function corrupt(index: number, path: string, problem: string): KeeperError {
  return new KeeperError('DATAINCONSISTENCY', `snapshot node #${index} is corrupt: ${problem}`, path);
}

/** The problems a snapshot node can have on its own; null when it is well-formed. */
function problemOf(node: SnapshotNode): string | null {
  const { path } = node;
  if (typeof path !== 'string' || path.charCodeAt(0) !== 0x2f) return 'path must start with /';
  if (path.length > 1 && path.endsWith('/')) return 'path must not end with /';
  if (!(node.data instanceof Uint8Array) || node.data.length > MAX_DATA_BYTES) return 'data missing or too large';
  if (!Array.isArray(node.acl)) return 'acl is not a list';
  if (!MODE_FLAGS.has(node.mode)) return `unknown create mode ${String(node.mode)}`;
  if (isTtl(node.mode) ? !(node.ttlMs > 0 && node.ttlMs <= TTL_MAX_MS) : node.ttlMs !== 0) return 'ttl does not fit the mode';
  if (isEphemeral(node.mode) === (node.ephemeralOwner === 0n)) return 'ephemeralOwner does not fit the mode';
  if (!isInt32(node.version) || !isInt32(node.creates) || !isInt32(node.aversion)) return 'a version is not a 32-bit integer';
  if (!Number.isSafeInteger(node.ctime) || !Number.isSafeInteger(node.mtime)) return 'a time is not an integer';
  return null;
}

/**
 * Rebuilds a store from snapshot nodes (parents first, '/' first). A snapshot that cannot be a tree
 * (no root first, an orphan, a duplicate, an impossible field) is KeeperError DATAINCONSISTENCY.
 */
export function restoreNodes(store: TreeStore, nodes: readonly SnapshotNode[]): void {
  if (nodes.length === 0 || nodes[0]?.path !== '/') {
    throw new KeeperError('DATAINCONSISTENCY', 'snapshot must start with the root node /');
  }
  // A snapshot repeats a few ACL lists many times: look each list up in the cache once.
  const sharedAcls = new Map<readonly Acl[], readonly Acl[]>();
  for (let index = 0; index < nodes.length; index++) {
    const node = nodes[index] as SnapshotNode;
    const problem = problemOf(node);
    if (problem !== null) throw corrupt(index, String(node.path), problem);
    if (store.nodes.has(node.path)) throw corrupt(index, node.path, 'duplicate path');
    let parent: Znode | null = null;
    if (index > 0) {
      parent = store.nodes.get(parentOf(node.path)) ?? null;
      if (parent === null) throw corrupt(index, node.path, 'its parent is not before it');
    }
    const acl = sharedAcls.get(node.acl) ?? node.acl;
    const shared = store.restoreNode(node.path, parent, node.data, acl, node.mode, node.ttlMs, node.ephemeralOwner, node.czxid, node.ctime, node);
    if (acl === node.acl) sharedAcls.set(node.acl, shared);
  }
}
