import type { Acl } from './acl.js';
import { CreateMode, type CreateModeFlag } from './create-mode.js';
import type { Stat } from './stat.js';
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
  type ZnodeColumns,
} from './znode-columns.js';

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
 * One znode as the tree stores it: its references (path, data, ACL, children) in the object, its
 * numeric fields in its tree's ZnodeColumns at `slot` (see znode-columns.ts), read and written through
 * the accessors below, so a Znode is a NodeView and a SnapshotFields like any other. A class, so every
 * node shares one hidden class and one prototype. The path is the very string the path map holds;
 * `children`, allocated only when the node gets its first child, holds the child znodes themselves,
 * so walks down the tree need no path lookup.
 *
 * Data arrays are shared with the txn that wrote them and with readers: treat them as read-only.
 * A znode deleted from its tree must not be read: its slot goes to the next node created.
 */
export class Znode implements NodeView {
  readonly path: string;
  data: Uint8Array;
  acl: readonly Acl[];
  children: Set<Znode> | null;
  readonly slot: number;
  private readonly columns: ZnodeColumns;

  /** A node over a slot whose fields the caller sets (TreeStore). */
  constructor(columns: ZnodeColumns, slot: number, path: string, data: Uint8Array, acl: readonly Acl[]) {
    this.path = path;
    this.data = data.length === 0 ? EMPTY_DATA : data;
    this.acl = acl;
    this.children = null;
    this.slot = slot;
    this.columns = columns;
  }

  get mode(): CreateModeFlag {
    return this.columns.ints[this.slot * INTS_PER_SLOT + MODE] as CreateModeFlag;
  }

  get ttlMs(): number {
    return this.columns.times[this.slot * TIMES_PER_SLOT + TTL] as number;
  }

  get ephemeralOwner(): bigint {
    return this.columns.int64[this.slot * INT64_PER_SLOT + OWNER] as bigint;
  }

  get czxid(): bigint {
    return this.columns.int64[this.slot * INT64_PER_SLOT + CZXID] as bigint;
  }

  get mzxid(): bigint {
    return this.columns.int64[this.slot * INT64_PER_SLOT + MZXID] as bigint;
  }

  set mzxid(zxid: bigint) {
    this.columns.int64[this.slot * INT64_PER_SLOT + MZXID] = zxid;
  }

  get pzxid(): bigint {
    return this.columns.int64[this.slot * INT64_PER_SLOT + PZXID] as bigint;
  }

  set pzxid(zxid: bigint) {
    this.columns.int64[this.slot * INT64_PER_SLOT + PZXID] = zxid;
  }

  get ctime(): number {
    return this.columns.times[this.slot * TIMES_PER_SLOT + CTIME] as number;
  }

  get mtime(): number {
    return this.columns.times[this.slot * TIMES_PER_SLOT + MTIME] as number;
  }

  set mtime(timeMs: number) {
    this.columns.times[this.slot * TIMES_PER_SLOT + MTIME] = timeMs;
  }

  get version(): number {
    return this.columns.ints[this.slot * INTS_PER_SLOT + VERSION] as number;
  }

  set version(version: number) {
    this.columns.ints[this.slot * INTS_PER_SLOT + VERSION] = version;
  }

  get creates(): number {
    return this.columns.ints[this.slot * INTS_PER_SLOT + CREATES] as number;
  }

  set creates(creates: number) {
    this.columns.ints[this.slot * INTS_PER_SLOT + CREATES] = creates;
  }

  get aversion(): number {
    return this.columns.ints[this.slot * INTS_PER_SLOT + AVERSION] as number;
  }

  set aversion(aversion: number) {
    this.columns.ints[this.slot * INTS_PER_SLOT + AVERSION] = aversion;
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
