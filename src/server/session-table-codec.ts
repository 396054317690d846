import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { SessionRecord } from '../session/session-record.js';
import { SessionTable } from '../session/session-table.js';
import { MAX_PASSWORD_BYTES, MAX_REPLICA_ID_BYTES } from '../wire/limits.js';
import {
  INT32_MAX,
  expectEnd,
  readBool,
  readBytes,
  readCount,
  readInt,
  readInt64,
  readString,
  readUint,
  writeBool,
  writeBytes,
  writeInt,
  writeInt64,
  writeString,
  writeUint,
} from '../wire/primitives.js';
import { asMarshalling, marshallingError } from '../wire/wire-error.js';

/**
 * The session table's section of a snapshot (opaque to the tree snapshot format):
 *
 *   sessionTable := varUint(formatVersion = 1) • varUint(count) • session{count}
 *   session      := int64(sessionId) • varInt(timeoutMs: int32) • varByteArray(passwordDigest)
 *                   • varString(ownerReplica) • bool(fateShared)
 *
 * Sessions are written in id order, so equal tables give equal bytes.
 */

const FORMAT_VERSION = 1;
/** The fewest bytes one session record takes: 8 + 1 + 1 + 1 + 1. */
const MIN_SESSION_BYTES = 12;
const MAX_SESSIONS = 10_000_000;

export function encodeSessionTable(table: SessionTable): Uint8Array {
  return asMarshalling('session table', () => {
    const encoder = encoding.createEncoder();
    const records = table.list();
    writeUint(encoder, FORMAT_VERSION, FORMAT_VERSION, 'session table version');
    writeUint(encoder, records.length, MAX_SESSIONS, 'session table count');
    for (const record of records) {
      writeInt64(encoder, record.sessionId, 'session.sessionId');
      writeInt(encoder, record.timeoutMs, 0, INT32_MAX, 'session.timeoutMs');
      writeBytes(encoder, record.passwordDigest, MAX_PASSWORD_BYTES, 'session.passwordDigest');
      writeString(encoder, record.ownerReplica, MAX_REPLICA_ID_BYTES, 'session.ownerReplica');
      writeBool(encoder, record.fateShared, 'session.fateShared');
    }
    return encoding.toUint8Array(encoder);
  });
}

export function decodeSessionTable(bytes: Uint8Array): SessionTable {
  return asMarshalling('session table', () => {
    const decoder = decoding.createDecoder(bytes);
    const version = readUint(decoder, Number.MAX_SAFE_INTEGER, 'session table version');
    if (version !== FORMAT_VERSION) throw marshallingError('session table', `unknown format version ${version}`, 0);
    const count = readCount(decoder, MAX_SESSIONS, MIN_SESSION_BYTES, 'session table count');
    const records: SessionRecord[] = [];
    for (let i = 0; i < count; i++) {
      const sessionId = readInt64(decoder, 'session.sessionId');
      const timeoutMs = readInt(decoder, 0, INT32_MAX, 'session.timeoutMs');
      const passwordDigest = readBytes(decoder, MAX_PASSWORD_BYTES, 'session.passwordDigest');
      const ownerReplica = readString(decoder, MAX_REPLICA_ID_BYTES, 'session.ownerReplica');
      const fateShared = readBool(decoder, 'session.fateShared');
      records.push({ sessionId, timeoutMs, passwordDigest, ownerReplica, fateShared });
    }
    expectEnd(decoder, 'session table');
    const ids = new Set(records.map((record) => record.sessionId));
    if (ids.size !== records.length) throw marshallingError('session table', 'a session id appears twice');
    return SessionTable.fromRecords(records);
  });
}
