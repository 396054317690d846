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

/** 2^30: a time's low half is below it, so both halves of any safe integer are small integers. */
const HALF = 1_073_741_824;

/** The high half of a safe integer split for storage (see Znode). */
export function highHalf(value: number): number {
  return Math.floor(value / HALF);
}

/** The low half, in [0, 2^30), of a safe integer split for storage. */
export function lowHalf(value: number): number {
  return value - Math.floor(value / HALF) * HALF;
}

/**
 * One znode as the tree stores it. A class so every node shares one hidden class and one prototype
 * (no per-node closures). A node knows its path (the very string the path map holds) and
 * `children`, allocated only when the node gets its first child, holds the child znodes themselves,
 * so walks down the tree need no path lookup.
 *
 * Times (ctime, mtime, ttlMs) are stored as two halves each, both below 2^30 in magnitude: an engine
 * keeps such numbers in the object itself, while a field holding numbers like 1.7e12 ms needs a
 * separate heap box per node (16 bytes more, and a young-generation object more for every node a
 * restore or a create makes). The getters give the plain numbers back.
 *
 * Data arrays are shared with the txn that wrote them and with readers: treat them as read-only.
 */
export class Znode implements NodeView {
  readonly path: string;
  data: Uint8Array;
  acl: readonly Acl[];
  readonly mode: CreateModeFlag;
  readonly ephemeralOwner: bigint;
  readonly czxid: bigint;
  mzxid: bigint;
  pzxid: bigint;
  private readonly ctimeHigh: number;
  private readonly ctimeLow: number;
  private mtimeHigh: number;
  private mtimeLow: number;
  private readonly ttlHigh: number;
  private readonly ttlLow: number;
  version: number;
  creates: number;
  aversion: number;
  children: Set<Znode> | null;
  /** Where the tree digest remembers this node's hash parts (set when the node joins a tree). */
  digestSlot: number;

  constructor(
    path: string,
    data: Uint8Array,
    acl: readonly Acl[],
    mode: CreateModeFlag,
    ttlMs: number,
    ephemeralOwner: bigint,
    czxid: bigint,
    ctime: number,
  ) {
    this.path = path;
    this.data = data.length === 0 ? EMPTY_DATA : data;
    this.acl = acl;
    this.mode = mode;
    this.ephemeralOwner = ephemeralOwner;
    this.czxid = czxid;
    this.mzxid = czxid;
    this.pzxid = czxid;
    this.ctimeHigh = highHalf(ctime);
    this.ctimeLow = lowHalf(ctime);
    this.mtimeHigh = this.ctimeHigh;
    this.mtimeLow = this.ctimeLow;
    this.ttlHigh = highHalf(ttlMs);
    this.ttlLow = lowHalf(ttlMs);
    this.version = 0;
    this.creates = 0;
    this.aversion = 0;
    this.children = null;
    this.digestSlot = -1;
  }

  get ctime(): number {
    return this.ctimeHigh * HALF + this.ctimeLow;
  }

  get mtime(): number {
    return this.mtimeHigh * HALF + this.mtimeLow;
  }

  set mtime(timeMs: number) {
    this.mtimeHigh = highHalf(timeMs);
    this.mtimeLow = lowHalf(timeMs);
  }

  get ttlMs(): number {
    return this.ttlHigh * HALF + this.ttlLow;
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
