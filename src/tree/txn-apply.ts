import { ErrorCode, type ErrorCodeNumber } from '../errors/error-code.js';
import { isEphemeral } from './create-mode.js';
import { findMultiInconsistency } from './multi-check.js';
import type { OpResult } from './op-result.js';
import { parentOf } from './path.js';
import type { TreeStore } from './tree-store.js';
import type { CheckTxn, CreateTxn, DeleteTxn, ErrorTxn, MultiTxn, SetAclTxn, SetDataTxn, Txn, TxnHeader } from './txn.js';
import type { WatchTrigger } from './watch-event.js';
import { isContainerOrTtl, statOf } from './znode.js';

/** What applying one txn produced: the reply for the client that asked, and the watch triggers. */
export interface ApplyOutcome {
  readonly result: OpResult;
  readonly triggers: readonly WatchTrigger[];
}

function failure(code: ErrorCodeNumber): OpResult {
  return { type: 'error', code };
}

function applyCreate(store: TreeStore, header: TxnHeader, txn: CreateTxn, triggers: WatchTrigger[]): OpResult {
  if (txn.path === '/' || store.nodes.has(txn.path)) return failure(ErrorCode.NODEEXISTS);
  const parentPath = parentOf(txn.path);
  if (!store.nodes.has(parentPath)) return failure(ErrorCode.NONODE);
  const owner = isEphemeral(txn.mode) ? txn.ephemeralOwner : 0n;
  const node = store.createNode(
    txn.path,
    txn.data,
    txn.acl,
    txn.mode,
    txn.ttlMs,
    owner,
    header.zxid,
    header.timeMs,
    txn.parentCversion,
  );
  triggers.push({ path: txn.path, type: 'NodeCreated' }, { path: parentPath, type: 'NodeChildrenChanged' });
  return { type: 'create', path: txn.path, stat: statOf(node) };
}

/** Deletes one node (delete, deleteContainer, closeSession); the caller checked it may go. */
function deleteOne(store: TreeStore, path: string, zxid: bigint, triggers: WatchTrigger[]): void {
  store.deleteNode(path, zxid);
  triggers.push({ path, type: 'NodeDeleted' }, { path: parentOf(path), type: 'NodeChildrenChanged' });
}

function applyDelete(store: TreeStore, header: TxnHeader, txn: DeleteTxn, triggers: WatchTrigger[]): OpResult {
  const node = store.nodes.get(txn.path);
  if (node === undefined) return failure(ErrorCode.NONODE);
  if (txn.path === '/' || node.childCount > 0) return failure(ErrorCode.NOTEMPTY);
  deleteOne(store, txn.path, header.zxid, triggers);
  return { type: 'delete' };
}

function applySetData(store: TreeStore, header: TxnHeader, txn: SetDataTxn, triggers: WatchTrigger[]): OpResult {
  const node = store.nodes.get(txn.path);
  if (node === undefined) return failure(ErrorCode.NONODE);
  store.setData(node, txn.data, txn.version, header.zxid, header.timeMs);
  triggers.push({ path: txn.path, type: 'NodeDataChanged' });
  return { type: 'setData', stat: statOf(node) };
}

function applySetAcl(store: TreeStore, txn: SetAclTxn): OpResult {
  const node = store.nodes.get(txn.path);
  if (node === undefined) return failure(ErrorCode.NONODE);
  store.setAcl(node, txn.acl, txn.version);
  return { type: 'setACL', stat: statOf(node) };
}

function applyCheck(store: TreeStore, txn: CheckTxn): OpResult {
  return store.nodes.has(txn.path) ? { type: 'check' } : failure(ErrorCode.NONODE);
}

function applyDeleteContainer(store: TreeStore, header: TxnHeader, path: string, triggers: WatchTrigger[]): OpResult {
  const node = store.nodes.get(path);
  if (node === undefined) return failure(ErrorCode.NONODE);
  if (node.childCount > 0) return failure(ErrorCode.NOTEMPTY);
  if (!isContainerOrTtl(node.mode)) return failure(ErrorCode.BADVERSION);
  deleteOne(store, path, header.zxid, triggers);
  return { type: 'deleteContainer' };
}

function applyCloseSession(store: TreeStore, header: TxnHeader, triggers: WatchTrigger[]): OpResult {
  const owned = store.ephemerals.get(header.sessionId);
  if (owned !== undefined) {
    // Ephemerals have no children, so any order works; sorted keeps the trigger order deterministic.
    for (const path of [...owned].sort()) deleteOne(store, path, header.zxid, triggers);
  }
  return { type: 'closeSession' };
}

/**
 * A multi in its failed form (some entry is an ErrorTxn) changes nothing: every entry reports an error,
 * OK (0) before the failing one and RUNTIMEINCONSISTENCY after it, as ZooKeeper's processTxn does.
 */
function failedMultiResults(txns: MultiTxn['txns']): OpResult[] {
  let failedSeen = false;
  return txns.map((txn) => {
    if (txn.type === 'error') {
      failedSeen = true;
      return failure(txn.code);
    }
    return failure(failedSeen ? ErrorCode.RUNTIMEINCONSISTENCY : ErrorCode.OK);
  });
}

function applyMulti(store: TreeStore, header: TxnHeader, txn: MultiTxn, triggers: WatchTrigger[]): OpResult {
  const txns = txn.txns;
  if (txns.some((sub) => sub.type === 'error')) return { type: 'multi', results: failedMultiResults(txns) };
  const inconsistency = findMultiInconsistency(store, txns);
  if (inconsistency !== null) {
    const results = txns.map((_, index): OpResult => {
      if (index < inconsistency.index) return failure(ErrorCode.OK);
      return failure(index === inconsistency.index ? inconsistency.code : ErrorCode.RUNTIMEINCONSISTENCY);
    });
    return { type: 'multi', results };
  }
  const results = txns.map((sub) => applySubTxn(store, header, sub, triggers));
  return { type: 'multi', results };
}

function applySubTxn(
  store: TreeStore,
  header: TxnHeader,
  txn: CreateTxn | DeleteTxn | SetDataTxn | CheckTxn | ErrorTxn,
  triggers: WatchTrigger[],
): OpResult {
  switch (txn.type) {
    case 'create':
      return applyCreate(store, header, txn, triggers);
    case 'delete':
      return applyDelete(store, header, txn, triggers);
    case 'setData':
      return applySetData(store, header, txn, triggers);
    case 'check':
      return applyCheck(store, txn);
    case 'error':
      return failure(txn.code);
  }
}

/**
 * ZooKeeper's DataTree.processTxn: applies one txn to the store. Deterministic and total: a txn that
 * does not fit the tree (prep never makes one) gives an error result and changes nothing.
 */
export function applyTxn(store: TreeStore, header: TxnHeader, txn: Txn): ApplyOutcome {
  const triggers: WatchTrigger[] = [];
  let result: OpResult;
  switch (txn.type) {
    case 'create':
    case 'delete':
    case 'setData':
    case 'check':
    case 'error':
      result = applySubTxn(store, header, txn, triggers);
      break;
    case 'setACL':
      result = applySetAcl(store, txn);
      break;
    case 'multi':
      result = applyMulti(store, header, txn, triggers);
      break;
    case 'deleteContainer':
      result = applyDeleteContainer(store, header, txn.path, triggers);
      break;
    case 'createSession':
      result = { type: 'createSession' };
      break;
    case 'moveSession':
      result = { type: 'moveSession' };
      break;
    case 'closeSession':
      result = applyCloseSession(store, header, triggers);
      break;
  }
  return { result, triggers };
}
