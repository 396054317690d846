import type { CheckOp, CreateOp, DeleteOp, MultiOp, MultiReadOp, SetDataOp } from '../tree/op.js';
import type {
  AddWatchModeName,
  ClientRequest,
  Create2Request,
  RequestBody,
  RequestType,
  SetWatchesRequest,
  WatcherTypeName,
} from './client-message.js';
import { AddWatchMode, WatcherType } from './client-message.js';
import { FrameKind, decodeFrame, encodeFrame } from './frame.js';
import {
  MAX_ACL_ID_BYTES,
  MAX_AUTH_BYTES,
  MAX_DATA_FIELD_BYTES,
  MAX_LIST_COUNT,
  MAX_MULTI_OPS,
  MAX_PATH_BYTES,
  MAX_REQUEST_FRAME_BYTES,
} from './limits.js';
import { OpCode } from './op-code.js';
import {
  enumCodec,
  readBool,
  readBytes,
  readCount,
  readInt32,
  readInt53,
  readInt64,
  readString,
  readStringList,
  writeBool,
  writeBytes,
  writeInt32,
  writeInt53,
  writeInt64,
  writeString,
  writeStringList,
  writeUint,
  type Decoder,
  type Encoder,
} from './primitives.js';
import { readAclList, readCreateMode, writeAclList, writeCreateMode } from './record-codec.js';
import { marshallingError } from './wire-error.js';

/**
 *   request := varInt(xid) • requestBody
 *   requestBody := varInt(opCode) • fields      (fields per op: PROTOCOL.md)
 */

const addWatchModes = enumCodec<AddWatchModeName>(AddWatchMode);
const watcherTypes = enumCodec<WatcherTypeName>(WatcherType);

function writePath(encoder: Encoder, path: string, what: string): void {
  writeString(encoder, path, MAX_PATH_BYTES, what);
}

function readPath(decoder: Decoder, what: string): string {
  return readString(decoder, MAX_PATH_BYTES, what);
}

function writeCreate(encoder: Encoder, op: CreateOp | Create2Request, what: string): void {
  writePath(encoder, op.path, `${what}.path`);
  writeBytes(encoder, op.data, MAX_DATA_FIELD_BYTES, `${what}.data`);
  writeAclList(encoder, op.acl, `${what}.acl`);
  writeCreateMode(encoder, op.mode, `${what}.mode`);
  writeInt53(encoder, op.ttlMs, `${what}.ttlMs`);
}

function readCreateFields(decoder: Decoder, what: string): Omit<CreateOp, 'type'> {
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

function writeMultiOp(encoder: Encoder, op: MultiOp): void {
  const what = `request multi.${String(op.type)}`;
  switch (op.type) {
    case 'create':
      writeInt32(encoder, OpCode.create, what);
      return writeCreate(encoder, op, what);
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
    case OpCode.delete: {
      const path = readPath(decoder, 'request multi.delete.path');
      return { type: 'delete', path, version: readInt32(decoder, 'request multi.delete.version') };
    }
    case OpCode.setData:
      return readSetData(decoder, 'request multi.setData');
    case OpCode.check: {
      const path = readPath(decoder, 'request multi.check.path');
      return { type: 'check', path, version: readInt32(decoder, 'request multi.check.version') };
    }
    default:
      throw marshallingError('request multi op code', `op code ${code} cannot be in a multi`, offset);
  }
}

function writeMultiReadOp(encoder: Encoder, op: MultiReadOp): void {
  if (op.type !== 'getData' && op.type !== 'getChildren') {
    throw marshallingError('request multiRead', `op type ${String((op as { type: unknown }).type)} cannot be in a multiRead`);
  }
  writeInt32(encoder, OpCode[op.type], 'request multiRead op code');
  writePath(encoder, op.path, `request multiRead.${op.type}.path`);
}

function readMultiReadOp(decoder: Decoder): MultiReadOp {
  const offset = decoder.pos;
  const code = readInt32(decoder, 'request multiRead op code');
  if (code === OpCode.getData) return { type: 'getData', path: readPath(decoder, 'request multiRead.getData.path') };
  if (code === OpCode.getChildren) {
    return { type: 'getChildren', path: readPath(decoder, 'request multiRead.getChildren.path') };
  }
  throw marshallingError('request multiRead op code', `op code ${code} cannot be in a multiRead`, offset);
}

const WATCH_LISTS = [
  'dataWatches',
  'existWatches',
  'childWatches',
  'persistentWatches',
  'persistentRecursiveWatches',
] as const;

function writeSetWatches(encoder: Encoder, body: SetWatchesRequest): void {
  writeInt64(encoder, body.relativeZxid, 'request setWatches.relativeZxid');
  for (const list of WATCH_LISTS) {
    writeStringList(encoder, body[list], MAX_LIST_COUNT, MAX_PATH_BYTES, `request setWatches.${list}`);
  }
}

function readSetWatches(decoder: Decoder): SetWatchesRequest {
  const relativeZxid = readInt64(decoder, 'request setWatches.relativeZxid');
  const [dataWatches, existWatches, childWatches, persistentWatches, persistentRecursiveWatches] = WATCH_LISTS.map(
    (list) => readStringList(decoder, MAX_LIST_COUNT, MAX_PATH_BYTES, `request setWatches.${list}`),
  ) as [string[], string[], string[], string[], string[]];
  return {
    type: 'setWatches',
    relativeZxid,
    dataWatches,
    existWatches,
    childWatches,
    persistentWatches,
    persistentRecursiveWatches,
  };
}

const REQUEST_OP_CODES: Readonly<Record<RequestType, number>> = {
  create: OpCode.create,
  create2: OpCode.create2,
  delete: OpCode.delete,
  exists: OpCode.exists,
  getData: OpCode.getData,
  setData: OpCode.setData,
  getACL: OpCode.getACL,
  setACL: OpCode.setACL,
  getChildren: OpCode.getChildren,
  getChildren2: OpCode.getChildren2,
  getAllChildrenNumber: OpCode.getAllChildrenNumber,
  getEphemerals: OpCode.getEphemerals,
  check: OpCode.check,
  multi: OpCode.multi,
  multiRead: OpCode.multiRead,
  sync: OpCode.sync,
  addWatch: OpCode.addWatch,
  removeWatches: OpCode.removeWatches,
  setWatches: OpCode.setWatches,
  addAuthInfo: OpCode.addAuthInfo,
  whoAmI: OpCode.whoAmI,
  ping: OpCode.ping,
  closeSession: OpCode.closeSession,
};

/** Writes `varInt(opCode) • fields` for any request body. */
export function writeRequestBody(encoder: Encoder, body: RequestBody): void {
  const what = `request ${String(body.type)}`;
  const code = Object.hasOwn(REQUEST_OP_CODES, body.type) ? REQUEST_OP_CODES[body.type] : undefined;
  if (code === undefined) throw marshallingError('request', `unknown request type ${String(body.type)}`);
  writeInt32(encoder, code, `${what} op code`);
  switch (body.type) {
    case 'create':
    case 'create2':
      return writeCreate(encoder, body, what);
    case 'delete':
    case 'check':
      return writePathVersion(encoder, body, what);
    case 'exists':
    case 'getData':
    case 'getChildren':
    case 'getChildren2':
      writePath(encoder, body.path, `${what}.path`);
      return writeBool(encoder, body.watch, `${what}.watch`);
    case 'setData':
      return writeSetData(encoder, body, what);
    case 'getACL':
    case 'getAllChildrenNumber':
    case 'sync':
      return writePath(encoder, body.path, `${what}.path`);
    case 'getEphemerals':
      return writePath(encoder, body.prefix, `${what}.prefix`);
    case 'setACL':
      writePath(encoder, body.path, `${what}.path`);
      writeAclList(encoder, body.acl, `${what}.acl`);
      return writeInt32(encoder, body.version, `${what}.version`);
    case 'multi':
      writeUint(encoder, body.ops.length, MAX_MULTI_OPS, `${what} count`);
      for (const op of body.ops) writeMultiOp(encoder, op);
      return;
    case 'multiRead':
      writeUint(encoder, body.ops.length, MAX_MULTI_OPS, `${what} count`);
      for (const op of body.ops) writeMultiReadOp(encoder, op);
      return;
    case 'addWatch':
      writePath(encoder, body.path, `${what}.path`);
      return addWatchModes.write(encoder, body.mode, `${what}.mode`);
    case 'removeWatches':
      writePath(encoder, body.path, `${what}.path`);
      watcherTypes.write(encoder, body.watcherType, `${what}.watcherType`);
      return writeBool(encoder, body.local, `${what}.local`);
    case 'setWatches':
      return writeSetWatches(encoder, body);
    case 'addAuthInfo':
      writeString(encoder, body.scheme, MAX_ACL_ID_BYTES, `${what}.scheme`);
      return writeBytes(encoder, body.auth, MAX_AUTH_BYTES, `${what}.auth`);
    case 'whoAmI':
    case 'ping':
    case 'closeSession':
      return;
    default:
      throw marshallingError('request', `unknown request type ${String((body as { type: unknown }).type)}`);
  }
}

function readPathWatch(decoder: Decoder, what: string): { path: string; watch: boolean } {
  const path = readPath(decoder, `${what}.path`);
  return { path, watch: readBool(decoder, `${what}.watch`) };
}

/** Reads `varInt(opCode) • fields`; an op code that is not a request is MARSHALLINGERROR. */
export function readRequestBody(decoder: Decoder): RequestBody {
  const offset = decoder.pos;
  const code = readInt32(decoder, 'request op code');
  switch (code) {
    case OpCode.create:
      return { type: 'create', ...readCreateFields(decoder, 'request create') };
    case OpCode.create2:
      return { type: 'create2', ...readCreateFields(decoder, 'request create2') };
    case OpCode.delete:
    case OpCode.check: {
      const type = code === OpCode.delete ? 'delete' : 'check';
      const path = readPath(decoder, `request ${type}.path`);
      return { type, path, version: readInt32(decoder, `request ${type}.version`) };
    }
    case OpCode.exists:
      return { type: 'exists', ...readPathWatch(decoder, 'request exists') };
    case OpCode.getData:
      return { type: 'getData', ...readPathWatch(decoder, 'request getData') };
    case OpCode.getChildren:
      return { type: 'getChildren', ...readPathWatch(decoder, 'request getChildren') };
    case OpCode.getChildren2:
      return { type: 'getChildren2', ...readPathWatch(decoder, 'request getChildren2') };
    case OpCode.setData:
      return readSetData(decoder, 'request setData');
    case OpCode.getACL:
      return { type: 'getACL', path: readPath(decoder, 'request getACL.path') };
    case OpCode.getAllChildrenNumber:
      return { type: 'getAllChildrenNumber', path: readPath(decoder, 'request getAllChildrenNumber.path') };
    case OpCode.sync:
      return { type: 'sync', path: readPath(decoder, 'request sync.path') };
    case OpCode.getEphemerals:
      return { type: 'getEphemerals', prefix: readPath(decoder, 'request getEphemerals.prefix') };
    case OpCode.setACL: {
      const path = readPath(decoder, 'request setACL.path');
      const acl = readAclList(decoder, 'request setACL.acl');
      return { type: 'setACL', path, acl, version: readInt32(decoder, 'request setACL.version') };
    }
    case OpCode.multi: {
      const count = readCount(decoder, MAX_MULTI_OPS, 2, 'request multi count');
      const ops: MultiOp[] = [];
      for (let i = 0; i < count; i++) ops.push(readMultiOp(decoder));
      return { type: 'multi', ops };
    }
    case OpCode.multiRead: {
      const count = readCount(decoder, MAX_MULTI_OPS, 2, 'request multiRead count');
      const ops: MultiReadOp[] = [];
      for (let i = 0; i < count; i++) ops.push(readMultiReadOp(decoder));
      return { type: 'multiRead', ops };
    }
    case OpCode.addWatch: {
      const path = readPath(decoder, 'request addWatch.path');
      return { type: 'addWatch', path, mode: addWatchModes.read(decoder, 'request addWatch.mode') };
    }
    case OpCode.removeWatches: {
      const path = readPath(decoder, 'request removeWatches.path');
      const watcherType = watcherTypes.read(decoder, 'request removeWatches.watcherType');
      return { type: 'removeWatches', path, watcherType, local: readBool(decoder, 'request removeWatches.local') };
    }
    case OpCode.setWatches:
      return readSetWatches(decoder);
    case OpCode.addAuthInfo: {
      const scheme = readString(decoder, MAX_ACL_ID_BYTES, 'request addAuthInfo.scheme');
      return { type: 'addAuthInfo', scheme, auth: readBytes(decoder, MAX_AUTH_BYTES, 'request addAuthInfo.auth') };
    }
    case OpCode.whoAmI:
      return { type: 'whoAmI' };
    case OpCode.ping:
      return { type: 'ping' };
    case OpCode.closeSession:
      return { type: 'closeSession' };
    default:
      throw marshallingError('request op code', `unknown request op code ${code}`, offset);
  }
}

export function writeClientRequest(encoder: Encoder, request: ClientRequest): void {
  writeInt32(encoder, request.xid, 'request xid');
  writeRequestBody(encoder, request.body);
}

export function readClientRequest(decoder: Decoder): ClientRequest {
  const xid = readInt32(decoder, 'request xid');
  return { xid, body: readRequestBody(decoder) };
}

/** A request frame (kind 3); at most MAX_REQUEST_FRAME_BYTES. */
export function encodeClientRequest(request: ClientRequest): Uint8Array {
  return encodeFrame(FrameKind.request, 'request', (encoder) => writeClientRequest(encoder, request), MAX_REQUEST_FRAME_BYTES);
}

export function decodeClientRequest(bytes: Uint8Array): ClientRequest {
  return decodeFrame(bytes, 'request', [FrameKind.request], readClientRequest, MAX_REQUEST_FRAME_BYTES);
}
