import * as decoding from 'lib0/decoding';
import type { Acl } from '../tree/acl.js';
import type { CreateModeFlag } from '../tree/create-mode.js';
import type { SnapshotNode, TreeSnapshot } from '../tree/snapshot-node.js';
import { crc32 } from './crc32.js';
import { FrameKind, readFrameHeader } from './frame.js';
import {
  MAX_DATA_FIELD_BYTES,
  MAX_PATH_BYTES,
  MAX_SNAPSHOT_ACL_LISTS,
  MAX_SNAPSHOT_BYTES,
  MAX_SNAPSHOT_NODES,
  MAX_SNAPSHOT_PATH_BYTES,
  MAX_SNAPSHOT_SESSIONS_BYTES,
} from './limits.js';
import {
  INT32_MAX,
  INT32_MIN,
  decodeUtf8,
  expectEnd,
  readBytes,
  readCount,
  readInt,
  readInt64,
  readLength,
  readUint,
  readUint8,
  wellFormedUtf8Length,
  type Decoder,
} from './primitives.js';
import { readAclList } from './record-codec.js';
import {
  CHECKSUM_BYTES,
  FLAG_HAS_OWNER,
  FLAG_HAS_TTL,
  FLAG_MODE_MASK,
  FLAG_MTIME_IS_CTIME,
  FLAG_MZXID_IS_CZXID,
  FLAG_PZXID_IS_CZXID,
  MIN_NODE_RECORD_BYTES,
} from './snapshot-format.js';
import { asMarshalling, marshallingError } from './wire-error.js';

const LAST_CREATE_MODE = 6;
const EMPTY_DATA = new Uint8Array(0);
const MIN_SAFE = Number.MIN_SAFE_INTEGER;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function aclKey(acl: readonly Acl[]): string {
  let key = '';
  for (const entry of acl) key += `${entry.perms},${entry.id.scheme.length}:${entry.id.scheme}${entry.id.id.length}:${entry.id.id};`;
  return key;
}

/** The ACL table; two equal lists would never be written, so they are rejected. */
function readAclTable(decoder: Decoder): Acl[][] {
  const count = readCount(decoder, MAX_SNAPSHOT_ACL_LISTS, 1, 'snapshot ACL list count');
  const lists: Acl[][] = [];
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    const offset = decoder.pos;
    const acl = readAclList(decoder, `snapshot ACL list ${i}`);
    const key = aclKey(acl);
    if (seen.has(key)) throw marshallingError(`snapshot ACL list ${i}`, 'repeats an earlier list', offset);
    seen.add(key);
    lists.push(acl);
  }
  return lists;
}

function nodeFailure(index: number, offset: number, problem: string): never {
  throw marshallingError(`snapshot node ${index}`, problem, offset);
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/**
 * Reads the node records. Every field is checked as the encoder would have written it: flags name a
 * known mode and their "same as" bits are exact (a field present only when it differs), the path
 * and data lengths stay inside their columns, ACL indexes appear in order of first use.
 */
function readNodes(decoder: Decoder, count: number, paths: string, data: Uint8Array, acls: Acl[][]): SnapshotNode[] {
  const view = new DataView(decoder.arr.buffer, decoder.arr.byteOffset, decoder.arr.length);
  const nodes: SnapshotNode[] = new Array<SnapshotNode>(count);
  let pathOffset = 0;
  let dataOffset = 0;
  let nextNewAcl = 0;
  const int64 = (what: string): bigint => {
    if (decoder.arr.length - decoder.pos < 8) throw marshallingError(what, 'truncated input', decoder.pos);
    const value = view.getBigInt64(decoder.pos);
    decoder.pos += 8;
    return value;
  };
  for (let i = 0; i < count; i++) {
    const start = decoder.pos;
    const pathUnits = readUint(decoder, MAX_PATH_BYTES, 'snapshot node path length');
    if (pathUnits > paths.length - pathOffset) nodeFailure(i, start, `path length ${pathUnits} runs past the paths column`);
    if (pathOffset > 0 && isHighSurrogate(paths.charCodeAt(pathOffset - 1)) && isLowSurrogate(paths.charCodeAt(pathOffset))) {
      nodeFailure(i, start, 'path boundary splits a surrogate pair');
    }
    const path = paths.slice(pathOffset, pathOffset + pathUnits);
    pathOffset += pathUnits;
    if (pathUnits * 3 > MAX_PATH_BYTES && wellFormedUtf8Length(path) > MAX_PATH_BYTES) nodeFailure(i, start, `path exceeds ${MAX_PATH_BYTES} UTF-8 bytes`);

    const dataLength = readUint(decoder, MAX_DATA_FIELD_BYTES, 'snapshot node data length');
    if (dataLength > data.length - dataOffset) nodeFailure(i, start, `data length ${dataLength} runs past the data column`);
    const nodeData = dataLength === 0 ? EMPTY_DATA : data.subarray(dataOffset, dataOffset + dataLength);
    dataOffset += dataLength;

    const aclIndex = readUint(decoder, MAX_SNAPSHOT_ACL_LISTS, 'snapshot node ACL index');
    if (aclIndex > nextNewAcl || aclIndex >= acls.length) nodeFailure(i, start, `ACL index ${aclIndex} is out of order or out of range`);
    if (aclIndex === nextNewAcl) nextNewAcl++;

    const flags = readUint8(decoder, 'snapshot node flags');
    const mode = flags & FLAG_MODE_MASK;
    if (mode > LAST_CREATE_MODE) nodeFailure(i, start, `unknown create mode ${mode}`);
    const czxid = int64('snapshot node czxid');
    let mzxid = czxid;
    if ((flags & FLAG_MZXID_IS_CZXID) === 0) {
      mzxid = int64('snapshot node mzxid');
      if (mzxid === czxid) nodeFailure(i, start, 'mzxid written although it equals czxid');
    }
    let pzxid = czxid;
    if ((flags & FLAG_PZXID_IS_CZXID) === 0) {
      pzxid = int64('snapshot node pzxid');
      if (pzxid === czxid) nodeFailure(i, start, 'pzxid written although it equals czxid');
    }
    let ephemeralOwner = 0n;
    if ((flags & FLAG_HAS_OWNER) !== 0) {
      ephemeralOwner = int64('snapshot node ephemeralOwner');
      if (ephemeralOwner === 0n) nodeFailure(i, start, 'ephemeralOwner 0 written');
    }
    const ctime = readInt(decoder, MIN_SAFE, MAX_SAFE, 'snapshot node ctime');
    let mtime = ctime;
    if ((flags & FLAG_MTIME_IS_CTIME) === 0) {
      mtime = readInt(decoder, MIN_SAFE, MAX_SAFE, 'snapshot node mtime');
      if (mtime === ctime) nodeFailure(i, start, 'mtime written although it equals ctime');
    }
    const version = readInt(decoder, INT32_MIN, INT32_MAX, 'snapshot node version');
    const creates = readInt(decoder, INT32_MIN, INT32_MAX, 'snapshot node creates');
    const aversion = readInt(decoder, INT32_MIN, INT32_MAX, 'snapshot node aversion');
    let ttlMs = 0;
    if ((flags & FLAG_HAS_TTL) !== 0) {
      ttlMs = readInt(decoder, MIN_SAFE, MAX_SAFE, 'snapshot node ttlMs');
      if (ttlMs === 0) nodeFailure(i, start, 'ttlMs 0 written');
    }
    nodes[i] = {
      path,
      data: nodeData,
      acl: acls[aclIndex]!,
      mode: mode as CreateModeFlag,
      ttlMs,
      czxid,
      mzxid,
      pzxid,
      ctime,
      mtime,
      version,
      creates,
      aversion,
      ephemeralOwner,
    };
  }
  if (pathOffset !== paths.length) throw marshallingError('snapshot paths', `${paths.length - pathOffset} code units belong to no node`);
  if (dataOffset !== data.length) throw marshallingError('snapshot data', `${data.length - dataOffset} bytes belong to no node`);
  if (nextNewAcl !== acls.length) throw marshallingError('snapshot ACL table', `${acls.length - nextNewAcl} lists are used by no node`);
  return nodes;
}

function verifyChecksum(bytes: Uint8Array): void {
  const end = bytes.length - CHECKSUM_BYTES;
  const stored = new DataView(bytes.buffer, bytes.byteOffset, bytes.length).getUint32(end, true);
  const actual = crc32(bytes, 0, end);
  if (stored !== actual) {
    throw marshallingError('snapshot', `checksum mismatch (stored ${stored.toString(16)}, computed ${actual.toString(16)}): corrupted`, end);
  }
}

/**
 * Decodes a tree snapshot written by encodeTreeSnapshot. The checksum is verified before anything
 * else; nodes come back in the order they were written. Node data are views into one copy of the
 * data column (the input buffer is not retained).
 */
export function decodeTreeSnapshot(bytes: Uint8Array): TreeSnapshot {
  return asMarshalling('snapshot', () => {
    if (!(bytes instanceof Uint8Array)) throw marshallingError('snapshot', 'input is not a Uint8Array');
    if (bytes.length > MAX_SNAPSHOT_BYTES) throw marshallingError('snapshot', `${bytes.length} bytes exceed the limit of ${MAX_SNAPSHOT_BYTES}`);
    const header = decoding.createDecoder(bytes);
    const { kind } = readFrameHeader(header);
    if (kind !== FrameKind.treeSnapshot) throw marshallingError('snapshot', `frame kind ${kind} is not a tree snapshot (${FrameKind.treeSnapshot})`, 1);
    if (bytes.length < header.pos + CHECKSUM_BYTES) throw marshallingError('snapshot', 'truncated input', bytes.length);
    verifyChecksum(bytes);

    const decoder = decoding.createDecoder(bytes.subarray(0, bytes.length - CHECKSUM_BYTES));
    decoder.pos = header.pos;
    const lastZxid = readInt64(decoder, 'snapshot lastZxid');
    const count = readCount(decoder, MAX_SNAPSHOT_NODES, MIN_NODE_RECORD_BYTES, 'snapshot node count');
    const acls = readAclTable(decoder);
    const pathBytes = readLength(decoder, MAX_SNAPSHOT_PATH_BYTES, 'snapshot paths');
    const paths = decodeUtf8(decoder.arr.subarray(decoder.pos, decoder.pos + pathBytes), 'snapshot paths', decoder.pos);
    decoder.pos += pathBytes;
    const dataBytes = readLength(decoder, MAX_SNAPSHOT_BYTES, 'snapshot data');
    const data = new Uint8Array(dataBytes);
    data.set(decoder.arr.subarray(decoder.pos, decoder.pos + dataBytes));
    decoder.pos += dataBytes;
    const nodes = readNodes(decoder, count, paths, data, acls);
    const sessions = readBytes(decoder, MAX_SNAPSHOT_SESSIONS_BYTES, 'snapshot sessions');
    expectEnd(decoder, 'snapshot');
    return { lastZxid, nodes, sessions };
  });
}
