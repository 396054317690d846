import { putInt64 } from '../tree/int64-words.js';
import type { SnapshotNode, SnapshotTable, TreeSnapshot } from '../tree/snapshot-node.js';
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
import { MAX_DATA_FIELD_BYTES } from './limits.js';
import { INT32_MAX, INT32_MIN } from './primitives.js';
import { marshallingError } from './wire-error.js';

/**
 * SnapshotNode objects as the table the snapshot encoder writes from (snapshot-node.ts's
 * SnapshotTable): each node's numeric fields checked and copied into fresh columns, node i at slot i.
 * A value the format cannot hold is MARSHALLINGERROR naming the node and the field.
 */

const LAST_CREATE_MODE = 6;

export function nodeError(index: number, path: unknown, field: string, problem: string): never {
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

const RANGES: readonly (readonly [keyof SnapshotNode, number, number])[] = [
  ['mode', 0, LAST_CREATE_MODE],
  ['ctime', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  ['mtime', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  ['ttlMs', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  ['version', INT32_MIN, INT32_MAX],
  ['creates', INT32_MIN, INT32_MAX],
  ['aversion', INT32_MIN, INT32_MAX],
];

/** Names the first field of a node the format cannot hold; returns when there is none. */
function checkNode(index: number, node: SnapshotNode): void {
  if (typeof node !== 'object' || node === null) nodeError(index, undefined, 'node', 'is not an object');
  for (const [field, min, max] of RANGES) {
    if (!isIntIn(node[field], min, max)) nodeError(index, node.path, field, `${String(node[field])} is not an integer in [${min}, ${max}]`);
  }
  for (const field of ['czxid', 'mzxid', 'pzxid', 'ephemeralOwner'] as const) {
    if (!isInt64(node[field])) nodeError(index, node.path, field, `${String(node[field])} is not a 64-bit signed bigint`);
  }
  if (!(node.data instanceof Uint8Array) || node.data.length > MAX_DATA_FIELD_BYTES) {
    nodeError(index, node.path, 'data', `is not a Uint8Array of at most ${MAX_DATA_FIELD_BYTES} bytes`);
  }
}

export function tableOfSnapshot(snapshot: TreeSnapshot): SnapshotTable {
  const nodes = snapshot.nodes;
  if (!Array.isArray(nodes)) throw marshallingError('snapshot nodes', 'is not an array');
  const count = nodes.length;
  const slots = new Int32Array(count);
  const int64Words = new Int32Array(count * INT64_PER_SLOT * 2);
  const times = new Float64Array(count * TIMES_PER_SLOT);
  const ints = new Int32Array(count * INTS_PER_SLOT);
  for (let i = 0; i < count; i++) {
    const node = nodes[i] as SnapshotNode;
    checkNode(i, node);
    slots[i] = i;
    const w = i * INT64_PER_SLOT * 2;
    putInt64(int64Words, w + CZXID * 2, node.czxid);
    putInt64(int64Words, w + MZXID * 2, node.mzxid);
    putInt64(int64Words, w + PZXID * 2, node.pzxid);
    putInt64(int64Words, w + OWNER * 2, node.ephemeralOwner);
    times[i * TIMES_PER_SLOT + CTIME] = node.ctime;
    times[i * TIMES_PER_SLOT + MTIME] = node.mtime;
    times[i * TIMES_PER_SLOT + TTL] = node.ttlMs;
    ints[i * INTS_PER_SLOT + VERSION] = node.version;
    ints[i * INTS_PER_SLOT + CREATES] = node.creates;
    ints[i * INTS_PER_SLOT + AVERSION] = node.aversion;
    ints[i * INTS_PER_SLOT + MODE] = node.mode;
  }
  return { lastZxid: snapshot.lastZxid, nodes, slots, int64Words, times, ints, sessions: snapshot.sessions };
}
