import { ErrorCode, errorCodeName, type ErrorCodeName } from '../../../src/errors/error-code.js';
import type { MultiOp } from '../../../src/tree/op.js';
import type { OpResult } from '../../../src/tree/op-result.js';
import type { Txn } from '../../../src/tree/txn.js';
import type { ServerReply } from '../../../src/wire/client-message.js';
import type { ZnodeErrorCode, ZnodeInput, ZnodeOutput } from '../lincheck/znode-model.js';
import { isLinearizablePath, type WorkOp } from './workload.js';

/** One operation for the linearizability checker; no output means its outcome is unknown (pending). */
export interface LinearizableRecord {
  readonly input: ZnodeInput;
  readonly output?: ZnodeOutput;
}

const MODEL_ERRORS: readonly ZnodeErrorCode[] = ['NONODE', 'NODEEXISTS', 'BADVERSION', 'NOTEMPTY', 'NOCHILDRENFOREPHEMERALS'];
/** Replies that leave a write's outcome unknown. */
const UNKNOWN_OUTCOME = new Set<number>([ErrorCode.CONNECTIONLOSS, ErrorCode.SESSIONEXPIRED, ErrorCode.SESSIONMOVED]);
/** Errors any request may get (its session's or connection's fate, or the replica's load). */
const ANY_REQUEST: readonly ErrorCodeName[] = ['OK', 'CONNECTIONLOSS', 'SESSIONEXPIRED', 'SESSIONMOVED', 'THROTTLEDOP'];

const text = (data: Uint8Array): string => new TextDecoder().decode(data);

function modelError(code: number): ZnodeErrorCode | null {
  const name = errorCodeName(code);
  return name !== undefined && (MODEL_ERRORS as readonly string[]).includes(name) ? (name as ZnodeErrorCode) : null;
}

/** The error codes ZooKeeper may answer `op` with; any other is a violation. */
export function allowedErrors(op: WorkOp): readonly ErrorCodeName[] {
  switch (op.kind) {
    case 'create':
      return [...ANY_REQUEST, 'NONODE', 'NODEEXISTS', 'NOCHILDRENFOREPHEMERALS'];
    case 'setData':
      return [...ANY_REQUEST, 'NONODE', 'BADVERSION'];
    case 'delete':
      return [...ANY_REQUEST, 'NONODE', 'BADVERSION', 'NOTEMPTY'];
    case 'getData':
    case 'getChildren':
    case 'syncRead':
      return [...ANY_REQUEST, 'NONODE'];
    default:
      return ANY_REQUEST;
  }
}

/** A write of the workload as the checker's input, or null when it is not one the checker covers. */
function inputOf(op: WorkOp): ZnodeInput | null {
  switch (op.kind) {
    case 'create':
      return op.mode === 0 && isLinearizablePath(op.path) ? { kind: 'create', path: op.path, data: op.data } : null;
    case 'setData':
      return isLinearizablePath(op.path) ? { kind: 'setData', path: op.path, data: op.data, version: op.version } : null;
    case 'delete':
      return isLinearizablePath(op.path) ? { kind: 'delete', path: op.path, version: op.version } : null;
    case 'getData':
      return isLinearizablePath(op.path) ? { kind: 'getData', path: op.path } : null;
    case 'syncRead':
      return isLinearizablePath(op.path) ? { kind: 'syncGetData', path: op.path } : null;
    default:
      return null;
  }
}

function multiInput(op: MultiOp): ZnodeInput | null {
  if (!isLinearizablePath(op.path)) return null;
  switch (op.type) {
    case 'create':
      return op.mode === 0 ? { kind: 'create', path: op.path, data: text(op.data) } : null;
    case 'setData':
      return { kind: 'setData', path: op.path, data: text(op.data), version: op.version };
    case 'delete':
      return { kind: 'delete', path: op.path, version: op.version };
    case 'check':
      return null;
  }
}

function successOf(input: ZnodeInput, result: OpResult | { readonly type: 'getData'; readonly data: Uint8Array; readonly stat: { readonly version: number } }): ZnodeOutput | null {
  switch (input.kind) {
    case 'create':
      return { kind: 'created' };
    case 'setData':
      return result.type === 'setData' ? { kind: 'set', version: result.stat.version } : null;
    case 'delete':
      return { kind: 'deleted' };
    case 'getData':
    case 'syncGetData':
      return result.type === 'getData' ? { kind: 'data', data: text(result.data), version: result.stat.version } : null;
  }
}

/**
 * What the linearizability checker records of a finished operation: `reply` null when the
 * connection was lost before it came. Writes whose outcome is unknown are recorded pending; reads
 * without an answer, and requests refused unrun (THROTTLEDOP), are not recorded. A failed multi
 * records only the op that failed (nothing of it was applied); a multi touches distinct paths.
 */
export function linearizableRecords(op: WorkOp, reply: ServerReply | null): LinearizableRecord[] {
  if (op.kind === 'multi') return multiRecords(op.ops, reply);
  const input = inputOf(op);
  if (input === null) return [];
  const isRead = input.kind === 'getData' || input.kind === 'syncGetData';
  if (reply === null || UNKNOWN_OUTCOME.has(reply.err)) return isRead ? [] : [{ input }];
  if (reply.err === ErrorCode.OK) {
    const output = reply.body.type === 'error' ? null : successOf(input, reply.body as OpResult);
    return output === null ? [{ input }] : [{ input, output }];
  }
  const code = modelError(reply.err);
  return code === null ? [] : [{ input, output: { kind: 'error', code } }];
}

function multiRecords(ops: readonly MultiOp[], reply: ServerReply | null): LinearizableRecord[] {
  const inputs = ops.map(multiInput);
  const pending = (): LinearizableRecord[] => inputs.filter((input): input is ZnodeInput => input !== null).map((input) => ({ input }));
  if (reply === null || UNKNOWN_OUTCOME.has(reply.err)) return pending();
  if (reply.err !== ErrorCode.OK || reply.body.type !== 'multi') return [];
  const results = reply.body.results;
  const failedAt = results.findIndex((result) => result.type === 'error' && result.code !== ErrorCode.OK && result.code !== ErrorCode.RUNTIMEINCONSISTENCY);
  if (failedAt === -1) {
    const records: LinearizableRecord[] = [];
    inputs.forEach((input, i) => {
      const result = results[i];
      if (input === null || result === undefined) return;
      const output = successOf(input, result);
      records.push(output === null ? { input } : { input, output });
    });
    return records;
  }
  const input = inputs[failedAt];
  const failure = results[failedAt]!;
  const code = failure.type === 'error' ? modelError(failure.code) : null;
  return input === null || input === undefined || code === null ? [] : [{ input, output: { kind: 'error', code } }];
}

/** A reply whose error the operation can never get, as a violation message (or null). */
export function unexpectedError(op: WorkOp, reply: ServerReply): string | null {
  const name = errorCodeName(reply.err);
  if (name !== undefined && allowedErrors(op).includes(name)) return null;
  return `reply to ${op.kind}${'path' in op ? ` ${op.path}` : ''} (xid ${reply.xid}) carries error ${name ?? reply.err}, which that operation can never get`;
}

/** Whether a reply leaves the operation's outcome unknown (it may or may not have been applied). */
export function outcomeUnknown(reply: ServerReply | null): boolean {
  return reply === null || UNKNOWN_OUTCOME.has(reply.err);
}

/** The outcome a txn gives the op it was prepped from (a multi's sub-txn for its op). */
function txnOutput(input: ZnodeInput, txn: Txn): ZnodeOutput | null {
  if (txn.type === 'error') {
    const code = modelError(txn.code);
    return code === null ? null : { kind: 'error', code };
  }
  switch (input.kind) {
    case 'create':
      return txn.type === 'create' ? { kind: 'created' } : null;
    case 'setData':
      return txn.type === 'setData' ? { kind: 'set', version: txn.version } : null;
    case 'delete':
      return txn.type === 'delete' ? { kind: 'deleted' } : null;
    default:
      return null;
  }
}

/**
 * What the checker records of a write whose reply never came but which the log applied as `txn`:
 * its real outcome (a txn that changed nothing records nothing, as if never sent). Throws on a txn
 * that does not fit the op (the simulator's matching is broken).
 */
export function appliedRecords(op: WorkOp, txn: Txn): LinearizableRecord[] {
  if (op.kind === 'multi') {
    if (txn.type !== 'multi') return [];
    const failedAt = txn.txns.findIndex((sub) => sub.type === 'error' && sub.code !== ErrorCode.OK && sub.code !== ErrorCode.RUNTIMEINCONSISTENCY);
    const records: LinearizableRecord[] = [];
    op.ops.forEach((sub, i) => {
      const input = multiInput(sub);
      const subTxn = txn.txns[i];
      if (input === null || subTxn === undefined || (failedAt !== -1 && i !== failedAt)) return;
      const output = txnOutput(input, subTxn);
      if (output !== null) records.push({ input, output });
    });
    return records;
  }
  const input = inputOf(op);
  if (input === null || input.kind === 'getData' || input.kind === 'syncGetData') return [];
  const output = txnOutput(input, txn);
  return output === null ? [] : [{ input, output }];
}
