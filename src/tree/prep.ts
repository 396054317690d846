import { ErrorCode, type ErrorCodeNumber } from '../errors/error-code.js';
import { KeeperError, isKeeperError } from '../errors/keeper-error.js';
import { Perms, checkPermission, fixupAcl, type Acl, type Id } from './acl.js';
import { isEphemeral, isSequential } from './create-mode.js';
import { CONTAINER_GRACE_MS, isDueForDeletion, type ExpiryOptions } from './expiry.js';
import type { CheckOp, CreateOp, DeleteOp, MultiOp, MultiWriteOp, SetAclOp, SetDataOp, WriteOp } from './op.js';
import {
  MAX_ACL_ENTRIES,
  MAX_ACL_ID_BYTES,
  utf8Length,
  validateData,
  validateModeAndTtl,
  validateMultiShape,
  validatePathLength,
  validateVersion,
} from './op-validation.js';
import { RESERVED_ROOT, isReservedPath, parentOf, validatePath, validateWritePath } from './path.js';
import { PendingNode, type PendingChanges } from './pending-changes.js';
import type {
  CheckTxn,
  CloseSessionTxn,
  CreateTxn,
  DeleteContainerTxn,
  DeleteTxn,
  ErrorTxn,
  MultiTxn,
  SetAclTxn,
  SetDataTxn,
  Txn,
} from './txn.js';
import { isContainerOrTtl, type NodeView } from './znode.js';

/** Who asks and where the leader is: the request's session and ids, the zxid it gets, the leader's clock. */
export interface PrepContext {
  readonly sessionId: bigint;
  readonly authIds: readonly Id[];
  readonly zxid: bigint;
  readonly timeMs: number;
}

type MultiSubTxn = CreateTxn | DeleteTxn | SetDataTxn | CheckTxn;

/**
 * The suffix of a sequential node: the parent's create counter as Java's String.format("%010d")
 * writes an int ("0000000007", "-000000005", "-2147483648").
 */
export function formatSequenceSuffix(counter: number): string {
  if (counter >= 0) return String(counter).padStart(10, '0');
  return `-${String(-counter).padStart(9, '0')}`;
}

/**
 * ZooKeeper's checkAndIncVersion: BADVERSION unless `expected` is -1 or the current version; returns
 * the next version as a Java int (wrapping), skipping -1 so a client can always name it (ZOOKEEPER-4743).
 */
export function nextVersion(current: number, expected: number, path: string): number {
  if (expected !== -1 && expected !== current) {
    throw new KeeperError('BADVERSION', `expected version ${expected}, the node has ${current}`, path);
  }
  const next = (current + 1) | 0;
  return next === -1 ? 0 : next;
}

function reserved(path: string): KeeperError {
  return new KeeperError('BADARGUMENTS', `${RESERVED_ROOT} is reserved for the ensemble`, path);
}

/**
 * The node at a path an op addresses, after checking the path: a path where a node is (in the tree or
 * pending) was validated when that node was created, so only a path with no node gets the full check
 * (BADARGUMENTS comes before NONODE). Writes also refuse the reserved subtree. Null when no node.
 */
function lookupChecked(path: string, changes: PendingChanges, write: boolean): NodeView | null {
  const node = typeof path === 'string' ? changes.lookup(path) : null;
  if (node === null) {
    if (write) validateWritePath(path);
    else validatePath(path);
    validatePathLength(path);
  } else if (write && isReservedPath(path)) {
    throw reserved(path);
  }
  return node;
}

function noNode(path: string): KeeperError {
  return new KeeperError('NONODE', 'no node', path);
}

/**
 * The path of a create: when its parent is known to be valid, only the new last segment needs the
 * full check (a path is valid when its parent is and its last segment is).
 */
function validateCreatePath(path: string, sequential: boolean, changes: PendingChanges): void {
  if (typeof path === 'string' && path.length > 1 && path.charCodeAt(0) === 0x2f) {
    const slash = path.lastIndexOf('/');
    const name = path.slice(slash + 1);
    if ((name !== '' || sequential) && changes.knows(slash === 0 ? '/' : path.slice(0, slash))) {
      validatePath(`/${name}`, sequential);
      if (isReservedPath(path)) throw reserved(path);
      validatePathLength(path);
      return;
    }
  }
  validateWritePath(path, sequential);
  validatePathLength(path);
}

function existing(changes: PendingChanges, path: string): NodeView {
  const node = changes.lookup(path);
  if (node === null) throw noNode(path);
  return node;
}

/** fixupAcl for an ACL that came off the wire: anything that is not a list of {perms, id} is INVALIDACL. */
function fixedAcl(acl: unknown, authIds: readonly Id[], path: string): Acl[] {
  const wellFormed =
    Array.isArray(acl) &&
    acl.every(
      (entry: unknown) =>
        typeof entry === 'object' &&
        entry !== null &&
        typeof (entry as Acl).perms === 'number' &&
        typeof (entry as Acl).id === 'object' &&
        (entry as Acl).id !== null &&
        typeof (entry as Acl).id.scheme === 'string' &&
        typeof (entry as Acl).id.id === 'string',
    );
  if (!wellFormed) throw new KeeperError('INVALIDACL', 'an ACL must be a list of {perms, id: {scheme, id}}', path);
  const fixed = fixupAcl(acl as Acl[], authIds);
  if (fixed.length > MAX_ACL_ENTRIES) throw new KeeperError('INVALIDACL', `an ACL holds at most ${MAX_ACL_ENTRIES} entries`, path);
  for (const entry of fixed) {
    if (utf8Length(entry.id.scheme) > MAX_ACL_ID_BYTES || utf8Length(entry.id.id) > MAX_ACL_ID_BYTES) {
      throw new KeeperError('INVALIDACL', `an ACL scheme or id holds at most ${MAX_ACL_ID_BYTES} bytes`, path);
    }
  }
  return fixed;
}

/**
 * ZooKeeper's pRequest2TxnCreate. Error precedence: BADARGUMENTS (mode/TTL, path, data, no session
 * for an ephemeral), INVALIDACL, NONODE (parent), NOAUTH (CREATE on the parent), NODEEXISTS,
 * NOCHILDRENFOREPHEMERALS.
 */
function prepCreate(op: CreateOp, ctx: PrepContext, changes: PendingChanges): CreateTxn {
  const mode = validateModeAndTtl(op.mode, op.ttlMs, String(op.path));
  validateCreatePath(op.path, isSequential(mode), changes);
  validateData(op.data, op.path);
  const ephemeral = isEphemeral(mode);
  if (ephemeral && ctx.sessionId === 0n) throw new KeeperError('BADARGUMENTS', 'an ephemeral node needs a session', op.path);
  const acl = fixedAcl(op.acl, ctx.authIds, op.path);
  const parentPath = parentOf(op.path);
  const parent = existing(changes, parentPath);
  checkPermission(parent.acl, Perms.CREATE, ctx.authIds, op.path);
  const path = isSequential(mode) ? `${op.path}${formatSequenceSuffix(parent.creates)}` : op.path;
  validatePathLength(path);
  if (changes.lookup(path) !== null) throw new KeeperError('NODEEXISTS', 'node exists', path);
  if (isEphemeral(parent.mode)) throw new KeeperError('NOCHILDRENFOREPHEMERALS', 'ephemerals cannot have children', path);
  const parentCversion = (parent.creates + 1) | 0;
  const ephemeralOwner = ephemeral ? ctx.sessionId : 0n;
  changes.add(ctx.zxid, parentPath, PendingNode.withChildCreated(parent, parentCversion));
  changes.add(ctx.zxid, path, new PendingNode(acl, mode, op.ttlMs, ephemeralOwner, ctx.timeMs, 0, 0, 0, 0));
  return { type: 'create', path, data: op.data, acl, mode, ephemeralOwner, ttlMs: op.ttlMs, parentCversion };
}

/** Records the deletion of `path` (and its parent losing a child). */
function recordDeletion(changes: PendingChanges, zxid: bigint, path: string): void {
  const parentPath = parentOf(path);
  const parent = changes.lookup(parentPath);
  if (parent !== null) changes.add(zxid, parentPath, PendingNode.withChildDeleted(parent));
  changes.add(zxid, path, null);
}

/** Precedence: BADARGUMENTS, NONODE (parent), NOAUTH (DELETE on the parent), NONODE, BADVERSION, NOTEMPTY. */
function prepDelete(op: DeleteOp, ctx: PrepContext, changes: PendingChanges): DeleteTxn {
  const node = lookupChecked(op.path, changes, true);
  validateVersion(op.version, op.path);
  const parent = existing(changes, parentOf(op.path));
  checkPermission(parent.acl, Perms.DELETE, ctx.authIds, op.path);
  if (node === null) throw noNode(op.path);
  nextVersion(node.version, op.version, op.path);
  if (node.childCount > 0 || op.path === '/') throw new KeeperError('NOTEMPTY', 'node has children', op.path);
  recordDeletion(changes, ctx.zxid, op.path);
  return { type: 'delete', path: op.path };
}

/** Precedence: BADARGUMENTS, NONODE, NOAUTH (WRITE), BADVERSION. */
function prepSetData(op: SetDataOp, ctx: PrepContext, changes: PendingChanges): SetDataTxn {
  const node = lookupChecked(op.path, changes, true);
  validateData(op.data, op.path);
  validateVersion(op.version, op.path);
  if (node === null) throw noNode(op.path);
  checkPermission(node.acl, Perms.WRITE, ctx.authIds, op.path);
  const version = nextVersion(node.version, op.version, op.path);
  changes.add(ctx.zxid, op.path, PendingNode.withData(node, version, ctx.timeMs));
  return { type: 'setData', path: op.path, data: op.data, version };
}

/** Precedence: BADARGUMENTS, INVALIDACL, NONODE, NOAUTH (ADMIN), BADVERSION (against aversion). */
function prepSetAcl(op: SetAclOp, ctx: PrepContext, changes: PendingChanges): SetAclTxn {
  const node = lookupChecked(op.path, changes, true);
  validateVersion(op.version, op.path);
  const acl = fixedAcl(op.acl, ctx.authIds, op.path);
  if (node === null) throw noNode(op.path);
  checkPermission(node.acl, Perms.ADMIN, ctx.authIds, op.path);
  const aversion = nextVersion(node.aversion, op.version, op.path);
  changes.add(ctx.zxid, op.path, PendingNode.withAcl(node, acl, aversion));
  return { type: 'setACL', path: op.path, acl, version: aversion };
}

/** Precedence: BADARGUMENTS, NONODE, NOAUTH (READ, as ZooKeeper 3.9), BADVERSION. Records nothing. */
function prepCheck(op: CheckOp, ctx: PrepContext, changes: PendingChanges): CheckTxn {
  const node = lookupChecked(op.path, changes, false);
  validateVersion(op.version, op.path);
  if (node === null) throw noNode(op.path);
  checkPermission(node.acl, Perms.READ, ctx.authIds, op.path);
  nextVersion(node.version, op.version, op.path);
  return { type: 'check', path: op.path, version: node.version };
}

function prepMultiOp(op: MultiOp, ctx: PrepContext, changes: PendingChanges): MultiSubTxn {
  switch (op.type) {
    case 'create':
      return prepCreate(op, ctx, changes);
    case 'delete':
      return prepDelete(op, ctx, changes);
    case 'setData':
      return prepSetData(op, ctx, changes);
    case 'check':
      return prepCheck(op, ctx, changes);
    default:
      throw new KeeperError('BADARGUMENTS', `a multi cannot hold ${JSON.stringify((op as { type?: unknown }).type)}`);
  }
}

function errorTxn(code: ErrorCodeNumber): ErrorTxn {
  return { type: 'error', code };
}

/**
 * A multi: each op is prepped against the tree, the pending changes and the earlier ops of the same
 * multi. If one fails, its own records are rolled back and the txn is the all-error form (OK before
 * the failing op, its error, RUNTIMEINCONSISTENCY after), as ZooKeeper 3.8+ answers.
 */
function prepMulti(op: MultiWriteOp, ctx: PrepContext, changes: PendingChanges): MultiTxn | ErrorTxn {
  try {
    validateMultiShape(op.ops);
  } catch (error) {
    if (isKeeperError(error)) return errorTxn(error.code);
    throw error;
  }
  const txns: MultiSubTxn[] = [];
  changes.begin();
  let open = true;
  try {
    for (let index = 0; index < op.ops.length; index++) {
      try {
        txns.push(prepMultiOp(op.ops[index] as MultiOp, ctx, changes));
      } catch (error) {
        if (!isKeeperError(error)) throw error;
        changes.rollback();
        open = false;
        const failed = error.code;
        return {
          type: 'multi',
          txns: op.ops.map((_, i) => errorTxn(i < index ? ErrorCode.OK : i === index ? failed : ErrorCode.RUNTIMEINCONSISTENCY)),
        };
      }
    }
    changes.commit();
    open = false;
    return { type: 'multi', txns };
  } finally {
    // Still open only when a programmer error escaped: leave nothing behind.
    if (open) changes.rollback();
  }
}

/**
 * ZooKeeper's PrepRequestProcessor for one write request: checks it against the tree plus every
 * pending change and returns the fully resolved txn (sequential name, new versions, owner, parent
 * create count, fixed-up ACL) — or, for a request that fails, an ErrorTxn (a multi: its all-error
 * form). Records the txn's effects in `changes`. Never throws for bad input.
 */
export function prep(op: WriteOp, ctx: PrepContext, changes: PendingChanges): Txn {
  if (changes.isFull) return errorTxn(ErrorCode.THROTTLEDOP);
  if (op.type === 'multi') return prepMulti(op, ctx, changes);
  changes.begin();
  let committed = false;
  try {
    let txn: Txn;
    switch (op.type) {
      case 'setACL':
        txn = prepSetAcl(op, ctx, changes);
        break;
      case 'create':
      case 'delete':
      case 'setData':
      case 'check':
        txn = prepMultiOp(op, ctx, changes);
        break;
      default:
        throw new KeeperError('BADARGUMENTS', `unknown write op ${JSON.stringify((op as { type?: unknown }).type)}`);
    }
    changes.commit();
    committed = true;
    return txn;
  } catch (error) {
    if (isKeeperError(error)) return errorTxn(error.code);
    throw error;
  } finally {
    if (!committed) changes.rollback();
  }
}

/**
 * A session's end: records the deletion of every ephemeral it will own once the pending changes are
 * applied (the tree's, plus pending creates, less pending deletes).
 */
export function prepCloseSession(sessionId: bigint, zxid: bigint, changes: PendingChanges): CloseSessionTxn {
  const paths = new Set(changes.tree.ephemeralPaths(sessionId));
  for (const record of changes.records()) {
    if (record.node === null) paths.delete(record.path);
    else if (isEphemeral(record.node.mode) && record.node.ephemeralOwner === sessionId) paths.add(record.path);
  }
  for (const path of [...paths].sort()) recordDeletion(changes, zxid, path);
  return { type: 'closeSession' };
}

/**
 * The leader's deletion of a container or TTL node that dueForDeletion named, re-checked against the
 * pending changes at the leader's time: NONODE if it went, NOTEMPTY if it got a child, BADVERSION if
 * the path is not a container/TTL node any more or is no longer due (a newer setData).
 */
export function prepDeleteContainer(
  path: string,
  ctx: { readonly zxid: bigint; readonly timeMs: number },
  changes: PendingChanges,
  options: ExpiryOptions = {},
): DeleteContainerTxn | ErrorTxn {
  try {
    validateWritePath(path);
    const node = existing(changes, path);
    if (node.childCount > 0) throw new KeeperError('NOTEMPTY', 'container has children', path);
    if (!isContainerOrTtl(node.mode) || !isDueForDeletion(node, ctx.timeMs, options.containerGraceMs ?? CONTAINER_GRACE_MS)) {
      throw new KeeperError('BADVERSION', 'not a container or TTL node due for deletion', path);
    }
    recordDeletion(changes, ctx.zxid, path);
    return { type: 'deleteContainer', path };
  } catch (error) {
    if (isKeeperError(error)) return errorTxn(error.code);
    throw error;
  }
}
