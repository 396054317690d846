import type { Acl } from './acl.js';
import { CreateMode, type CreateModeFlag } from './create-mode.js';
import type { Stat } from './stat.js';

/** The data of a node created without any: one shared, empty array (nothing in it to mutate). */
export const EMPTY_DATA: Uint8Array = new Uint8Array(0);

/**
 * What prep needs to know about a node, whether it lives in the tree or only in a pending change
 * record (ZooKeeper's ChangeRecord: stat, childCount, acl).
 */
export interface NodeView {
  readonly acl: readonly Acl[];
  readonly mode: CreateModeFlag;
  readonly ttlMs: number;
  /** The owning session of an EPHEMERAL / EPHEMERAL_SEQUENTIAL node, 0n for every other mode. */
  readonly ephemeralOwner: bigint;
  readonly mtime: number;
  readonly version: number;
  /** The stored child-create counter (ZooKeeper's persisted cversion): the sequential suffix source. */
  readonly creates: number;
  readonly aversion: number;
  readonly childCount: number;
}

/**
 * One znode as the tree stores it. A class so every node shares one hidden class and one prototype
 * (no per-node closures); `children` is allocated only when the node gets its first child and holds
 * the children's full paths (the very strings the path map holds, so no second string per child).
 * Data arrays are shared with the txn that wrote them and with readers: treat them as read-only.
 */
export class Znode implements NodeView {
  data: Uint8Array;
  acl: readonly Acl[];
  readonly mode: CreateModeFlag;
  readonly ttlMs: number;
  readonly ephemeralOwner: bigint;
  readonly czxid: bigint;
  readonly ctime: number;
  mzxid: bigint;
  pzxid: bigint;
  mtime: number;
  version: number;
  creates: number;
  aversion: number;
  children: Set<string> | null;
  /** Where the tree digest remembers this node's hash parts (set when the node joins a tree). */
  digestSlot: number;

  constructor(
    data: Uint8Array,
    acl: readonly Acl[],
    mode: CreateModeFlag,
    ttlMs: number,
    ephemeralOwner: bigint,
    czxid: bigint,
    ctime: number,
  ) {
    this.data = data.length === 0 ? EMPTY_DATA : data;
    this.acl = acl;
    this.mode = mode;
    this.ttlMs = ttlMs;
    this.ephemeralOwner = ephemeralOwner;
    this.czxid = czxid;
    this.ctime = ctime;
    this.mzxid = czxid;
    this.pzxid = czxid;
    this.mtime = ctime;
    this.version = 0;
    this.creates = 0;
    this.aversion = 0;
    this.children = null;
    this.digestSlot = -1;
  }

  get childCount(): number {
    return this.children === null ? 0 : this.children.size;
  }
}

/**
 * The cversion a client sees: ZooKeeper stores only the count of child creates and reports
 * 2 * creates - numChildren (every child not present any more was deleted once), in Java int arithmetic.
 */
export function visibleCversion(creates: number, numChildren: number): number {
  return (Math.imul(creates, 2) - numChildren) | 0;
}

/** A node's Stat as ZooKeeper's DataNode.copyStat reports it. */
export function statOf(node: Znode): Stat {
  const numChildren = node.children === null ? 0 : node.children.size;
  return {
    czxid: node.czxid,
    mzxid: node.mzxid,
    ctime: node.ctime,
    mtime: node.mtime,
    version: node.version,
    cversion: visibleCversion(node.creates, numChildren),
    aversion: node.aversion,
    ephemeralOwner: node.ephemeralOwner,
    dataLength: node.data.length,
    numChildren,
    pzxid: node.pzxid,
  };
}

/** Container and TTL nodes are the ones the leader may delete on its own (deleteContainer). */
export function isContainerOrTtl(mode: CreateModeFlag): boolean {
  return (
    mode === CreateMode.CONTAINER ||
    mode === CreateMode.PERSISTENT_WITH_TTL ||
    mode === CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL
  );
}
