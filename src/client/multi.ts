import { ErrorCode, errorCodeName, type ErrorCodeName, type ErrorCodeNumber } from '../errors/error-code.js';
import { KeeperError } from '../errors/keeper-error.js';
import type { CheckOp, CreateOp, DeleteOp, GetChildrenOp, GetDataOp, MultiOp, MultiReadOp, SetDataOp } from '../tree/op.js';
import type { OpResult, ReadResult } from '../tree/op-result.js';
import type { Stat } from '../tree/stat.js';
import { describeCode } from './error-messages.js';
import { createOp, toBytes, type CreateOptions, type Data } from './requests.js';

/** One op of a multi (create, delete, setData, check), as the `Op` builders make them. */
export type WriteOperation = MultiOp;

/** One op of a multiRead (getData, getChildren). */
export type ReadOperation = MultiReadOp;

/**
 * Builders for the ops of `multi` and `multiRead` (ZooKeeper's `Op.create`, `Op.delete`,
 * `Op.setData`, `Op.check`, `Op.getData`, `Op.getChildren`). Paths and data are checked when the
 * multi is called.
 */
export const Op = {
  /** Creates `path` (options as `create`: mode, ttlMs, acl). */
  create(path: string, data?: Data, options: CreateOptions = {}): CreateOp {
    return createOp(path, data, options);
  },
  /** Deletes `path` if its version is `version` (-1: any). */
  delete(path: string, version = -1): DeleteOp {
    return { type: 'delete', path, version };
  },
  /** Sets the data of `path` if its version is `version` (-1: any). */
  setData(path: string, data: Data, version = -1): SetDataOp {
    return { type: 'setData', path, data: toBytes(data, path), version };
  },
  /** Fails the multi unless `path` exists with version `version` (-1: any version). */
  check(path: string, version: number): CheckOp {
    return { type: 'check', path, version };
  },
  /** multiRead: the data and Stat of `path`. */
  getData(path: string): GetDataOp {
    return { type: 'getData', path };
  },
  /** multiRead: the children (and Stat) of `path`. */
  getChildren(path: string): GetChildrenOp {
    return { type: 'getChildren', path };
  },
} as const;

/** An op that failed, or (code OK) one that would have succeeded in a multi that failed. */
export interface ErrorResult {
  readonly type: 'error';
  readonly code: ErrorCodeNumber;
  readonly codeName: ErrorCodeName;
}

/** What each op of a multi did (ZooKeeper's OpResult: CreateResult, DeleteResult, SetDataResult, CheckResult, ErrorResult). */
export type MultiResult =
  | { readonly type: 'create'; readonly path: string; readonly stat: Stat }
  | { readonly type: 'delete' }
  | { readonly type: 'setData'; readonly stat: Stat }
  | { readonly type: 'check' }
  | ErrorResult;

/** What each op of a multiRead read, or its error. */
export type MultiReadResult =
  | { readonly type: 'getData'; readonly data: Uint8Array; readonly stat: Stat }
  | { readonly type: 'getChildren'; readonly children: readonly string[]; readonly stat: Stat }
  | ErrorResult;

/**
 * A multi that failed, as ZooKeeper's client reports it: a KeeperError with the code of the op that
 * failed, and `results` for every op (ErrorResults: OK for the ops before the failing one, its
 * error, RUNTIMEINCONSISTENCY after it). Nothing of the multi was applied.
 */
export class KeeperMultiError extends KeeperError {
  /** One ErrorResult per op, in op order. */
  readonly results: readonly MultiResult[];
  /** The index of the op that failed. */
  readonly failedIndex: number;

  /** The error of a multi whose op `failedIndex` failed with `codeName`. */
  constructor(codeName: ErrorCodeName, message: string, path: string | undefined, results: readonly MultiResult[], failedIndex: number) {
    super(codeName, message, path);
    this.results = results;
    this.failedIndex = failedIndex;
  }
}

/** True when `value` is a KeeperMultiError (a failed multi, with its per-op results). */
export function isKeeperMultiError(value: unknown): value is KeeperMultiError {
  return value instanceof KeeperMultiError;
}

function errorResult(code: ErrorCodeNumber): ErrorResult {
  return { type: 'error', code, codeName: errorCodeName(code) ?? 'SYSTEMERROR' };
}

function toMultiResult(result: OpResult): MultiResult {
  switch (result.type) {
    case 'create':
      return { type: 'create', path: result.path, stat: result.stat };
    case 'delete':
      return { type: 'delete' };
    case 'setData':
      return { type: 'setData', stat: result.stat };
    case 'check':
      return { type: 'check' };
    case 'error':
      return errorResult(result.code);
    default:
      throw new KeeperError('MARSHALLINGERROR', `a ${result.type} result in a multi reply`);
  }
}

/**
 * The results of a multi reply, or the KeeperMultiError of a failed one (its code the first
 * error that is neither OK nor RUNTIMEINCONSISTENCY, as ZooKeeper's client picks it).
 */
export function multiResults(ops: readonly MultiOp[], results: readonly OpResult[]): MultiResult[] {
  if (results.length !== ops.length) {
    throw new KeeperError('MARSHALLINGERROR', `a multi of ${ops.length} ops answered with ${results.length} results`);
  }
  const mapped = results.map(toMultiResult);
  const isFailure = (r: MultiResult): boolean => r.type === 'error' && r.code !== ErrorCode.OK;
  if (!mapped.some(isFailure)) return mapped;
  let failedIndex = mapped.findIndex((r) => isFailure(r) && r.type === 'error' && r.code !== ErrorCode.RUNTIMEINCONSISTENCY);
  if (failedIndex < 0) failedIndex = mapped.findIndex(isFailure);
  const failed = mapped[failedIndex] as ErrorResult;
  const path = ops[failedIndex]?.path;
  throw new KeeperMultiError(
    failed.codeName,
    `op ${failedIndex} (${ops[failedIndex]?.type ?? '?'}) of the multi failed: ${describeCode(failed.code) ?? failed.codeName}`,
    path,
    mapped,
    failedIndex,
  );
}

/** The results of a multiRead reply: one per op, errors included (a multiRead never throws for an op). */
export function multiReadResults(ops: readonly MultiReadOp[], results: readonly ReadResult[]): MultiReadResult[] {
  if (results.length !== ops.length) {
    throw new KeeperError('MARSHALLINGERROR', `a multiRead of ${ops.length} ops answered with ${results.length} results`);
  }
  return results.map((result): MultiReadResult => {
    switch (result.type) {
      case 'getData':
        return { type: 'getData', data: result.data, stat: result.stat };
      case 'getChildren':
        return { type: 'getChildren', children: result.children, stat: result.stat };
      case 'error':
        return errorResult(result.code);
      default:
        throw new KeeperError('MARSHALLINGERROR', `a ${result.type} result in a multiRead reply`);
    }
  });
}
