import type { Acl } from './acl.js';
import type { CreateModeFlag } from './create-mode.js';

/**
 * One znode as a snapshot holds it: everything needed to rebuild it exactly. `creates` is the stored
 * child-create counter (the sequential suffix source); the visible cversion is derived from it.
 * The tree produces these in path order with every parent before its children; src/wire encodes them.
 */
export interface SnapshotNode {
  readonly path: string;
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

/** The state machine's image: the tree, plus an opaque section the session table fills. */
export interface TreeSnapshot {
  /** The zxid of the last txn applied into this image. */
  readonly lastZxid: bigint;
  readonly nodes: readonly SnapshotNode[];
  readonly sessions: Uint8Array;
}
