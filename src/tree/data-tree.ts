import { ErrorCode } from '../errors/error-code.js';
import { KeeperError, assert, isKeeperError } from '../errors/keeper-error.js';
import { OPEN_ACL_UNSAFE, Perms, READ_ACL_UNSAFE, isPermitted, type Acl, type Id } from './acl.js';
import { CreateMode } from './create-mode.js';
import { CONTAINER_GRACE_MS, isDueForDeletion, type ExpiryOptions } from './expiry.js';
import type { ReadOp } from './op.js';
import type { ReadResult } from './op-result.js';
import { isInt64 } from './int64-words.js';
import { validatePath } from './path.js';
import type { SnapshotNode, TreeSnapshot } from './snapshot-node.js';
import type { Stat } from './stat.js';
import { SnapshotRestorer, restoreNodes, snapshotNodes, snapshotTable } from './tree-snapshot.js';
import { decodeSnapshotInto } from '../wire/snapshot-decoder.js';
import { encodeSnapshotTable } from '../wire/snapshot-encoder.js';
import { TreeStore } from './tree-store.js';
import type { Txn, TxnHeader } from './txn.js';
import { applyTxn, type ApplyOutcome } from './txn-apply.js';
import { EMPTY_DATA, statOf, type NodeView, type Znode } from './znode.js';

export type { ApplyOutcome } from './txn-apply.js';

/** What DataTree.decodeSnapshot gives back: the tree, and the snapshot's session-table section. */
export interface DecodedSnapshot {
  readonly tree: DataTree;
  readonly sessions: Uint8Array;
}

/** Passed to the constructor by decodeSnapshot only: a tree with no node yet, to be restored into. */
const UNRESTORED: unique symbol = Symbol('unrestored');

function systemNode(path: string, acl: readonly Acl[], aversion = 0): SnapshotNode {
  const zero = { mzxid: 0n, pzxid: 0n, czxid: 0n, ephemeralOwner: 0n, ctime: 0, mtime: 0, ttlMs: 0, version: 0, creates: 0 };
  return { path, data: EMPTY_DATA, acl, mode: CreateMode.PERSISTENT, aversion, ...zero };
}

/** The nodes a fresh tree has, as ZooKeeper starts. */
const SYSTEM_NODES: readonly SnapshotNode[] = [
  systemNode('/', OPEN_ACL_UNSAFE),
  systemNode('/zookeeper', OPEN_ACL_UNSAFE),
  systemNode('/zookeeper/quota', OPEN_ACL_UNSAFE),
  // ZooKeeper sets the config node's ACL with setACL(..., -1), which leaves its aversion at -1.
  systemNode('/zookeeper/config', READ_ACL_UNSAFE, -1),
];

function isValidPath(path: string): boolean {
  try {
    validatePath(path);
    return true;
  } catch (error) {
    if (isKeeperError(error)) return false;
    throw error;
  }
}

/** ZooKeeper's getACL for a reader without ADMIN: digest ids lose their password hash ("user:x"). */
function redactDigests(acl: readonly Acl[]): Acl[] {
  return acl.map((entry) =>
    entry.id.scheme === 'digest' ? { perms: entry.perms, id: { scheme: 'digest', id: entry.id.id.replace(/:.*/, ':x') } } : entry,
  );
}

/**
 * The znode tree of one replica (ZooKeeper's DataTree): reads, `apply` of committed txns, the expiry
 * query for containers and TTL nodes, snapshots and a running digest. Pure: no clock, no I/O; time
 * comes in txn headers and arguments.
 */
export class DataTree {
  private readonly store = new TreeStore();
  private lastAppliedZxid = 0n;

  /** A fresh tree: '/', '/zookeeper', '/zookeeper/quota' and '/zookeeper/config', as ZooKeeper starts. */
  constructor(snapshot?: TreeSnapshot | typeof UNRESTORED) {
    if (snapshot === UNRESTORED) return;
    if (snapshot !== undefined) {
      restoreNodes(this.store, snapshot.nodes);
      this.lastAppliedZxid = snapshot.lastZxid;
      return;
    }
    restoreNodes(this.store, SYSTEM_NODES);
  }

  /** Rebuilds exactly the tree a snapshot was taken of (same nodes, stats, indexes and digest). */
  static fromSnapshot(snapshot: TreeSnapshot): DataTree {
    return new DataTree(snapshot);
  }

  /**
   * Rebuilds a tree straight from snapshot bytes (encodeSnapshot's, or encodeTreeSnapshot's: one
   * format): the decoder hands each node to the tree as it reads it, no SnapshotNode is made.
   * Malformed bytes are MARSHALLINGERROR, a well-formed snapshot that cannot be a tree is
   * DATAINCONSISTENCY, as for decodeTreeSnapshot then fromSnapshot.
   */
  static decodeSnapshot(bytes: Uint8Array): DecodedSnapshot {
    const tree = new DataTree(UNRESTORED);
    const restorer = new SnapshotRestorer(tree.store);
    const { lastZxid, sessions } = decodeSnapshotInto(bytes, restorer);
    restorer.finish();
    tree.lastAppliedZxid = lastZxid;
    return { tree, sessions };
  }

  /** The zxid of the last txn applied (or of the snapshot the tree was rebuilt from). */
  get lastZxid(): bigint {
    return this.lastAppliedZxid;
  }

  /** How many znodes the tree holds, '/' included. */
  get nodeCount(): number {
    return this.store.nodes.size;
  }

  /** The 64-bit digest of the whole tree; equal trees give equal digests. */
  digest(): bigint {
    return this.store.digest.value();
  }

  // ---- reads -------------------------------------------------------------------------------

  /** The node at `path`, for prep's checks; undefined when there is none. */
  nodeView(path: string): NodeView | undefined {
    return this.store.nodes.get(path);
  }

  /** The paths of the ephemerals `sessionId` owns (a live view: do not keep it across applies). */
  ephemeralPaths(sessionId: bigint): ReadonlySet<string> {
    return this.store.ephemerals.get(sessionId) ?? new Set<string>();
  }

  getData(path: string): { data: Uint8Array; stat: Stat } {
    const node = this.existing(path);
    return { data: node.data, stat: statOf(node) };
  }

  exists(path: string): Stat | null {
    const node = this.store.nodes.get(path);
    return node === undefined ? null : statOf(node);
  }

  /** The node's children, sorted (ZooKeeper answers in hash order; sorted is deterministic). */
  getChildren(path: string): { children: string[]; stat: Stat } {
    const node = this.existing(path);
    if (node.children === null) return { children: [], stat: statOf(node) };
    const prefixLength = path === '/' ? 1 : path.length + 1;
    const children: string[] = [];
    for (const child of node.children) children.push(child.path);
    children.sort();
    for (let i = 0; i < children.length; i++) children[i] = (children[i] as string).slice(prefixLength);
    return { children, stat: statOf(node) };
  }

  /** How many nodes are below `path` (all descendants, not the node itself). */
  getAllChildrenNumber(path: string): number {
    const start = this.existing(path);
    if (path === '/') return this.store.nodes.size - 1;
    let count = 0;
    const stack: Znode[] = [start];
    while (stack.length > 0) {
      const node = stack.pop() as Znode;
      if (node.children === null) continue;
      count += node.children.size;
      for (const child of node.children) stack.push(child);
    }
    return count;
  }

  /** The session's ephemerals whose path starts with `prefix` ('' or '/' for all), sorted. */
  getEphemerals(sessionId: bigint, prefix = '/'): string[] {
    const owned = this.store.ephemerals.get(sessionId);
    if (owned === undefined) return [];
    const all = prefix.trim() === '' || prefix.trim() === '/';
    const paths = all ? [...owned] : [...owned].filter((path) => path.startsWith(prefix));
    return paths.sort();
  }

  getACL(path: string): { acl: readonly Acl[]; stat: Stat } {
    const node = this.existing(path);
    return { acl: node.acl, stat: statOf(node) };
  }

  /** Throws NONODE when there is no node, NOAUTH when these ids may not READ it. */
  checkRead(path: string, authIds: readonly Id[]): void {
    const node = this.existing(path);
    if (!isPermitted(node.acl, Perms.READ, authIds)) throw new KeeperError('NOAUTH', 'READ is not permitted', path);
  }

  /**
   * Serves one read op as ZooKeeper's FinalRequestProcessor does. User errors come back as error
   * results (BADARGUMENTS for a bad path, NONODE, NOAUTH), never as exceptions. With `authIds`,
   * ACLs are enforced: READ for getData, exists, getChildren and getAllChildrenNumber; READ or ADMIN
   * for getACL (digest ids redacted without ADMIN); getEphemerals needs none (its prefix must be a
   * valid path, as the Java client checks). Without `authIds` the
   * caller is trusted and nothing is checked.
   */
  read(op: ReadOp, sessionId: bigint, authIds?: readonly Id[]): ReadResult {
    if (op.type === 'getEphemerals') {
      // The Java client validates the prefix as a path before sending it.
      if (!isValidPath(op.prefix)) return { type: 'error', code: ErrorCode.BADARGUMENTS };
      return { type: 'getEphemerals', paths: this.getEphemerals(sessionId, op.prefix) };
    }
    const node = this.store.nodes.get(op.path);
    if (node === undefined) {
      if (!isValidPath(op.path)) return { type: 'error', code: ErrorCode.BADARGUMENTS };
      return op.type === 'exists' ? { type: 'exists', stat: null } : { type: 'error', code: ErrorCode.NONODE };
    }
    if (op.type === 'getACL') return this.readAcl(node, authIds);
    if (authIds !== undefined && !isPermitted(node.acl, Perms.READ, authIds)) return { type: 'error', code: ErrorCode.NOAUTH };
    switch (op.type) {
      case 'getData':
        return { type: 'getData', data: node.data, stat: statOf(node) };
      case 'exists':
        return { type: 'exists', stat: statOf(node) };
      case 'getChildren':
        return { type: 'getChildren', ...this.getChildren(op.path) };
      case 'getAllChildrenNumber':
        return { type: 'getAllChildrenNumber', count: this.getAllChildrenNumber(op.path) };
    }
  }

  private readAcl(node: Znode, authIds: readonly Id[] | undefined): ReadResult {
    if (authIds === undefined) return { type: 'getACL', acl: node.acl, stat: statOf(node) };
    const admin = isPermitted(node.acl, Perms.ADMIN, authIds);
    if (!admin && !isPermitted(node.acl, Perms.READ, authIds)) return { type: 'error', code: ErrorCode.NOAUTH };
    return { type: 'getACL', acl: admin ? node.acl : redactDigests(node.acl), stat: statOf(node) };
  }
  // ---- writes ------------------------------------------------------------------------------

  /**
   * Applies one committed txn (ZooKeeper's processTxn). Deterministic; never throws for a txn prep
   * made: a txn that does not fit the tree becomes an error result that changes nothing. Every txn,
   * an ErrorTxn too, advances lastZxid; zxids must strictly increase.
   */
  apply(header: TxnHeader, txn: Txn): ApplyOutcome {
    assert(header.zxid > this.lastAppliedZxid, `zxid ${header.zxid} applied after ${this.lastAppliedZxid}`);
    assert(isInt64(header.zxid), `zxid ${header.zxid} is not a 64-bit signed integer`);
    const outcome = applyTxn(this.store, header, txn);
    this.lastAppliedZxid = header.zxid;
    return outcome;
  }

  // ---- expiry and snapshots ----------------------------------------------------------------

  /**
   * The containers and TTL nodes the leader should delete now (by deleteContainer txns), sorted.
   * See isDueForDeletion for the rules.
   */
  dueForDeletion(nowMs: number, options: ExpiryOptions = {}): string[] {
    const graceMs = options.containerGraceMs ?? CONTAINER_GRACE_MS;
    const due: string[] = [];
    for (const paths of [this.store.containers, this.store.ttls]) {
      for (const path of paths) {
        if (isDueForDeletion(this.store.nodes.get(path) as Znode, nowMs, graceMs)) due.push(path);
      }
    }
    return due.sort();
  }

  /** The tree's image with the session table's opaque bytes; see snapshotOrder for the order. */
  toSnapshot(sessions: Uint8Array): TreeSnapshot {
    return { lastZxid: this.lastAppliedZxid, nodes: snapshotNodes(this.store), sessions };
  }

  /**
   * The tree's image encoded (src/wire, PROTOCOL.md "Tree snapshot"): the same bytes as
   * encodeTreeSnapshot(toSnapshot(sessions)), written from the tree's own znodes.
   */
  encodeSnapshot(sessions: Uint8Array): Uint8Array {
    return encodeSnapshotTable(snapshotTable(this.store, this.lastAppliedZxid, sessions));
  }

  private existing(path: string): Znode {
    const node = this.store.nodes.get(path);
    if (node === undefined) throw new KeeperError('NONODE', 'no node', path);
    return node;
  }
}
