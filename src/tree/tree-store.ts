import type { Acl } from './acl.js';
import { assert } from '../errors/keeper-error.js';
import { AclCache } from './acl-cache.js';
import { CreateMode, isEphemeral, isTtl, type CreateModeFlag } from './create-mode.js';
import { parentOf } from './path.js';
import { TreeDigest } from './tree-digest.js';
import { isInt64 } from './int64-words.js';
import type { SnapshotRecord } from './snapshot-node.js';
import { EMPTY_DATA, Znode } from './znode.js';
import {
  AVERSION,
  CREATES,
  CTIME,
  CZXID,
  INT64_PER_SLOT,
  INTS_PER_SLOT,
  MODE,
  MTIME,
  MZXID,
  OWNER,
  PZXID,
  TIMES_PER_SLOT,
  TTL,
  VERSION,
  ZnodeColumns,
} from './znode-columns.js';

/**
 * The bytes a node keeps from a txn: the array itself when it owns its whole buffer, else a copy, so
 * a node never keeps a large decoded frame alive through a small view into it. Empty data is shared.
 */
function ownedBytes(data: Uint8Array): Uint8Array {
  if (data.length === 0) return EMPTY_DATA;
  return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice();
}

/**
 * The tree's state and the only code that mutates it: the path -> node map, each node's children,
 * the nodes' numeric fields (columns), the indexes (ephemerals by owner session, containers, TTL nodes),
 * the shared ACL lists and the running digest. Every primitive keeps all of them consistent; callers
 * check preconditions first (a broken precondition here is a programmer error, so it asserts).
 */
export class TreeStore {
  readonly nodes = new Map<string, Znode>();
  readonly ephemerals = new Map<bigint, Set<string>>();
  readonly containers = new Set<string>();
  readonly ttls = new Set<string>();
  readonly acls = new AclCache();
  readonly columns = new ZnodeColumns();
  readonly digest = new TreeDigest(this.columns);
  // The last ACL list hashed for the digest and its hash (a list's hash never changes, and nodes
  // restored or created one after another mostly share one list): saves two cache lookups a node.
  private hashedAcl: readonly Acl[] | null = null;
  private hashedAclHigh = 0;
  private hashedAclLow = 0;
  /** Nodes restored and not yet in the digest (see finishRestore). */
  private restored: Znode[] = [];

  /** Adds a node whose parent exists (or the root) and whose path is free. */
  createNode(
    path: string,
    data: Uint8Array,
    acl: readonly Acl[],
    mode: CreateModeFlag,
    ttlMs: number,
    ephemeralOwner: bigint,
    zxid: bigint,
    timeMs: number,
    parentCreates: number,
  ): Znode {
    assert(!this.nodes.has(path), `createNode: ${path} exists`);
    assert(isInt64(zxid) && isInt64(ephemeralOwner), `createNode: ${path}: zxid and owner must be 64-bit integers`);
    const columns = this.columns;
    const slot = columns.allocate();
    const node = new Znode(columns, slot, path, ownedBytes(data), this.acls.acquire(acl));
    const int64 = columns.int64;
    const at = slot * INT64_PER_SLOT;
    int64[at + CZXID] = zxid;
    int64[at + MZXID] = zxid;
    int64[at + PZXID] = zxid;
    int64[at + OWNER] = ephemeralOwner;
    const times = columns.times;
    times[slot * TIMES_PER_SLOT + CTIME] = timeMs;
    times[slot * TIMES_PER_SLOT + MTIME] = timeMs;
    times[slot * TIMES_PER_SLOT + TTL] = ttlMs;
    const ints = columns.ints;
    ints[slot * INTS_PER_SLOT + VERSION] = 0;
    ints[slot * INTS_PER_SLOT + CREATES] = 0;
    ints[slot * INTS_PER_SLOT + AVERSION] = 0;
    ints[slot * INTS_PER_SLOT + MODE] = mode;
    if (path !== '/') {
      const parent = this.nodes.get(parentOf(path));
      assert(parent !== undefined, `createNode: no parent for ${path}`);
      parent.creates = parentCreates;
      parent.pzxid = zxid;
      if (parent.children === null) parent.children = new Set();
      parent.children.add(node);
      this.rehashMeta(parent);
    }
    this.nodes.set(path, node);
    this.addToIndexes(path, node);
    this.addToDigest(node);
    return node;
  }

  /** Makes room for `count` more nodes at once (a restore knows how many are coming). */
  reserve(count: number): void {
    this.columns.reserve(count);
  }

  /**
   * Rebuilds one node from a snapshot record under `parent` (null for the root): the parent's stat is
   * already final, so only its child set grows. `acl` is the record's list (the cache shares it). The
   * record's data array is kept as it is (a snapshot decoder hands out views into one compact data
   * column). The node joins the digest only at finishRestore (one pass over every restored node
   * hashes faster than a hash between each two restores). Returns the node (its `acl` is the shared
   * list), or null when `path` was already there: the path is checked by the insert itself (a restore
   * reads 100k fresh path strings, and a second hash lookup each is a large part of its cost), so
   * the store is then broken and must be dropped (SnapshotRestorer throws DATAINCONSISTENCY).
   */
  restoreNode(record: SnapshotRecord, acl: readonly Acl[], parent: Znode | null): Znode | null {
    const columns = this.columns;
    const slot = columns.allocate();
    const path = record.path;
    const node = new Znode(columns, slot, path, record.data, this.acls.acquire(acl));
    const size = this.nodes.size;
    this.nodes.set(path, node);
    if (this.nodes.size === size) {
      columns.release(slot);
      return null;
    }
    const words = columns.int64Words;
    const from = record.int64Words;
    const at = slot * INT64_PER_SLOT * 2;
    for (let i = 0; i < INT64_PER_SLOT * 2; i++) words[at + i] = from[i] as number;
    const times = columns.times;
    times[slot * TIMES_PER_SLOT + CTIME] = record.ctime;
    times[slot * TIMES_PER_SLOT + MTIME] = record.mtime;
    times[slot * TIMES_PER_SLOT + TTL] = record.ttlMs;
    const ints = columns.ints;
    ints[slot * INTS_PER_SLOT + VERSION] = record.version;
    ints[slot * INTS_PER_SLOT + CREATES] = record.creates;
    ints[slot * INTS_PER_SLOT + AVERSION] = record.aversion;
    ints[slot * INTS_PER_SLOT + MODE] = record.mode;
    this.addToIndexes(path, node);
    this.restored.push(node);
    if (parent !== null) {
      if (parent.children === null) parent.children = new Set();
      parent.children.add(node);
    }
    return node;
  }

  /** Counts every node restored since the last call into the digest; restoring is done. */
  finishRestore(): void {
    const restored = this.restored;
    this.restored = [];
    for (let i = 0; i < restored.length; i++) this.addToDigest(restored[i] as Znode);
  }

  /** Removes a childless, non-root node. Returns it. */
  deleteNode(path: string, zxid: bigint): Znode {
    const node = this.nodes.get(path);
    assert(node !== undefined && path !== '/' && node.childCount === 0, `deleteNode: ${path} is not a deletable node`);
    assert(isInt64(zxid), `deleteNode: ${path}: zxid must be a 64-bit integer`);
    const parentPath = parentOf(path);
    const parent = this.nodes.get(parentPath);
    assert(parent !== undefined && parent.children !== null, `deleteNode: no parent for ${path}`);
    this.digest.removeNode(node);
    this.nodes.delete(path);
    this.acls.release(node.acl);
    this.unindex(path, node);
    this.columns.release(node.slot);
    parent.children.delete(node);
    if (parent.children.size === 0) parent.children = null;
    parent.pzxid = zxid;
    this.rehashMeta(parent);
    return node;
  }

  setData(node: Znode, data: Uint8Array, version: number, zxid: bigint, timeMs: number): void {
    assert(isInt64(zxid), `setData: ${node.path}: zxid must be a 64-bit integer`);
    node.data = ownedBytes(data);
    node.version = version;
    node.mzxid = zxid;
    node.mtime = timeMs;
    this.digest.updateData(node);
  }

  setAcl(node: Znode, acl: readonly Acl[], aversion: number): void {
    const shared = this.acls.acquire(acl);
    this.acls.release(node.acl);
    node.acl = shared;
    node.aversion = aversion;
    this.rehashMeta(node);
  }

  private addToDigest(node: Znode): void {
    this.hashAcl(node.acl);
    this.digest.addNode(node, this.hashedAclHigh, this.hashedAclLow);
  }

  /** Adds a node just put in the path map to the indexes of ephemerals, containers and TTL nodes. */
  private addToIndexes(path: string, node: Znode): void {
    const mode = node.mode;
    if (mode === CreateMode.CONTAINER) {
      this.containers.add(path);
    } else if (isTtl(mode)) {
      this.ttls.add(path);
    } else if (isEphemeral(mode)) {
      let owned = this.ephemerals.get(node.ephemeralOwner);
      if (owned === undefined) {
        owned = new Set();
        this.ephemerals.set(node.ephemeralOwner, owned);
      }
      owned.add(path);
    }
  }

  private unindex(path: string, node: Znode): void {
    const mode = node.mode;
    if (mode === CreateMode.CONTAINER) {
      this.containers.delete(path);
    } else if (isTtl(mode)) {
      this.ttls.delete(path);
    } else if (isEphemeral(mode)) {
      const owned = this.ephemerals.get(node.ephemeralOwner);
      if (owned !== undefined) {
        owned.delete(path);
        if (owned.size === 0) this.ephemerals.delete(node.ephemeralOwner);
      }
    }
  }

  private rehashMeta(node: Znode): void {
    this.hashAcl(node.acl);
    this.digest.updateMeta(node, this.hashedAclHigh, this.hashedAclLow);
  }

  /** Sets hashedAclHigh/Low to the hash of `acl` (a list from the cache). */
  private hashAcl(acl: readonly Acl[]): void {
    if (acl === this.hashedAcl) return;
    this.hashedAclHigh = this.acls.hashHigh(acl);
    this.hashedAclLow = this.acls.hashLow(acl);
    this.hashedAcl = acl;
  }
}
