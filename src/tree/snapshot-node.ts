import type { Acl } from './acl.js';
import type { CreateModeFlag } from './create-mode.js';

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

/**
 * The same image as columns, for the direct path (DataTree.encodeSnapshot): node i is `paths[i]` with
 * the fields `nodes[i]`, so the tree lends its own znodes instead of copying each into a SnapshotNode.
 */
export interface SnapshotColumns {
  readonly lastZxid: bigint;
  readonly paths: readonly string[];
  readonly nodes: readonly SnapshotFields[];
  readonly sessions: Uint8Array;
}
