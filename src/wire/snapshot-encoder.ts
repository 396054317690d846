import * as encoding from 'lib0/encoding';
import type { Acl } from '../tree/acl.js';
import { HIGH_WORD, LOW_WORD } from '../tree/int64-words.js';
import type { SnapshotRefs, SnapshotTable, TreeSnapshot } from '../tree/snapshot-node.js';
import {
  AVERSION,
  CREATES,
  CTIME,
  CZXID,
  INT64_PER_SLOT,
  INTS_PER_SLOT,
  MODE,
  MTIME,
  MZXID,
  OWNER,
  PZXID,
  TIMES_PER_SLOT,
  TTL,
  VERSION,
} from '../tree/znode-columns.js';
import { crc32 } from './crc32.js';
import { FrameKind, writeFrameHeader } from './frame.js';
import {
  MAX_DATA_FIELD_BYTES,
  MAX_PATH_BYTES,
  MAX_SNAPSHOT_ACL_LISTS,
  MAX_SNAPSHOT_BYTES,
  MAX_SNAPSHOT_NODES,
  MAX_SNAPSHOT_PATH_BYTES,
  MAX_SNAPSHOT_SESSIONS_BYTES,
} from './limits.js';
import { wellFormedUtf8Length, writeInt64, writeUint } from './primitives.js';
import { writeAclList } from './record-codec.js';
import {
  CHECKSUM_BYTES,
  FLAG_HAS_OWNER,
  FLAG_HAS_TTL,
  FLAG_MTIME_IS_CTIME,
  FLAG_MZXID_IS_CZXID,
  FLAG_PZXID_IS_CZXID,
  MAX_NODE_RECORD_BYTES,
} from './snapshot-format.js';
import { nodeError, tableOfSnapshot } from './snapshot-table.js';
import { asMarshalling, marshallingError } from './wire-error.js';

const LAST_CREATE_MODE = 6;
const WORDS_PER_SLOT = INT64_PER_SLOT * 2;
const utf8Encoder = new TextEncoder();

function varUintBytes(value: number): number {
  let bytes = 1;
  while (value > 0x7f) {
    value = Math.floor(value / 128);
    bytes++;
  }
  return bytes;
}

/** lib0's varUint, written at `pos`; returns the position after it. */
function putVarUint(buffer: Uint8Array, pos: number, value: number): number {
  while (value > 0x7f) {
    buffer[pos++] = 0x80 | (value & 0x7f);
    value = Math.floor(value / 128);
  }
  buffer[pos++] = value;
  return pos;
}

/** lib0's varInt (continue bit, sign bit, 6 bits; then 7 bits a byte), written at `pos`. */
function putVarInt(buffer: Uint8Array, pos: number, value: number): number {
  const negative = value < 0;
  let magnitude = negative ? -value : value;
  buffer[pos++] = (magnitude > 0x3f ? 0x80 : 0) | (negative ? 0x40 : 0) | (magnitude & 0x3f);
  magnitude = Math.floor(magnitude / 64);
  while (magnitude > 0) {
    buffer[pos++] = (magnitude > 0x7f ? 0x80 : 0) | (magnitude & 0x7f);
    magnitude = Math.floor(magnitude / 128);
  }
  return pos;
}

function aclKey(acl: readonly Acl[]): string {
  let key = '';
  for (const entry of acl) key += `${entry.perms},${entry.id.scheme.length}:${entry.id.scheme}${entry.id.id.length}:${entry.id.id};`;
  return key;
}

/**
 * Distinct ACL lists in order of first use, and each node's index into them. Nodes share few lists
 * (a tree's nodes share its ACL cache's arrays), and runs of nodes the same one: the last list seen
 * is checked before any lookup.
 */
function buildAclTable(nodes: readonly SnapshotRefs[]): { table: Uint8Array; indexes: Uint32Array } {
  const byIdentity = new Map<readonly Acl[], number>();
  const byContent = new Map<string, number>();
  const indexes = new Uint32Array(nodes.length);
  const encoder = encoding.createEncoder();
  const lists: (readonly Acl[])[] = [];
  let lastAcl: readonly Acl[] | null = null;
  let lastIndex = 0;
  for (let i = 0; i < nodes.length; i++) {
    const acl = nodes[i]!.acl;
    if (acl === lastAcl) {
      indexes[i] = lastIndex;
      continue;
    }
    let index = byIdentity.get(acl);
    if (index === undefined) {
      if (!Array.isArray(acl)) nodeError(i, nodes[i]!.path, 'acl', 'is not an array');
      const key = aclKey(acl);
      index = byContent.get(key);
      if (index === undefined) {
        index = lists.length;
        lists.push(acl);
        byContent.set(key, index);
      }
      byIdentity.set(acl, index);
    }
    indexes[i] = index;
    lastAcl = acl;
    lastIndex = index;
  }
  writeUint(encoder, lists.length, MAX_SNAPSHOT_ACL_LISTS, 'snapshot ACL list count');
  for (const acl of lists) writeAclList(encoder, acl, 'snapshot ACL list');
  return { table: encoding.toUint8Array(encoder), indexes };
}

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * Every path's UTF-8, concatenated (one join, one native encode). Checks each path: a string, no
 * lone surrogate (looked for per path only when the joined string holds any surrogate at all), and
 * at most MAX_PATH_BYTES (counted only for paths long enough to exceed it).
 */
function encodePaths(nodes: readonly SnapshotRefs[]): { bytes: Uint8Array; units: Uint32Array } {
  const paths: string[] = new Array<string>(nodes.length);
  const units = new Uint32Array(nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    const path = nodes[i]!.path;
    if (typeof path !== 'string') nodeError(i, path, 'path', 'is not a string');
    if (path.length * 3 > MAX_PATH_BYTES) {
      const bytes = wellFormedUtf8Length(path);
      if (bytes > MAX_PATH_BYTES) nodeError(i, path, 'path', `${bytes} UTF-8 bytes exceed ${MAX_PATH_BYTES}`);
    }
    paths[i] = path;
    units[i] = path.length;
  }
  const joined = paths.join('');
  if (SURROGATE.test(joined)) {
    for (let i = 0; i < paths.length; i++) {
      if (wellFormedUtf8Length(paths[i]!) < 0) nodeError(i, paths[i], 'path', 'holds a lone surrogate');
    }
  }
  const bytes = utf8Encoder.encode(joined);
  if (bytes.length > MAX_SNAPSHOT_PATH_BYTES) {
    throw marshallingError('snapshot paths', `${bytes.length} bytes exceed the limit of ${MAX_SNAPSHOT_PATH_BYTES}`);
  }
  return { bytes, units };
}

function isSafeTime(value: number): boolean {
  return Number.isSafeInteger(value);
}

/** Writes the int64 whose word pair starts at `words[at]`, big-endian, at `pos`. */
function putInt64Words(view: DataView, pos: number, words: Int32Array, at: number): void {
  view.setInt32(pos, words[at + HIGH_WORD]!);
  view.setInt32(pos + 4, words[at + LOW_WORD]!);
}

/**
 * Writes every nodeRecord into one buffer from the table's columns; returns it and the total data
 * bytes. Checks what the columns' types do not guarantee: the data, the mode, the times.
 */
function encodeRecords(table: SnapshotTable, pathUnits: Uint32Array, aclIndexes: Uint32Array): { records: Uint8Array; dataBytes: number } {
  const { nodes, slots, int64Words: words, times, ints } = table;
  const buffer = new Uint8Array(nodes.length * MAX_NODE_RECORD_BYTES);
  const view = new DataView(buffer.buffer);
  let pos = 0;
  let dataBytes = 0;
  for (let i = 0; i < nodes.length; i++) {
    const data = nodes[i]!.data;
    const slot = slots[i]!;
    const w = slot * WORDS_PER_SLOT;
    const t = slot * TIMES_PER_SLOT;
    const n = slot * INTS_PER_SLOT;
    if (w + WORDS_PER_SLOT > words.length || t + TIMES_PER_SLOT > times.length || n + INTS_PER_SLOT > ints.length || slot < 0) {
      nodeError(i, nodes[i]!.path, 'slot', `${slot} is outside the columns`);
    }
    if (!(data instanceof Uint8Array && data.length <= MAX_DATA_FIELD_BYTES)) {
      nodeError(i, nodes[i]!.path, 'data', `is not a Uint8Array of at most ${MAX_DATA_FIELD_BYTES} bytes`);
    }
    const mode = ints[n + MODE]!;
    const ctime = times[t + CTIME]!;
    const mtime = times[t + MTIME]!;
    const ttlMs = times[t + TTL]!;
    if (mode < 0 || mode > LAST_CREATE_MODE) nodeError(i, nodes[i]!.path, 'mode', `${mode} is not an integer in [0, ${LAST_CREATE_MODE}]`);
    if (!isSafeTime(ctime) || !isSafeTime(mtime) || !isSafeTime(ttlMs)) nodeError(i, nodes[i]!.path, 'ctime', 'a time is not a safe integer');
    const c = w + CZXID * 2;
    const m = w + MZXID * 2;
    const p = w + PZXID * 2;
    const o = w + OWNER * 2;
    const mzxidIsCzxid = words[m] === words[c] && words[m + 1] === words[c + 1];
    const pzxidIsCzxid = words[p] === words[c] && words[p + 1] === words[c + 1];
    const hasOwner = words[o] !== 0 || words[o + 1] !== 0;
    let flags = mode;
    if (mzxidIsCzxid) flags |= FLAG_MZXID_IS_CZXID;
    if (pzxidIsCzxid) flags |= FLAG_PZXID_IS_CZXID;
    if (hasOwner) flags |= FLAG_HAS_OWNER;
    if (mtime === ctime) flags |= FLAG_MTIME_IS_CTIME;
    if (ttlMs !== 0) flags |= FLAG_HAS_TTL;

    pos = putVarUint(buffer, pos, pathUnits[i]!);
    pos = putVarUint(buffer, pos, data.length);
    pos = putVarUint(buffer, pos, aclIndexes[i]!);
    buffer[pos++] = flags;
    putInt64Words(view, pos, words, c);
    pos += 8;
    if (!mzxidIsCzxid) {
      putInt64Words(view, pos, words, m);
      pos += 8;
    }
    if (!pzxidIsCzxid) {
      putInt64Words(view, pos, words, p);
      pos += 8;
    }
    if (hasOwner) {
      putInt64Words(view, pos, words, o);
      pos += 8;
    }
    pos = putVarInt(buffer, pos, ctime);
    if (mtime !== ctime) pos = putVarInt(buffer, pos, mtime);
    pos = putVarInt(buffer, pos, ints[n + VERSION]!);
    pos = putVarInt(buffer, pos, ints[n + CREATES]!);
    pos = putVarInt(buffer, pos, ints[n + AVERSION]!);
    if (ttlMs !== 0) pos = putVarInt(buffer, pos, ttlMs);
    dataBytes += data.length;
  }
  return { records: buffer.subarray(0, pos), dataBytes };
}

/** The frame header, lastZxid and node count, through lib0. */
function encodePrefix(lastZxid: bigint, nodeCount: number): Uint8Array {
  const encoder = encoding.createEncoder();
  writeFrameHeader(encoder, FrameKind.treeSnapshot);
  writeInt64(encoder, lastZxid, 'snapshot lastZxid');
  writeUint(encoder, nodeCount, MAX_SNAPSHOT_NODES, 'snapshot node count');
  return encoding.toUint8Array(encoder);
}

/**
 * Encodes a tree snapshot (frame kind 18) with a trailing CRC-32. Nodes are written in the order
 * given. A value the format cannot hold is MARSHALLINGERROR naming the node.
 */
export function encodeTreeSnapshot(snapshot: TreeSnapshot): Uint8Array {
  return asMarshalling('snapshot', () => encodeTable(tableOfSnapshot(snapshot)));
}

/**
 * Encodes the same bytes as encodeTreeSnapshot from a table: node i is `nodes[i]` with its numeric
 * fields at slot `slots[i]` of the columns (DataTree.encodeSnapshot lends its znodes and columns, so
 * nothing is made per node).
 */
export function encodeSnapshotTable(table: SnapshotTable): Uint8Array {
  return asMarshalling('snapshot', () => {
    const { nodes, slots, int64Words, times, ints } = table;
    if (!Array.isArray(nodes)) throw marshallingError('snapshot nodes', 'is not an array');
    if (!(slots instanceof Int32Array) || slots.length !== nodes.length) {
      throw marshallingError('snapshot slots', `is not an Int32Array of ${nodes.length} slots`);
    }
    if (!(int64Words instanceof Int32Array) || !(times instanceof Float64Array) || !(ints instanceof Int32Array)) {
      throw marshallingError('snapshot columns', 'are not an Int32Array, a Float64Array and an Int32Array');
    }
    return encodeTable(table);
  });
}

function encodeTable(table: SnapshotTable): Uint8Array {
  const { nodes, sessions } = table;
  if (!(sessions instanceof Uint8Array)) throw marshallingError('snapshot sessions', 'is not a Uint8Array');
  if (sessions.length > MAX_SNAPSHOT_SESSIONS_BYTES) {
    throw marshallingError('snapshot sessions', `${sessions.length} bytes exceed ${MAX_SNAPSHOT_SESSIONS_BYTES}`);
  }
  const prefix = encodePrefix(table.lastZxid, nodes.length);
  const { table: aclTable, indexes } = buildAclTable(nodes);
  const paths = encodePaths(nodes);
  const { records, dataBytes } = encodeRecords(table, paths.units, indexes);
  const pathBytes = paths.bytes;

  const total =
    prefix.length +
    aclTable.length +
    varUintBytes(pathBytes.length) +
    pathBytes.length +
    varUintBytes(dataBytes) +
    dataBytes +
    records.length +
    varUintBytes(sessions.length) +
    sessions.length +
    CHECKSUM_BYTES;
  if (total > MAX_SNAPSHOT_BYTES) throw marshallingError('snapshot', `${total} bytes exceed the limit of ${MAX_SNAPSHOT_BYTES}`);

  const out = new Uint8Array(total);
  out.set(prefix, 0);
  let pos = prefix.length;
  out.set(aclTable, pos);
  pos += aclTable.length;
  pos = putVarUint(out, pos, pathBytes.length);
  out.set(pathBytes, pos);
  pos += pathBytes.length;
  pos = putVarUint(out, pos, dataBytes);
  pos = copyData(out, pos, nodes);
  out.set(records, pos);
  pos += records.length;
  pos = putVarUint(out, pos, sessions.length);
  out.set(sessions, pos);
  pos += sessions.length;
  new DataView(out.buffer).setUint32(pos, crc32(out, 0, pos), true);
  return out;
}

/** Below this many bytes a loop copies faster than a call to `set`. */
const SMALL_COPY_BYTES = 32;

/** The data column: every node's data, concatenated. */
function copyData(out: Uint8Array, pos: number, nodes: readonly SnapshotRefs[]): number {
  for (let i = 0; i < nodes.length; i++) {
    const data = nodes[i]!.data;
    const length = data.length;
    if (length < SMALL_COPY_BYTES) {
      for (let j = 0; j < length; j++) out[pos + j] = data[j]!;
    } else {
      out.set(data, pos);
    }
    pos += length;
  }
  return pos;
}
