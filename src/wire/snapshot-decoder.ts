import * as decoding from 'lib0/decoding';
import type { Acl } from '../tree/acl.js';
import type { CreateModeFlag } from '../tree/create-mode.js';
import { HIGH_WORD, LOW_WORD, int64At } from '../tree/int64-words.js';
import { SnapshotRecordBuffer, type SnapshotNode, type SnapshotRecord, type TreeSnapshot } from '../tree/snapshot-node.js';
import { CZXID, MZXID, OWNER, PZXID } from '../tree/znode-columns.js';
import { isKeeperError } from '../errors/keeper-error.js';
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
import { marshallingError } from './wire-error.js';

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

/** Receives decoded records one at a time, in snapshot order (see decodeSnapshotInto). */
export interface SnapshotSink {
  /** Called once, before the first record: how many records the snapshot declares. */
  start(nodeCount: number): void;
  add(record: SnapshotRecord): void;
}

/** Carries what a sink threw out of the decoder untouched (it is not a decoding error). */
class SinkFailure {
  constructor(readonly error: unknown) {}
}


/**
 * Reads the node records into `sink`. Every field is checked as the encoder would have written it:
 * flags name a known mode and their "same as" bits are exact (a field present only when it differs),
 * the path and data lengths stay inside their columns, ACL indexes appear in order of first use.
 * 64-bit fields go into the record's words as they are, without a bigint.
 */
function readNodes(decoder: Decoder, count: number, paths: string, data: Uint8Array, acls: Acl[][], sink: SnapshotSink): void {
  const arr = decoder.arr;
  const view = new DataView(arr.buffer, arr.byteOffset, arr.length);
  const record = new SnapshotRecordBuffer();
  const words = record.int64Words;
  let pathOffset = 0;
  let dataOffset = 0;
  let nextNewAcl = 0;
  /** Reads an int64 into the word pair of `field`. */
  const int64 = (field: number, what: string): void => {
    const pos = decoder.pos;
    if (arr.length - pos < 8) throw marshallingError(what, 'truncated input', pos);
    words[field * 2 + HIGH_WORD] = view.getInt32(pos);
    words[field * 2 + LOW_WORD] = view.getInt32(pos + 4);
    decoder.pos = pos + 8;
  };
  const sameAsCzxid = (field: number): boolean => words[field * 2] === words[CZXID * 2] && words[field * 2 + 1] === words[CZXID * 2 + 1];
  const copyCzxid = (field: number): void => {
    words[field * 2] = words[CZXID * 2] as number;
    words[field * 2 + 1] = words[CZXID * 2 + 1] as number;
  };
  try {
    sink.start(count);
  } catch (error) {
    throw new SinkFailure(error);
  }
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
    const nodeData = dataLength === 0 ? EMPTY_DATA : new Uint8Array(data.buffer, data.byteOffset + dataOffset, dataLength);
    dataOffset += dataLength;

    const aclIndex = readUint(decoder, MAX_SNAPSHOT_ACL_LISTS, 'snapshot node ACL index');
    if (aclIndex > nextNewAcl || aclIndex >= acls.length) nodeFailure(i, start, `ACL index ${aclIndex} is out of order or out of range`);
    if (aclIndex === nextNewAcl) nextNewAcl++;

    const flags = readUint8(decoder, 'snapshot node flags');
    const mode = flags & FLAG_MODE_MASK;
    if (mode > LAST_CREATE_MODE) nodeFailure(i, start, `unknown create mode ${mode}`);
    int64(CZXID, 'snapshot node czxid');
    if ((flags & FLAG_MZXID_IS_CZXID) === 0) {
      int64(MZXID, 'snapshot node mzxid');
      if (sameAsCzxid(MZXID)) nodeFailure(i, start, 'mzxid written although it equals czxid');
    } else {
      copyCzxid(MZXID);
    }
    if ((flags & FLAG_PZXID_IS_CZXID) === 0) {
      int64(PZXID, 'snapshot node pzxid');
      if (sameAsCzxid(PZXID)) nodeFailure(i, start, 'pzxid written although it equals czxid');
    } else {
      copyCzxid(PZXID);
    }
    if ((flags & FLAG_HAS_OWNER) !== 0) {
      int64(OWNER, 'snapshot node ephemeralOwner');
      if (words[OWNER * 2] === 0 && words[OWNER * 2 + 1] === 0) nodeFailure(i, start, 'ephemeralOwner 0 written');
    } else {
      words[OWNER * 2] = 0;
      words[OWNER * 2 + 1] = 0;
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
    record.path = path;
    record.data = nodeData;
    record.acl = acls[aclIndex]!;
    record.mode = mode as CreateModeFlag;
    record.ttlMs = ttlMs;
    record.ctime = ctime;
    record.mtime = mtime;
    record.version = version;
    record.creates = creates;
    record.aversion = aversion;
    try {
      sink.add(record);
    } catch (error) {
      throw new SinkFailure(error);
    }
  }
  if (pathOffset !== paths.length) throw marshallingError('snapshot paths', `${paths.length - pathOffset} code units belong to no node`);
  if (dataOffset !== data.length) throw marshallingError('snapshot data', `${data.length - dataOffset} bytes belong to no node`);
  if (nextNewAcl !== acls.length) throw marshallingError('snapshot ACL table', `${acls.length - nextNewAcl} lists are used by no node`);
}

function verifyChecksum(bytes: Uint8Array): void {
  const end = bytes.length - CHECKSUM_BYTES;
  const stored = new DataView(bytes.buffer, bytes.byteOffset, bytes.length).getUint32(end, true);
  const actual = crc32(bytes, 0, end);
  if (stored !== actual) {
    throw marshallingError('snapshot', `checksum mismatch (stored ${stored.toString(16)}, computed ${actual.toString(16)}): corrupted`, end);
  }
}

/** What a snapshot holds besides its nodes. */
export interface SnapshotTrailer {
  readonly lastZxid: bigint;
  readonly nodeCount: number;
  readonly sessions: Uint8Array;
}

/**
 * Decodes a tree snapshot written by encodeTreeSnapshot (or encodeSnapshotTable), handing each node
 * to `sink` as a record as soon as it is read, in the order written: no SnapshotNode (and no bigint)
 * is made. The sink sees one record refilled for every node, so it must copy what it keeps. The checksum is verified before
 * anything is read; the checks after the last node (every column and ACL list used up, the sessions,
 * no trailing bytes) run after the sink has seen every node, so a sink builds what it is given and
 * drops it when this throws. Node data are views into one copy of the data column (the input buffer
 * is not retained). Malformed bytes are MARSHALLINGERROR; whatever the sink throws passes as it is.
 */
export function decodeSnapshotInto(bytes: Uint8Array, sink: SnapshotSink): SnapshotTrailer {
  try {
    return decodeInto(bytes, sink);
  } catch (error) {
    if (error instanceof SinkFailure) throw error.error;
    if (isKeeperError(error, 'MARSHALLINGERROR')) throw error;
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw marshallingError('snapshot', detail);
  }
}

function decodeInto(bytes: Uint8Array, sink: SnapshotSink): SnapshotTrailer {
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
  const nodeCount = readCount(decoder, MAX_SNAPSHOT_NODES, MIN_NODE_RECORD_BYTES, 'snapshot node count');
  const acls = readAclTable(decoder);
  const pathBytes = readLength(decoder, MAX_SNAPSHOT_PATH_BYTES, 'snapshot paths');
  const paths = decodeUtf8(decoder.arr.subarray(decoder.pos, decoder.pos + pathBytes), 'snapshot paths', decoder.pos);
  decoder.pos += pathBytes;
  const dataBytes = readLength(decoder, MAX_SNAPSHOT_BYTES, 'snapshot data');
  const data = new Uint8Array(dataBytes);
  data.set(decoder.arr.subarray(decoder.pos, decoder.pos + dataBytes));
  decoder.pos += dataBytes;
  readNodes(decoder, nodeCount, paths, data, acls, sink);
  const sessions = readBytes(decoder, MAX_SNAPSHOT_SESSIONS_BYTES, 'snapshot sessions');
  expectEnd(decoder, 'snapshot');
  return { lastZxid, nodeCount, sessions };
}

/**
 * Decodes a tree snapshot written by encodeTreeSnapshot into SnapshotNode objects, in the order
 * written. The checksum is verified before anything else. Node data are views into one copy of the
 * data column (the input buffer is not retained). Anything malformed is MARSHALLINGERROR.
 */
export function decodeTreeSnapshot(bytes: Uint8Array): TreeSnapshot {
  const nodes: SnapshotNode[] = [];
  const collect: SnapshotSink = {
    start() {},
    add(record) {
      const words = record.int64Words;
      nodes.push({
        path: record.path,
        data: record.data,
        acl: record.acl,
        mode: record.mode,
        ttlMs: record.ttlMs,
        czxid: int64At(words, CZXID * 2),
        mzxid: int64At(words, MZXID * 2),
        pzxid: int64At(words, PZXID * 2),
        ctime: record.ctime,
        mtime: record.mtime,
        version: record.version,
        creates: record.creates,
        aversion: record.aversion,
        ephemeralOwner: int64At(words, OWNER * 2),
      });
    },
  };
  const { lastZxid, sessions } = decodeSnapshotInto(bytes, collect);
  return { lastZxid, nodes, sessions };
}
