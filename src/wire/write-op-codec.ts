import type { CheckOp, CreateOp, DeleteOp, MultiOp, SetAclOp, SetDataOp, WriteOp } from '../tree/op.js';
import { MAX_DATA_FIELD_BYTES, MAX_MULTI_OPS, MAX_PATH_BYTES } from './limits.js';
import { OpCode } from './op-code.js';
import {
  readBytes,
  readCount,
  readInt32,
  readInt53,
  readString,
  writeBytes,
  writeInt32,
  writeInt53,
  writeString,
  writeUint,
  type Decoder,
  type Encoder,
} from './primitives.js';
import { readAclList, readCreateMode, writeAclList, writeCreateMode } from './record-codec.js';
import { marshallingError } from './wire-error.js';

/**
 * The write ops (create, delete, setData, setACL, check, multi) in their request encoding, shared by
 * the client's request bodies (request-codec.ts) and the requests a follower forwards to the leader
 * (peer-codec.ts):
 *
 *   writeOp := varInt(opCode) • fields        (fields per op: PROTOCOL.md, "Request bodies")
 *
 * Errors name the place as `request <op>...` in both uses.
 */

export function writePath(encoder: Encoder, path: string, what: string): void {
  writeString(encoder, path, MAX_PATH_BYTES, what);
}

export function readPath(decoder: Decoder, what: string): string {
  return readString(decoder, MAX_PATH_BYTES, what);
}

/** create's fields (also create2's): `path • data • aclList • createMode • varInt(ttlMs)`. */
export function writeCreateFields(encoder: Encoder, op: Omit<CreateOp, 'type'>, what: string): void {
  writePath(encoder, op.path, `${what}.path`);
  writeBytes(encoder, op.data, MAX_DATA_FIELD_BYTES, `${what}.data`);
  writeAclList(encoder, op.acl, `${what}.acl`);
  writeCreateMode(encoder, op.mode, `${what}.mode`);
  writeInt53(encoder, op.ttlMs, `${what}.ttlMs`);
}

export function readCreateFields(decoder: Decoder, what: string): Omit<CreateOp, 'type'> {
  const path = readPath(decoder, `${what}.path`);
  const data = readBytes(decoder, MAX_DATA_FIELD_BYTES, `${what}.data`);
  const acl = readAclList(decoder, `${what}.acl`);
  const mode = readCreateMode(decoder, `${what}.mode`);
  const ttlMs = readInt53(decoder, `${what}.ttlMs`);
  return { path, data, acl, mode, ttlMs };
}

function writePathVersion(encoder: Encoder, op: DeleteOp | CheckOp, what: string): void {
  writePath(encoder, op.path, `${what}.path`);
  writeInt32(encoder, op.version, `${what}.version`);
}

function readPathVersion<T extends 'delete' | 'check'>(decoder: Decoder, type: T, what: string): { type: T; path: string; version: number } {
  const path = readPath(decoder, `${what}.path`);
  return { type, path, version: readInt32(decoder, `${what}.version`) };
}

function writeSetData(encoder: Encoder, op: SetDataOp, what: string): void {
  writePath(encoder, op.path, `${what}.path`);
  writeBytes(encoder, op.data, MAX_DATA_FIELD_BYTES, `${what}.data`);
  writeInt32(encoder, op.version, `${what}.version`);
}

function readSetData(decoder: Decoder, what: string): SetDataOp {
  const path = readPath(decoder, `${what}.path`);
  const data = readBytes(decoder, MAX_DATA_FIELD_BYTES, `${what}.data`);
  return { type: 'setData', path, data, version: readInt32(decoder, `${what}.version`) };
}

function writeSetAcl(encoder: Encoder, op: SetAclOp, what: string): void {
  writePath(encoder, op.path, `${what}.path`);
  writeAclList(encoder, op.acl, `${what}.acl`);
  writeInt32(encoder, op.version, `${what}.version`);
}

function readSetAcl(decoder: Decoder, what: string): SetAclOp {
  const path = readPath(decoder, `${what}.path`);
  const acl = readAclList(decoder, `${what}.acl`);
  return { type: 'setACL', path, acl, version: readInt32(decoder, `${what}.version`) };
}

function writeMultiOp(encoder: Encoder, op: MultiOp): void {
  const what = `request multi.${String(op.type)}`;
  switch (op.type) {
    case 'create':
      writeInt32(encoder, OpCode.create, what);
      return writeCreateFields(encoder, op, what);
    case 'delete':
      writeInt32(encoder, OpCode.delete, what);
      return writePathVersion(encoder, op, what);
    case 'setData':
      writeInt32(encoder, OpCode.setData, what);
      return writeSetData(encoder, op, what);
    case 'check':
      writeInt32(encoder, OpCode.check, what);
      return writePathVersion(encoder, op, what);
    default:
      throw marshallingError('request multi', `op type ${String((op as { type: unknown }).type)} cannot be in a multi`);
  }
}

function readMultiOp(decoder: Decoder): MultiOp {
  const offset = decoder.pos;
  const code = readInt32(decoder, 'request multi op code');
  switch (code) {
    case OpCode.create:
      return { type: 'create', ...readCreateFields(decoder, 'request multi.create') };
    case OpCode.delete:
      return readPathVersion(decoder, 'delete', 'request multi.delete');
    case OpCode.setData:
      return readSetData(decoder, 'request multi.setData');
    case OpCode.check:
      return readPathVersion(decoder, 'check', 'request multi.check');
    default:
      throw marshallingError('request multi op code', `op code ${code} cannot be in a multi`, offset);
  }
}

const WRITE_OP_CODES: Readonly<Record<WriteOp['type'], number>> = {
  create: OpCode.create,
  delete: OpCode.delete,
  setData: OpCode.setData,
  setACL: OpCode.setACL,
  check: OpCode.check,
  multi: OpCode.multi,
};

const WRITE_OP_CODE_SET: ReadonlySet<number> = new Set(Object.values(WRITE_OP_CODES));

/** True for the op codes of write ops: create, delete, setData, setACL, check, multi. */
export function isWriteOpCode(code: number): boolean {
  return WRITE_OP_CODE_SET.has(code);
}

/** Writes a write op's fields (without its op code); anything that is not a write op is MARSHALLINGERROR. */
export function writeWriteOpFields(encoder: Encoder, op: WriteOp): void {
  const what = `request ${String(op.type)}`;
  switch (op.type) {
    case 'create':
      return writeCreateFields(encoder, op, what);
    case 'delete':
    case 'check':
      return writePathVersion(encoder, op, what);
    case 'setData':
      return writeSetData(encoder, op, what);
    case 'setACL':
      return writeSetAcl(encoder, op, what);
    case 'multi':
      if (!Array.isArray(op.ops)) throw marshallingError(`${what}.ops`, 'ops is not an array');
      writeUint(encoder, op.ops.length, MAX_MULTI_OPS, `${what} count`);
      for (const sub of op.ops) writeMultiOp(encoder, sub);
      return;
    default:
      throw marshallingError('write op', `${String((op as { type: unknown }).type)} is not a write op`);
  }
}

/** Writes `varInt(opCode) • fields` for a write op; anything else is MARSHALLINGERROR. */
export function writeWriteOp(encoder: Encoder, op: WriteOp): void {
  const type: unknown = op.type;
  const code = typeof type === 'string' && Object.hasOwn(WRITE_OP_CODES, type) ? WRITE_OP_CODES[type as WriteOp['type']] : undefined;
  if (code === undefined) throw marshallingError('write op', `${String(type)} is not a write op`);
  writeInt32(encoder, code, `request ${String(type)} op code`);
  writeWriteOpFields(encoder, op);
}

/**
 * Reads the fields of the write op whose op code, read at `offset`, is `code`; an op code that is
 * not a write op's is MARSHALLINGERROR.
 */
export function readWriteOpFields(decoder: Decoder, code: number, offset: number): WriteOp {
  switch (code) {
    case OpCode.create:
      return { type: 'create', ...readCreateFields(decoder, 'request create') };
    case OpCode.delete:
      return readPathVersion(decoder, 'delete', 'request delete');
    case OpCode.check:
      return readPathVersion(decoder, 'check', 'request check');
    case OpCode.setData:
      return readSetData(decoder, 'request setData');
    case OpCode.setACL:
      return readSetAcl(decoder, 'request setACL');
    case OpCode.multi: {
      const count = readCount(decoder, MAX_MULTI_OPS, 2, 'request multi count');
      const ops: MultiOp[] = [];
      for (let i = 0; i < count; i++) ops.push(readMultiOp(decoder));
      return { type: 'multi', ops };
    }
    default:
      throw marshallingError('write op code', `op code ${code} is not a write op`, offset);
  }
}

/** Reads `varInt(opCode) • fields` of a write op. */
export function readWriteOp(decoder: Decoder): WriteOp {
  const offset = decoder.pos;
  return readWriteOpFields(decoder, readInt32(decoder, 'write op code'), offset);
}
