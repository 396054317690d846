import type { Acl, Id } from '../tree/acl.js';
import { CreateMode, type CreateModeFlag } from '../tree/create-mode.js';
import type { Stat } from '../tree/stat.js';
import { isErrorCode, type ErrorCodeNumber } from '../errors/error-code.js';
import { MAX_ACL_ENTRIES, MAX_ACL_ID_BYTES } from './limits.js';
import {
  readCount,
  readInt32,
  readInt53,
  readInt64,
  readString,
  readUint,
  writeInt32,
  writeInt53,
  writeInt64,
  writeString,
  writeUint,
  type Decoder,
  type Encoder,
} from './primitives.js';
import { marshallingError } from './wire-error.js';

/**
 * The records shared by many messages: Stat, Id, ACL lists, create modes and error codes.
 *
 *   stat := int64(czxid) • int64(mzxid) • varInt(ctime) • varInt(mtime) • varInt(version)
 *         • varInt(cversion) • varInt(aversion) • int64(ephemeralOwner) • varInt(dataLength)
 *         • varInt(numChildren) • int64(pzxid)
 *   id   := varString(scheme) • varString(id)
 *   acl  := varInt(perms) • id
 *   aclList := varUint(count) • acl{count}
 */

export function writeStat(encoder: Encoder, stat: Stat, what: string): void {
  writeInt64(encoder, stat.czxid, `${what}.czxid`);
  writeInt64(encoder, stat.mzxid, `${what}.mzxid`);
  writeInt53(encoder, stat.ctime, `${what}.ctime`);
  writeInt53(encoder, stat.mtime, `${what}.mtime`);
  writeInt32(encoder, stat.version, `${what}.version`);
  writeInt32(encoder, stat.cversion, `${what}.cversion`);
  writeInt32(encoder, stat.aversion, `${what}.aversion`);
  writeInt64(encoder, stat.ephemeralOwner, `${what}.ephemeralOwner`);
  writeInt32(encoder, stat.dataLength, `${what}.dataLength`);
  writeInt32(encoder, stat.numChildren, `${what}.numChildren`);
  writeInt64(encoder, stat.pzxid, `${what}.pzxid`);
}

export function readStat(decoder: Decoder, what: string): Stat {
  const czxid = readInt64(decoder, `${what}.czxid`);
  const mzxid = readInt64(decoder, `${what}.mzxid`);
  const ctime = readInt53(decoder, `${what}.ctime`);
  const mtime = readInt53(decoder, `${what}.mtime`);
  const version = readInt32(decoder, `${what}.version`);
  const cversion = readInt32(decoder, `${what}.cversion`);
  const aversion = readInt32(decoder, `${what}.aversion`);
  const ephemeralOwner = readInt64(decoder, `${what}.ephemeralOwner`);
  const dataLength = readInt32(decoder, `${what}.dataLength`);
  const numChildren = readInt32(decoder, `${what}.numChildren`);
  const pzxid = readInt64(decoder, `${what}.pzxid`);
  return { czxid, mzxid, ctime, mtime, version, cversion, aversion, ephemeralOwner, dataLength, numChildren, pzxid };
}

export function writeId(encoder: Encoder, id: Id, what: string): void {
  writeString(encoder, id.scheme, MAX_ACL_ID_BYTES, `${what}.scheme`);
  writeString(encoder, id.id, MAX_ACL_ID_BYTES, `${what}.id`);
}

export function readId(decoder: Decoder, what: string): Id {
  const scheme = readString(decoder, MAX_ACL_ID_BYTES, `${what}.scheme`);
  const id = readString(decoder, MAX_ACL_ID_BYTES, `${what}.id`);
  return { scheme, id };
}

/** The fewest bytes one encoded Id takes (two empty strings). */
export const MIN_ID_BYTES = 2;

export function writeAclList(encoder: Encoder, acl: readonly Acl[], what: string): void {
  if (!Array.isArray(acl)) throw marshallingError(what, 'ACL is not an array');
  writeUint(encoder, acl.length, MAX_ACL_ENTRIES, `${what} count`);
  for (const entry of acl) {
    writeInt32(encoder, entry.perms, `${what}.perms`);
    writeId(encoder, entry.id, `${what}.id`);
  }
}

export function readAclList(decoder: Decoder, what: string): Acl[] {
  const count = readCount(decoder, MAX_ACL_ENTRIES, 1 + MIN_ID_BYTES, `${what} count`);
  const acl: Acl[] = [];
  for (let i = 0; i < count; i++) {
    const perms = readInt32(decoder, `${what}.perms`);
    acl.push({ perms, id: readId(decoder, `${what}.id`) });
  }
  return acl;
}

const LAST_CREATE_MODE = CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL;

/** A CreateMode flag (0..6) as a varUint; any other number is MARSHALLINGERROR. */
export function writeCreateMode(encoder: Encoder, mode: CreateModeFlag, what: string): void {
  writeUint(encoder, mode, LAST_CREATE_MODE, what);
}

export function readCreateMode(decoder: Decoder, what: string): CreateModeFlag {
  return readUint(decoder, LAST_CREATE_MODE, what) as CreateModeFlag;
}

/** One of ZooKeeper's error codes as a varInt; a number ZooKeeper does not have is MARSHALLINGERROR. */
export function writeErrorCode(encoder: Encoder, code: ErrorCodeNumber, what: string): void {
  if (typeof code !== 'number' || !isErrorCode(code)) throw marshallingError(what, `unknown error code ${String(code)}`);
  writeInt32(encoder, code, what);
}

export function readErrorCode(decoder: Decoder, what: string): ErrorCodeNumber {
  const offset = decoder.pos;
  const code = readInt32(decoder, what);
  if (!isErrorCode(code)) throw marshallingError(what, `unknown error code ${code}`, offset);
  return code;
}
