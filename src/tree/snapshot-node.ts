import type { Acl } from './acl.js';
import { CreateMode, type CreateModeFlag } from './create-mode.js';
import { EMPTY_DATA } from './znode.js';
import { INT64_PER_SLOT } from './znode-columns.js';

/**
 * One znode's stored fields, its path aside: everything needed to rebuild it exactly. `creates` is
 * the stored child-create counter (the sequential suffix source); the visible cversion is derived
 * from it. The tree's own znodes have these fields, so the tree can hand them to src/wire as they are.
 */
export interface SnapshotFields {
  readonly data: Uint8Array;
  readonly acl: readonly Acl[];
  readonly mode: CreateModeFlag;
  readonly ttlMs: number;
  readonly czxid: bigint;
  readonly mzxid: bigint;
  readonly pzxid: bigint;
  readonly ctime: number;
  readonly mtime: number;
  readonly version: number;
  readonly creates: number;
  readonly aversion: number;
  readonly ephemeralOwner: bigint;
}

/**
 * One znode as a snapshot holds it: its path and its fields. The tree produces these in path order
 * with every parent before its children; src/wire encodes them.
 */
export interface SnapshotNode extends SnapshotFields {
  readonly path: string;
}

/** The state machine's image: the tree, plus an opaque section the session table fills. */
export interface TreeSnapshot {
  /** The zxid of the last txn applied into this image. */
  readonly lastZxid: bigint;
  readonly nodes: readonly SnapshotNode[];
  readonly sessions: Uint8Array;
}

/** What a snapshot holds of a node besides its numeric fields. */
export interface SnapshotRefs {
  readonly path: string;
  readonly data: Uint8Array;
  readonly acl: readonly Acl[];
}

/**
 * One node as src/wire's snapshot decoder hands it over (decodeSnapshotInto): the references, and
 * the numeric fields unboxed. `int64Words` holds czxid, mzxid, pzxid and ephemeralOwner as four word
 * pairs in int64-words.ts's layout (a BigInt64Array over its buffer reads the four values).
 */
export interface SnapshotRecord extends SnapshotRefs {
  readonly mode: CreateModeFlag;
  readonly ttlMs: number;
  readonly ctime: number;
  readonly mtime: number;
  readonly version: number;
  readonly creates: number;
  readonly aversion: number;
  readonly int64Words: Int32Array;
}

/** One SnapshotRecord refilled node after node (the snapshot decoder's, and the tree's restore). */
export class SnapshotRecordBuffer implements SnapshotRecord {
  path = '';
  data: Uint8Array = EMPTY_DATA;
  acl: readonly Acl[] = [];
  mode: CreateModeFlag = CreateMode.PERSISTENT;
  ttlMs = 0;
  ctime = 0;
  mtime = 0;
  version = 0;
  creates = 0;
  aversion = 0;
  readonly int64Words = new Int32Array(INT64_PER_SLOT * 2);
}

/**
 * The image for the direct path (DataTree.encodeSnapshot): node i is `nodes[i]` (the tree lends its
 * own znodes) with its numeric fields at slot `slots[i]` of the three columns, laid out as
 * znode-columns.ts says. Nothing is copied per node.
 */
export interface SnapshotTable {
  readonly lastZxid: bigint;
  readonly nodes: readonly SnapshotRefs[];
  readonly slots: Int32Array;
  readonly int64Words: Int32Array;
  readonly times: Float64Array;
  readonly ints: Int32Array;
  readonly sessions: Uint8Array;
}
