import type { Acl } from './acl.js';
import type { CreateModeFlag } from './create-mode.js';

/**
 * What a client asks for, before the leader resolves it. Write ops go through prep (-> Txn) and the
 * log; read ops are served by the replica the client is attached to.
 */
export interface CreateOp {
  readonly type: 'create';
  /** The requested path; for a sequential mode the counter is appended to it. */
  readonly path: string;
  readonly data: Uint8Array;
  readonly acl: readonly Acl[];
  readonly mode: CreateModeFlag;
  /** Milliseconds for the TTL modes; 0 for every other mode. */
  readonly ttlMs: number;
}

export interface DeleteOp {
  readonly type: 'delete';
  readonly path: string;
  /** -1 for any version. */
  readonly version: number;
}

export interface SetDataOp {
  readonly type: 'setData';
  readonly path: string;
  readonly data: Uint8Array;
  readonly version: number;
}

/** multi's check(path, version): fails the multi unless the node has that version. */
export interface CheckOp {
  readonly type: 'check';
  readonly path: string;
  readonly version: number;
}

export interface SetAclOp {
  readonly type: 'setACL';
  readonly path: string;
  readonly acl: readonly Acl[];
  /** The expected aversion, -1 for any. */
  readonly version: number;
}

/** The ops a multi may hold (ZooKeeper: create, delete, setData, check). */
export type MultiOp = CreateOp | DeleteOp | SetDataOp | CheckOp;

export interface MultiWriteOp {
  readonly type: 'multi';
  readonly ops: readonly MultiOp[];
}

/** Every request that becomes a txn in the log. */
export type WriteOp = CreateOp | DeleteOp | SetDataOp | SetAclOp | CheckOp | MultiWriteOp;

export interface GetDataOp {
  readonly type: 'getData';
  readonly path: string;
}

export interface ExistsOp {
  readonly type: 'exists';
  readonly path: string;
}

export interface GetChildrenOp {
  readonly type: 'getChildren';
  readonly path: string;
}

export interface GetAllChildrenNumberOp {
  readonly type: 'getAllChildrenNumber';
  readonly path: string;
}

export interface GetEphemeralsOp {
  readonly type: 'getEphemerals';
  /** Only ephemerals whose path starts with this prefix ('/' for all). */
  readonly prefix: string;
}

export interface GetAclOp {
  readonly type: 'getACL';
  readonly path: string;
}

/** The ops multiRead may hold. */
export type MultiReadOp = GetDataOp | GetChildrenOp;

export type ReadOp = GetDataOp | ExistsOp | GetChildrenOp | GetAllChildrenNumberOp | GetEphemeralsOp | GetAclOp;
