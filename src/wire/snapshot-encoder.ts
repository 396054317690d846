import * as encoding from 'lib0/encoding';
import type { Acl } from '../tree/acl.js';
import type { SnapshotColumns, SnapshotFields, SnapshotNode, TreeSnapshot } from '../tree/snapshot-node.js';
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
import { INT32_MAX, INT32_MIN, wellFormedUtf8Length, writeInt64, writeUint } from './primitives.js';
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
import { asMarshalling, marshallingError } from './wire-error.js';

const LAST_CREATE_MODE = 6;
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

function nodeError(index: number, path: unknown, field: string, problem: string): never {
  const shown = typeof path === 'string' ? path.slice(0, 200) : '?';
  throw marshallingError(`snapshot node ${index} (${shown}).${field}`, problem);
}

function isIntIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
}

function isInt64(value: unknown): value is bigint {
  // asIntN is one cheap operation where a range check is two bigint comparisons.
  return typeof value === 'bigint' && BigInt.asIntN(64, value) === value;
}

/** Names the first field of a node the format cannot hold. */
function badNode(index: number, path: unknown, node: SnapshotFields): never {
  const ranges: [keyof SnapshotFields, number, number][] = [
    ['mode', 0, LAST_CREATE_MODE],
    ['ctime', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
    ['mtime', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
    ['ttlMs', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
    ['version', INT32_MIN, INT32_MAX],
    ['creates', INT32_MIN, INT32_MAX],
    ['aversion', INT32_MIN, INT32_MAX],
  ];
  for (const [field, min, max] of ranges) {
    if (!isIntIn(node[field], min, max)) nodeError(index, path, field, `${String(node[field])} is not an integer in [${min}, ${max}]`);
  }
  for (const field of ['czxid', 'mzxid', 'pzxid', 'ephemeralOwner'] as const) {
    if (!isInt64(node[field])) nodeError(index, path, field, `${String(node[field])} is not a 64-bit signed bigint`);
  }
  return nodeError(index, path, 'data', 'is not a Uint8Array of at most ' + MAX_DATA_FIELD_BYTES + ' bytes');
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
function buildAclTable(paths: readonly string[], nodes: readonly SnapshotFields[]): { table: Uint8Array; indexes: Uint32Array } {
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
      if (!Array.isArray(acl)) nodeError(i, paths[i], 'acl', 'is not an array');
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
function encodePaths(paths: readonly string[]): Uint8Array {
  for (let i = 0; i < paths.length; i++) {
    const path = paths[i];
    if (typeof path !== 'string') nodeError(i, path, 'path', 'is not a string');
    if (path.length * 3 > MAX_PATH_BYTES) {
      const bytes = wellFormedUtf8Length(path);
      if (bytes > MAX_PATH_BYTES) nodeError(i, path, 'path', `${bytes} UTF-8 bytes exceed ${MAX_PATH_BYTES}`);
    }
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
  return bytes;
}

/** Writes every nodeRecord into one buffer; returns it and the total data bytes. */
function encodeRecords(
  paths: readonly string[],
  nodes: readonly SnapshotFields[],
  aclIndexes: Uint32Array,
): { records: Uint8Array; dataBytes: number } {
  const buffer = new Uint8Array(nodes.length * MAX_NODE_RECORD_BYTES);
  const view = new DataView(buffer.buffer);
  let pos = 0;
  let dataBytes = 0;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    const { data, mode, czxid, mzxid, pzxid, ephemeralOwner: owner, ctime, mtime, ttlMs, version, creates, aversion } = node;
    if (
      !(data instanceof Uint8Array && data.length <= MAX_DATA_FIELD_BYTES) ||
      !isIntIn(mode, 0, LAST_CREATE_MODE) ||
      !isInt64(czxid) ||
      !isInt64(mzxid) ||
      !isInt64(pzxid) ||
      !isInt64(owner) ||
      !isIntIn(ctime, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER) ||
      !isIntIn(mtime, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER) ||
      !isIntIn(ttlMs, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER) ||
      !isIntIn(version, INT32_MIN, INT32_MAX) ||
      !isIntIn(creates, INT32_MIN, INT32_MAX) ||
      !isIntIn(aversion, INT32_MIN, INT32_MAX)
    ) {
      badNode(i, paths[i], node);
    }
    let flags = mode;
    if (mzxid === czxid) flags |= FLAG_MZXID_IS_CZXID;
    if (pzxid === czxid) flags |= FLAG_PZXID_IS_CZXID;
    if (owner !== 0n) flags |= FLAG_HAS_OWNER;
    if (mtime === ctime) flags |= FLAG_MTIME_IS_CTIME;
    if (ttlMs !== 0) flags |= FLAG_HAS_TTL;

    pos = putVarUint(buffer, pos, paths[i]!.length);
    pos = putVarUint(buffer, pos, data.length);
    pos = putVarUint(buffer, pos, aclIndexes[i]!);
    buffer[pos++] = flags;
    view.setBigInt64(pos, czxid);
    pos += 8;
    if (mzxid !== czxid) {
      view.setBigInt64(pos, mzxid);
      pos += 8;
    }
    if (pzxid !== czxid) {
      view.setBigInt64(pos, pzxid);
      pos += 8;
    }
    if (owner !== 0n) {
      view.setBigInt64(pos, owner);
      pos += 8;
    }
    pos = putVarInt(buffer, pos, ctime);
    if (mtime !== ctime) pos = putVarInt(buffer, pos, mtime);
    pos = putVarInt(buffer, pos, version);
    pos = putVarInt(buffer, pos, creates);
    pos = putVarInt(buffer, pos, aversion);
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
  return asMarshalling('snapshot', () => {
    const nodes = snapshot.nodes;
    if (!Array.isArray(nodes)) throw marshallingError('snapshot nodes', 'is not an array');
    const paths = nodes.map((node: SnapshotNode) => node.path);
    return encodeColumns(snapshot.lastZxid, paths, nodes, snapshot.sessions);
  });
}

/**
 * Encodes the same bytes as encodeTreeSnapshot from columns: node i is `paths[i]` with the fields
 * `nodes[i]` (DataTree.encodeSnapshot lends its znodes, so no SnapshotNode is made per node).
 */
export function encodeSnapshotColumns(columns: SnapshotColumns): Uint8Array {
  return asMarshalling('snapshot', () => {
    const { paths, nodes } = columns;
    if (!Array.isArray(paths) || !Array.isArray(nodes)) throw marshallingError('snapshot nodes', 'is not an array');
    if (paths.length !== nodes.length) throw marshallingError('snapshot nodes', `${paths.length} paths for ${nodes.length} nodes`);
    return encodeColumns(columns.lastZxid, paths, nodes, columns.sessions);
  });
}

function encodeColumns(lastZxid: bigint, paths: readonly string[], nodes: readonly SnapshotFields[], sessions: Uint8Array): Uint8Array {
  if (!(sessions instanceof Uint8Array)) throw marshallingError('snapshot sessions', 'is not a Uint8Array');
  if (sessions.length > MAX_SNAPSHOT_SESSIONS_BYTES) {
    throw marshallingError('snapshot sessions', `${sessions.length} bytes exceed ${MAX_SNAPSHOT_SESSIONS_BYTES}`);
  }
  const prefix = encodePrefix(lastZxid, nodes.length);
  const { table, indexes } = buildAclTable(paths, nodes);
  const pathBytes = encodePaths(paths);
  const { records, dataBytes } = encodeRecords(paths, nodes, indexes);

  const total =
    prefix.length +
    table.length +
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
  out.set(table, pos);
  pos += table.length;
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
function copyData(out: Uint8Array, pos: number, nodes: readonly SnapshotFields[]): number {
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
