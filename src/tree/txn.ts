import type { Acl } from './acl.js';
import type { CreateModeFlag } from './create-mode.js';
import type { ErrorCodeNumber } from '../errors/error-code.js';

/**
 * Every txn carries the header the leader stamped at prep: who asked, which of their requests it was,
 * the zxid it commits at, and the leader's clock (ctime/mtime, TTL and container ages use it; apply
 * never reads a clock of its own).
 */
export interface TxnHeader {
  readonly sessionId: bigint;
  /** The client's request number (xid) within its session; 0 for txns the leader makes itself. */
  readonly cxid: number;
  readonly zxid: bigint;
  readonly timeMs: number;
}

/** A create, fully resolved: the actual (sequential) path, owner and the parent's new create count. */
export interface CreateTxn {
  readonly type: 'create';
  readonly path: string;
  readonly data: Uint8Array;
  /** Already fixed up: "auth" entries expanded into the creator's ids. */
  readonly acl: readonly Acl[];
  readonly mode: CreateModeFlag;
  /** The owner session for ephemerals, 0n otherwise. */
  readonly ephemeralOwner: bigint;
  /** TTL in ms for the TTL modes, 0 otherwise. */
  readonly ttlMs: number;
  /** The parent's count of child creates after this one (its stored cversion, the sequence counter). */
  readonly parentCversion: number;
}

export interface DeleteTxn {
  readonly type: 'delete';
  readonly path: string;
}

export interface SetDataTxn {
  readonly type: 'setData';
  readonly path: string;
  readonly data: Uint8Array;
  /** The node's version after this write. */
  readonly version: number;
}

export interface SetAclTxn {
  readonly type: 'setACL';
  readonly path: string;
  readonly acl: readonly Acl[];
  /** The node's aversion after this write. */
  readonly version: number;
}

export interface CheckTxn {
  readonly type: 'check';
  readonly path: string;
  readonly version: number;
}

/** A failed write still takes a zxid; it records the error the client gets. */
export interface ErrorTxn {
  readonly type: 'error';
  readonly code: ErrorCodeNumber;
}

/**
 * A multi: either every entry is a create/delete/setData/check txn (success), or every entry is an
 * ErrorTxn — OK (0) before the failing op, its error, RUNTIMEINCONSISTENCY after it.
 */
export interface MultiTxn {
  readonly type: 'multi';
  readonly txns: readonly (CreateTxn | DeleteTxn | SetDataTxn | CheckTxn | ErrorTxn)[];
}

/** The leader's deletion of an empty container or an expired TTL node. */
export interface DeleteContainerTxn {
  readonly type: 'deleteContainer';
  readonly path: string;
}

/**
 * A new session. Its id is the header's sessionId, which the leader sets to this txn's zxid (unique
 * across the ensemble by construction); the header's cxid is the owner replica's connect number, so
 * the replica the client waits on can tell which pending connect this txn answers.
 */
export interface CreateSessionTxn {
  readonly type: 'createSession';
  /** The negotiated timeout. */
  readonly timeoutMs: number;
  /** sha1 of the session password (a client proves it owns the session when it moves). */
  readonly passwordDigest: Uint8Array;
  /** The replica the client is attached to. */
  readonly ownerReplica: string;
  /** The client lives in the owner replica's tab: the session ends when that replica leaves. */
  readonly fateShared: boolean;
}

/** The session named in the header re-attached to another replica (its client moved). */
export interface MoveSessionTxn {
  readonly type: 'moveSession';
  readonly ownerReplica: string;
}

/** The end of the session named in the header: its ephemerals are deleted. */
export interface CloseSessionTxn {
  readonly type: 'closeSession';
}

export type Txn =
  | CreateTxn
  | DeleteTxn
  | SetDataTxn
  | SetAclTxn
  | CheckTxn
  | ErrorTxn
  | MultiTxn
  | DeleteContainerTxn
  | CreateSessionTxn
  | MoveSessionTxn
  | CloseSessionTxn;
