import type { MultiReadOp } from '../tree/op.js';
import type {
  AddWatchModeName,
  ClientRequest,
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
  readInt64,
  readString,
  readStringList,
  writeBool,
  writeBytes,
  writeInt32,
  writeInt64,
  writeString,
  writeStringList,
  writeUint,
  type Decoder,
  type Encoder,
} from './primitives.js';
import { marshallingError } from './wire-error.js';
import { readCreateFields, readPath, readWriteOpFields, writeCreateFields, writePath, writeWriteOpFields } from './write-op-codec.js';

/**
 *   request := varInt(xid) • requestBody
 *   requestBody := varInt(opCode) • fields      (fields per op: PROTOCOL.md)
 */

const addWatchModes = enumCodec<AddWatchModeName>(AddWatchMode);
const watcherTypes = enumCodec<WatcherTypeName>(WatcherType);

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
    case 'delete':
    case 'check':
    case 'setData':
    case 'setACL':
    case 'multi':
      return writeWriteOpFields(encoder, body);
    case 'create2':
      return writeCreateFields(encoder, body, what);
    case 'exists':
    case 'getData':
    case 'getChildren':
    case 'getChildren2':
      writePath(encoder, body.path, `${what}.path`);
      return writeBool(encoder, body.watch, `${what}.watch`);
    case 'getACL':
    case 'getAllChildrenNumber':
    case 'sync':
      return writePath(encoder, body.path, `${what}.path`);
    case 'getEphemerals':
      return writePath(encoder, body.prefix, `${what}.prefix`);
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
    case OpCode.delete:
    case OpCode.check:
    case OpCode.setData:
    case OpCode.setACL:
    case OpCode.multi:
      return readWriteOpFields(decoder, code, offset);
    case OpCode.create2:
      return { type: 'create2', ...readCreateFields(decoder, 'request create2') };
    case OpCode.exists:
      return { type: 'exists', ...readPathWatch(decoder, 'request exists') };
    case OpCode.getData:
      return { type: 'getData', ...readPathWatch(decoder, 'request getData') };
    case OpCode.getChildren:
      return { type: 'getChildren', ...readPathWatch(decoder, 'request getChildren') };
    case OpCode.getChildren2:
      return { type: 'getChildren2', ...readPathWatch(decoder, 'request getChildren2') };
    case OpCode.getACL:
      return { type: 'getACL', path: readPath(decoder, 'request getACL.path') };
    case OpCode.getAllChildrenNumber:
      return { type: 'getAllChildrenNumber', path: readPath(decoder, 'request getAllChildrenNumber.path') };
    case OpCode.sync:
      return { type: 'sync', path: readPath(decoder, 'request sync.path') };
    case OpCode.getEphemerals:
      return { type: 'getEphemerals', prefix: readPath(decoder, 'request getEphemerals.prefix') };
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
