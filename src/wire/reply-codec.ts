import type { Id } from '../tree/acl.js';
import type { OpResult, ReadResult } from '../tree/op-result.js';
import { ErrorCode } from '../errors/error-code.js';
import type { ReplyBody, ReplyType, ServerReply } from './client-message.js';
import { FrameKind, decodeFrame, encodeFrame } from './frame.js';
import { MAX_ACL_ENTRIES, MAX_DATA_FIELD_BYTES, MAX_LIST_COUNT, MAX_MULTI_OPS, MAX_PATH_BYTES } from './limits.js';
import { OpCode } from './op-code.js';
import {
  INT32_MAX,
  readBool,
  readBytes,
  readCount,
  readInt32,
  readInt64,
  readString,
  readStringList,
  readUint,
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
import {
  MIN_ID_BYTES,
  readAclList,
  readErrorCode,
  readId,
  readStat,
  writeAclList,
  writeErrorCode,
  writeId,
  writeStat,
} from './record-codec.js';
import { marshallingError } from './wire-error.js';

/**
 *   reply := varInt(xid) • int64(zxid) • varInt(err) • (err = 0 ? replyBody : ε)
 *   replyBody := varInt(tag) • fields        (tags are the OpCode of the request answered)
 *
 * A reply with an error carries no body on the wire; it decodes as `{ type: 'error', code: err }`.
 */

const REPLY_TAGS: Readonly<Record<ReplyType, number>> = {
  create: OpCode.create,
  delete: OpCode.delete,
  setData: OpCode.setData,
  setACL: OpCode.setACL,
  check: OpCode.check,
  multi: OpCode.multi,
  error: OpCode.error,
  createSession: OpCode.createSession,
  moveSession: OpCode.moveSession,
  closeSession: OpCode.closeSession,
  deleteContainer: OpCode.deleteContainer,
  getData: OpCode.getData,
  exists: OpCode.exists,
  getChildren: OpCode.getChildren,
  getAllChildrenNumber: OpCode.getAllChildrenNumber,
  getEphemerals: OpCode.getEphemerals,
  getACL: OpCode.getACL,
  multiRead: OpCode.multiRead,
  sync: OpCode.sync,
  whoAmI: OpCode.whoAmI,
  ping: OpCode.ping,
  addWatch: OpCode.addWatch,
  removeWatches: OpCode.removeWatches,
  setWatches: OpCode.setWatches,
  addAuthInfo: OpCode.addAuthInfo,
};

const TYPES_BY_TAG = new Map<number, ReplyType>(
  (Object.keys(REPLY_TAGS) as ReplyType[]).map((type) => [REPLY_TAGS[type], type]),
);

/** Where a body sits: a whole reply, one result of a multi, or one result of a multiRead. */
type Place = 'reply' | 'multi' | 'multiRead';

const ALLOWED: Readonly<Record<Place, ReadonlySet<ReplyType>>> = {
  reply: new Set((Object.keys(REPLY_TAGS) as ReplyType[]).filter((type) => type !== 'error')),
  multi: new Set<ReplyType>(['create', 'delete', 'setData', 'check', 'error']),
  multiRead: new Set<ReplyType>(['getData', 'getChildren', 'error']),
};

function writeBody(encoder: Encoder, body: ReplyBody, place: Place): void {
  const type = body.type;
  const what = `reply ${place === 'reply' ? '' : `${place} result `}${String(type)}`;
  if (!Object.hasOwn(REPLY_TAGS, type) || !ALLOWED[place].has(type)) {
    throw marshallingError(what, `a ${String(type)} body cannot be ${place === 'reply' ? 'a reply' : `in a ${place} reply`}`);
  }
  writeInt32(encoder, REPLY_TAGS[type], `${what} tag`);
  switch (body.type) {
    case 'create':
      writeString(encoder, body.path, MAX_PATH_BYTES, `${what}.path`);
      return writeStat(encoder, body.stat, `${what}.stat`);
    case 'setData':
    case 'setACL':
      return writeStat(encoder, body.stat, `${what}.stat`);
    case 'multi':
      writeUint(encoder, body.results.length, MAX_MULTI_OPS, `${what} count`);
      for (const result of body.results) writeBody(encoder, result, 'multi');
      return;
    case 'error':
      return writeErrorCode(encoder, body.code, `${what}.code`);
    case 'getData':
      writeBytes(encoder, body.data, MAX_DATA_FIELD_BYTES, `${what}.data`);
      return writeStat(encoder, body.stat, `${what}.stat`);
    case 'exists':
      writeBool(encoder, body.stat !== null, `${what} has stat`);
      if (body.stat !== null) writeStat(encoder, body.stat, `${what}.stat`);
      return;
    case 'getChildren':
      writeStringList(encoder, body.children, MAX_LIST_COUNT, MAX_PATH_BYTES, `${what}.children`);
      return writeStat(encoder, body.stat, `${what}.stat`);
    case 'getAllChildrenNumber':
      return writeUint(encoder, body.count, INT32_MAX, `${what}.count`);
    case 'getEphemerals':
      return writeStringList(encoder, body.paths, MAX_LIST_COUNT, MAX_PATH_BYTES, `${what}.paths`);
    case 'getACL':
      writeAclList(encoder, body.acl, `${what}.acl`);
      return writeStat(encoder, body.stat, `${what}.stat`);
    case 'multiRead':
      writeUint(encoder, body.results.length, MAX_MULTI_OPS, `${what} count`);
      for (const result of body.results) writeBody(encoder, result, 'multiRead');
      return;
    case 'sync':
      return writeString(encoder, body.path, MAX_PATH_BYTES, `${what}.path`);
    case 'whoAmI':
      writeUint(encoder, body.ids.length, MAX_ACL_ENTRIES, `${what} count`);
      for (const id of body.ids) writeId(encoder, id, `${what}.id`);
      return;
    default:
      return;
  }
}

function readResults<T>(decoder: Decoder, place: 'multi' | 'multiRead'): T[] {
  const count = readCount(decoder, MAX_MULTI_OPS, 1, `reply ${place} count`);
  const results: T[] = [];
  for (let i = 0; i < count; i++) results.push(readBody(decoder, place) as T);
  return results;
}

function readBody(decoder: Decoder, place: Place): ReplyBody {
  const offset = decoder.pos;
  const tag = readInt32(decoder, `reply ${place === 'reply' ? '' : `${place} result `}tag`);
  const type = TYPES_BY_TAG.get(tag);
  if (type === undefined || !ALLOWED[place].has(type)) {
    throw marshallingError(`reply ${place} tag`, `tag ${tag} is not a ${place === 'reply' ? 'reply' : `${place} result`}`, offset);
  }
  const what = `reply ${place === 'reply' ? '' : `${place} result `}${type}`;
  switch (type) {
    case 'create': {
      const path = readString(decoder, MAX_PATH_BYTES, `${what}.path`);
      return { type, path, stat: readStat(decoder, `${what}.stat`) };
    }
    case 'setData':
    case 'setACL':
      return { type, stat: readStat(decoder, `${what}.stat`) };
    case 'multi':
      return { type, results: readResults<OpResult>(decoder, 'multi') };
    case 'error':
      return { type, code: readErrorCode(decoder, `${what}.code`) };
    case 'getData': {
      const data = readBytes(decoder, MAX_DATA_FIELD_BYTES, `${what}.data`);
      return { type, data, stat: readStat(decoder, `${what}.stat`) };
    }
    case 'exists': {
      const hasStat = readBool(decoder, `${what} has stat`);
      return { type, stat: hasStat ? readStat(decoder, `${what}.stat`) : null };
    }
    case 'getChildren': {
      const children = readStringList(decoder, MAX_LIST_COUNT, MAX_PATH_BYTES, `${what}.children`);
      return { type, children, stat: readStat(decoder, `${what}.stat`) };
    }
    case 'getAllChildrenNumber':
      return { type, count: readUint(decoder, INT32_MAX, `${what}.count`) };
    case 'getEphemerals':
      return { type, paths: readStringList(decoder, MAX_LIST_COUNT, MAX_PATH_BYTES, `${what}.paths`) };
    case 'getACL': {
      const acl = readAclList(decoder, `${what}.acl`);
      return { type, acl, stat: readStat(decoder, `${what}.stat`) };
    }
    case 'multiRead':
      return { type, results: readResults<ReadResult>(decoder, 'multiRead') };
    case 'sync':
      return { type, path: readString(decoder, MAX_PATH_BYTES, `${what}.path`) };
    case 'whoAmI': {
      const count = readCount(decoder, MAX_ACL_ENTRIES, MIN_ID_BYTES, `${what} count`);
      const ids: Id[] = [];
      for (let i = 0; i < count; i++) ids.push(readId(decoder, `${what}.id`));
      return { type, ids };
    }
    default:
      return { type } as ReplyBody;
  }
}

export function writeServerReply(encoder: Encoder, reply: ServerReply): void {
  writeInt32(encoder, reply.xid, 'reply xid');
  writeInt64(encoder, reply.zxid, 'reply zxid');
  writeErrorCode(encoder, reply.err, 'reply err');
  if (reply.err === ErrorCode.OK) {
    writeBody(encoder, reply.body, 'reply');
    return;
  }
  if (reply.body.type !== 'error' || reply.body.code !== reply.err) {
    throw marshallingError('reply body', `a reply with err ${reply.err} must have body { type: 'error', code: ${reply.err} }`);
  }
}

export function readServerReply(decoder: Decoder): ServerReply {
  const xid = readInt32(decoder, 'reply xid');
  const zxid = readInt64(decoder, 'reply zxid');
  const err = readErrorCode(decoder, 'reply err');
  const body: ReplyBody = err === ErrorCode.OK ? readBody(decoder, 'reply') : { type: 'error', code: err };
  return { xid, zxid, err, body };
}

/** A reply frame (kind 4). */
export function encodeServerReply(reply: ServerReply): Uint8Array {
  return encodeFrame(FrameKind.reply, 'reply', (encoder) => writeServerReply(encoder, reply));
}

export function decodeServerReply(bytes: Uint8Array): ServerReply {
  return decodeFrame(bytes, 'reply', [FrameKind.reply], readServerReply);
}
