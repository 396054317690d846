import type {
  CheckTxn,
  CreateTxn,
  DeleteTxn,
  ErrorTxn,
  MultiTxn,
  SetDataTxn,
  Txn,
  TxnHeader,
} from '../tree/txn.js';
import { FrameKind, decodeFrame, encodeFrame } from './frame.js';
import { MAX_DATA_FIELD_BYTES, MAX_MULTI_OPS, MAX_PASSWORD_BYTES, MAX_PATH_BYTES, MAX_REPLICA_ID_BYTES, MAX_TXN_BATCH_COUNT } from './limits.js';
import { OpCode } from './op-code.js';
import {
  readBool,
  readBytes,
  readCount,
  readInt32,
  readInt53,
  readInt64,
  readString,
  writeBool,
  writeBytes,
  writeInt32,
  writeInt53,
  writeInt64,
  writeString,
  writeUint,
  type Decoder,
  type Encoder,
} from './primitives.js';
import {
  readAclList,
  readCreateMode,
  readErrorCode,
  writeAclList,
  writeCreateMode,
  writeErrorCode,
} from './record-codec.js';
import { marshallingError } from './wire-error.js';

/**
 * The replicated log's payload: txns with their headers.
 *
 *   txnRecord := txnHeader • txn
 *   txnHeader := int64(sessionId) • varInt(cxid) • int64(zxid) • varInt(timeMs)
 *   txn := varInt(opCode) • fields        (fields per kind: PROTOCOL.md)
 *   txnBatch := varUint(count) • txnRecord{count}
 */

/** One txn as the log holds it. */
export interface TxnRecord {
  readonly header: TxnHeader;
  readonly txn: Txn;
}

type SubTxn = MultiTxn['txns'][number];

/** The fewest bytes one encoded txnRecord takes (header 18, tag 1). */
const MIN_TXN_RECORD_BYTES = 19;

export function writeTxnHeader(encoder: Encoder, header: TxnHeader): void {
  writeInt64(encoder, header.sessionId, 'txn header.sessionId');
  writeInt32(encoder, header.cxid, 'txn header.cxid');
  writeInt64(encoder, header.zxid, 'txn header.zxid');
  writeInt53(encoder, header.timeMs, 'txn header.timeMs');
}

export function readTxnHeader(decoder: Decoder): TxnHeader {
  const sessionId = readInt64(decoder, 'txn header.sessionId');
  const cxid = readInt32(decoder, 'txn header.cxid');
  const zxid = readInt64(decoder, 'txn header.zxid');
  return { sessionId, cxid, zxid, timeMs: readInt53(decoder, 'txn header.timeMs') };
}

function writePath(encoder: Encoder, path: string, what: string): void {
  writeString(encoder, path, MAX_PATH_BYTES, what);
}

function readPath(decoder: Decoder, what: string): string {
  return readString(decoder, MAX_PATH_BYTES, what);
}

/** Multi's rule: every sub-txn succeeded, or every one is an ErrorTxn. */
function checkMultiShape(txns: readonly SubTxn[], what: string, offset?: number): void {
  const errors = txns.reduce((count, txn) => count + (txn.type === 'error' ? 1 : 0), 0);
  if (errors !== 0 && errors !== txns.length) {
    throw marshallingError(what, `${errors} of ${txns.length} sub-txns are errors: all or none must be`, offset);
  }
}

/** Writes `varInt(opCode) • fields` for a txn; `nested` marks a multi's sub-txn. */
export function writeTxn(encoder: Encoder, txn: Txn, nested = false): void {
  const what = `txn ${nested ? 'multi.' : ''}${String(txn.type)}`;
  const allowedNested = txn.type === 'create' || txn.type === 'delete' || txn.type === 'setData' || txn.type === 'check' || txn.type === 'error';
  if (nested && !allowedNested) throw marshallingError(what, `a ${String(txn.type)} txn cannot be in a multi`);
  switch (txn.type) {
    case 'create':
      writeInt32(encoder, OpCode.create, what);
      writePath(encoder, txn.path, `${what}.path`);
      writeBytes(encoder, txn.data, MAX_DATA_FIELD_BYTES, `${what}.data`);
      writeAclList(encoder, txn.acl, `${what}.acl`);
      writeCreateMode(encoder, txn.mode, `${what}.mode`);
      writeInt64(encoder, txn.ephemeralOwner, `${what}.ephemeralOwner`);
      writeInt53(encoder, txn.ttlMs, `${what}.ttlMs`);
      return writeInt32(encoder, txn.parentCversion, `${what}.parentCversion`);
    case 'delete':
      writeInt32(encoder, OpCode.delete, what);
      return writePath(encoder, txn.path, `${what}.path`);
    case 'setData':
      writeInt32(encoder, OpCode.setData, what);
      writePath(encoder, txn.path, `${what}.path`);
      writeBytes(encoder, txn.data, MAX_DATA_FIELD_BYTES, `${what}.data`);
      return writeInt32(encoder, txn.version, `${what}.version`);
    case 'setACL':
      writeInt32(encoder, OpCode.setACL, what);
      writePath(encoder, txn.path, `${what}.path`);
      writeAclList(encoder, txn.acl, `${what}.acl`);
      return writeInt32(encoder, txn.version, `${what}.version`);
    case 'check':
      writeInt32(encoder, OpCode.check, what);
      writePath(encoder, txn.path, `${what}.path`);
      return writeInt32(encoder, txn.version, `${what}.version`);
    case 'error':
      writeInt32(encoder, OpCode.error, what);
      return writeErrorCode(encoder, txn.code, `${what}.code`);
    case 'multi':
      writeInt32(encoder, OpCode.multi, what);
      checkMultiShape(txn.txns, what);
      writeUint(encoder, txn.txns.length, MAX_MULTI_OPS, `${what} count`);
      for (const sub of txn.txns) writeTxn(encoder, sub, true);
      return;
    case 'deleteContainer':
      writeInt32(encoder, OpCode.deleteContainer, what);
      return writePath(encoder, txn.path, `${what}.path`);
    case 'createSession':
      writeInt32(encoder, OpCode.createSession, what);
      writeInt32(encoder, txn.timeoutMs, `${what}.timeoutMs`);
      writeBytes(encoder, txn.passwordDigest, MAX_PASSWORD_BYTES, `${what}.passwordDigest`);
      writeString(encoder, txn.ownerReplica, MAX_REPLICA_ID_BYTES, `${what}.ownerReplica`);
      return writeBool(encoder, txn.fateShared, `${what}.fateShared`);
    case 'moveSession':
      writeInt32(encoder, OpCode.moveSession, what);
      return writeString(encoder, txn.ownerReplica, MAX_REPLICA_ID_BYTES, `${what}.ownerReplica`);
    case 'closeSession':
      writeInt32(encoder, OpCode.closeSession, what);
      return;
    default:
      throw marshallingError('txn', `unknown txn type ${String((txn as { type: unknown }).type)}`);
  }
}

function readCreateTxn(decoder: Decoder, what: string): CreateTxn {
  const path = readPath(decoder, `${what}.path`);
  const data = readBytes(decoder, MAX_DATA_FIELD_BYTES, `${what}.data`);
  const acl = readAclList(decoder, `${what}.acl`);
  const mode = readCreateMode(decoder, `${what}.mode`);
  const ephemeralOwner = readInt64(decoder, `${what}.ephemeralOwner`);
  const ttlMs = readInt53(decoder, `${what}.ttlMs`);
  const parentCversion = readInt32(decoder, `${what}.parentCversion`);
  return { type: 'create', path, data, acl, mode, ephemeralOwner, ttlMs, parentCversion };
}

/** The fields of the txn kinds a multi may hold, after their op code; `prefix` names the place. */
function readSubTxnFields(decoder: Decoder, code: number, prefix: string, offset: number): SubTxn {
  switch (code) {
    case OpCode.create:
      return readCreateTxn(decoder, `${prefix}.create`);
    case OpCode.delete:
      return { type: 'delete', path: readPath(decoder, `${prefix}.delete.path`) } satisfies DeleteTxn;
    case OpCode.setData: {
      const path = readPath(decoder, `${prefix}.setData.path`);
      const data = readBytes(decoder, MAX_DATA_FIELD_BYTES, `${prefix}.setData.data`);
      return { type: 'setData', path, data, version: readInt32(decoder, `${prefix}.setData.version`) } satisfies SetDataTxn;
    }
    case OpCode.check: {
      const path = readPath(decoder, `${prefix}.check.path`);
      return { type: 'check', path, version: readInt32(decoder, `${prefix}.check.version`) } satisfies CheckTxn;
    }
    case OpCode.error:
      return { type: 'error', code: readErrorCode(decoder, `${prefix}.error.code`) } satisfies ErrorTxn;
    default:
      throw marshallingError(`${prefix} op code`, `op code ${code} cannot be in a multi txn`, offset);
  }
}

function readSubTxn(decoder: Decoder): SubTxn {
  const offset = decoder.pos;
  return readSubTxnFields(decoder, readInt32(decoder, 'txn multi op code'), 'txn multi', offset);
}

/** Reads `varInt(opCode) • fields`; an op code that is not a txn is MARSHALLINGERROR. */
export function readTxn(decoder: Decoder): Txn {
  const offset = decoder.pos;
  const code = readInt32(decoder, 'txn op code');
  switch (code) {
    case OpCode.create:
    case OpCode.delete:
    case OpCode.setData:
    case OpCode.check:
    case OpCode.error:
      return readSubTxnFields(decoder, code, 'txn', offset);
    case OpCode.setACL: {
      const path = readPath(decoder, 'txn setACL.path');
      const acl = readAclList(decoder, 'txn setACL.acl');
      return { type: 'setACL', path, acl, version: readInt32(decoder, 'txn setACL.version') };
    }
    case OpCode.multi: {
      const countOffset = decoder.pos;
      const count = readCount(decoder, MAX_MULTI_OPS, 2, 'txn multi count');
      const txns: SubTxn[] = [];
      for (let i = 0; i < count; i++) txns.push(readSubTxn(decoder));
      checkMultiShape(txns, 'txn multi', countOffset);
      return { type: 'multi', txns };
    }
    case OpCode.deleteContainer:
      return { type: 'deleteContainer', path: readPath(decoder, 'txn deleteContainer.path') };
    case OpCode.createSession: {
      const timeoutMs = readInt32(decoder, 'txn createSession.timeoutMs');
      const passwordDigest = readBytes(decoder, MAX_PASSWORD_BYTES, 'txn createSession.passwordDigest');
      const ownerReplica = readString(decoder, MAX_REPLICA_ID_BYTES, 'txn createSession.ownerReplica');
      return { type: 'createSession', timeoutMs, passwordDigest, ownerReplica, fateShared: readBool(decoder, 'txn createSession.fateShared') };
    }
    case OpCode.moveSession:
      return { type: 'moveSession', ownerReplica: readString(decoder, MAX_REPLICA_ID_BYTES, 'txn moveSession.ownerReplica') };
    case OpCode.closeSession:
      return { type: 'closeSession' };
    default:
      throw marshallingError('txn op code', `unknown txn op code ${code}`, offset);
  }
}

export function writeTxnRecord(encoder: Encoder, record: TxnRecord): void {
  writeTxnHeader(encoder, record.header);
  writeTxn(encoder, record.txn);
}

export function readTxnRecord(decoder: Decoder): TxnRecord {
  const header = readTxnHeader(decoder);
  return { header, txn: readTxn(decoder) };
}

/** One txn with its header, as a frame (kind 16). */
export function encodeTxn(record: TxnRecord): Uint8Array {
  return encodeFrame(FrameKind.txn, 'txn', (encoder) => writeTxnRecord(encoder, record));
}

export function decodeTxn(bytes: Uint8Array): TxnRecord {
  return decodeFrame(bytes, 'txn', [FrameKind.txn], readTxnRecord);
}

/** A batch of txns (one log entry's payload), as a frame (kind 17); at most MAX_TXN_BATCH_COUNT. */
export function encodeTxnBatch(records: readonly TxnRecord[]): Uint8Array {
  return encodeFrame(FrameKind.txnBatch, 'txn batch', (encoder) => {
    if (!Array.isArray(records)) throw marshallingError('txn batch', 'records is not an array');
    writeUint(encoder, records.length, MAX_TXN_BATCH_COUNT, 'txn batch count');
    for (const record of records) writeTxnRecord(encoder, record);
  });
}

export function decodeTxnBatch(bytes: Uint8Array): TxnRecord[] {
  return decodeFrame(bytes, 'txn batch', [FrameKind.txnBatch], (decoder) => {
    const count = readCount(decoder, MAX_TXN_BATCH_COUNT, MIN_TXN_RECORD_BYTES, 'txn batch count');
    const records: TxnRecord[] = [];
    for (let i = 0; i < count; i++) records.push(readTxnRecord(decoder));
    return records;
  });
}
