import fc from 'fast-check';
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import type { Acl } from '../../src/tree/acl.js';
import { int64At, putInt64 } from '../../src/tree/int64-words.js';
import type { SnapshotNode, SnapshotTable, TreeSnapshot } from '../../src/tree/snapshot-node.js';
import { CTIME, CZXID, INT64_PER_SLOT, INTS_PER_SLOT, MODE, MTIME, MZXID, OWNER, PZXID, TIMES_PER_SLOT, VERSION } from '../../src/tree/znode-columns.js';
import { crc32 } from '../../src/wire/crc32.js';
import { MAX_PATH_BYTES } from '../../src/wire/limits.js';
import { writeAclList } from '../../src/wire/record-codec.js';
import { KeeperError } from '../../src/errors/keeper-error.js';
import { decodeSnapshotInto, decodeTreeSnapshot, type SnapshotSink } from '../../src/wire/snapshot-decoder.js';
import { encodeSnapshotTable, encodeTreeSnapshot } from '../../src/wire/snapshot-encoder.js';
import { treeSnapshot } from './arbitraries.js';
import { expectMarshalling } from './expect-marshalling.js';

const OPEN: Acl[] = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

const node = (path: string, over: Partial<SnapshotNode> = {}): SnapshotNode => ({
  path,
  data: new TextEncoder().encode(`data of ${path}`),
  acl: OPEN,
  mode: 0,
  ttlMs: 0,
  czxid: 5n,
  mzxid: 5n,
  pzxid: 5n,
  ctime: 1000,
  mtime: 1000,
  version: 0,
  creates: 0,
  aversion: 0,
  ephemeralOwner: 0n,
  ...over,
});

const sample: TreeSnapshot = {
  lastZxid: 0x2_0000_0007n,
  nodes: [
    node('/', { creates: 2, pzxid: 7n }),
    node('/a', { mode: 1, ephemeralOwner: -5n, mzxid: 6n, mtime: 1001, version: 1 }),
    node('/b', { mode: 5, ttlMs: 60_000, acl: [{ perms: 1, id: { scheme: 'digest', id: 'u:x' } }] }),
    node('/b/é😀', { data: new Uint8Array(0) }),
  ],
  sessions: Uint8Array.of(9, 8, 7),
};

/** Replaces the trailing checksum so a hand-made or mutated body passes it. */
function withChecksum(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setUint32(out.length - 4, crc32(out, 0, out.length - 4), true);
  return out;
}

interface Crafted {
  nodeCount?: number;
  acls?: Acl[][];
  paths?: Uint8Array | string;
  data?: Uint8Array;
  records?: number[];
}

/** A snapshot assembled field by field (to reach checks behind a valid checksum). */
function craft({ nodeCount = 1, acls = [OPEN], paths = '/', data = new Uint8Array(0), records = [] }: Crafted): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 1);
  encoding.writeVarUint(encoder, 18);
  encoding.writeBigInt64(encoder, 1n);
  encoding.writeVarUint(encoder, nodeCount);
  encoding.writeVarUint(encoder, acls.length);
  for (const acl of acls) writeAclList(encoder, acl, 'acl');
  encoding.writeVarUint8Array(encoder, typeof paths === 'string' ? new TextEncoder().encode(paths) : paths);
  encoding.writeVarUint8Array(encoder, data);
  for (const byte of records) encoding.writeUint8(encoder, byte);
  encoding.writeVarUint(encoder, 0);
  encoding.writeUint32(encoder, 0);
  return withChecksum(encoding.toUint8Array(encoder));
}

/** nodeRecord bytes: path units, data length, acl index, flags, czxid, then ctime, version, creates, aversion. */
const record = (pathUnits: number, dataLength: number, aclIndex: number, flags: number) => [
  pathUnits, dataLength, aclIndex, flags, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0,
];
const SAME = 0b0101_1000;

describe('tree snapshot codec', () => {
  it('a snapshot round-trips: decode(encode(x)) equals x, node for node', () => {
    expect(decodeTreeSnapshot(encodeTreeSnapshot(sample))).toEqual(sample);
    fc.assert(
      fc.property(treeSnapshot, (snapshot) => {
        expect(decodeTreeSnapshot(encodeTreeSnapshot(snapshot))).toEqual(snapshot);
      }),
      { numRuns: 150 },
    );
  });

  it('encoding is deterministic and decoding accepts only the canonical bytes', () => {
    fc.assert(
      fc.property(treeSnapshot, (snapshot) => {
        const bytes = encodeTreeSnapshot(snapshot);
        expect(encodeTreeSnapshot(snapshot)).toEqual(bytes);
        expect(encodeTreeSnapshot(decodeTreeSnapshot(bytes))).toEqual(bytes);
      }),
      { numRuns: 100 },
    );
  });

  it('an empty tree and a 5,000-node tree round-trip', () => {
    const empty: TreeSnapshot = { lastZxid: 0n, nodes: [], sessions: new Uint8Array(0) };
    expect(decodeTreeSnapshot(encodeTreeSnapshot(empty))).toEqual(empty);
    const nodes = Array.from({ length: 5_000 }, (_, i) =>
      node(`/n/${i}`, { czxid: BigInt(i), mzxid: BigInt(i * 2), data: Uint8Array.of(i & 0xff, i >> 8) }),
    );
    const big: TreeSnapshot = { lastZxid: 10_000n, nodes, sessions: new Uint8Array(100).fill(1) };
    const decoded = decodeTreeSnapshot(encodeTreeSnapshot(big));
    expect(decoded.nodes).toHaveLength(5_000);
    expect(decoded.nodes[1_234]).toEqual(nodes[1_234]);
    expect(decoded).toEqual(big);
  });

  it('any single flipped bit is detected as MARSHALLINGERROR (the checksum covers every byte)', () => {
    const bytes = encodeTreeSnapshot(sample);
    for (let bit = 0; bit < bytes.length * 8; bit++) {
      const corrupted = bytes.slice();
      corrupted[bit >> 3]! ^= 1 << (bit & 7);
      const message = expectMarshalling(() => decodeTreeSnapshot(corrupted));
      if (bit >= 16) expect(message).toMatch(/checksum mismatch/);
    }
  });

  it('a truncated snapshot is MARSHALLINGERROR at every length', () => {
    const bytes = encodeTreeSnapshot(sample);
    for (let length = 0; length < bytes.length; length++) expectMarshalling(() => decodeTreeSnapshot(bytes.subarray(0, length)));
  });

  it('ACL lists are stored once and shared by the nodes that use them', () => {
    const copy: Acl[] = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
    const snapshot: TreeSnapshot = { lastZxid: 1n, nodes: [node('/'), node('/x', { acl: copy }), node('/y')], sessions: new Uint8Array(0) };
    const decoded = decodeTreeSnapshot(encodeTreeSnapshot(snapshot));
    expect(decoded.nodes[0]!.acl).toBe(decoded.nodes[1]!.acl);
    expect(decoded.nodes[0]!.acl).toBe(decoded.nodes[2]!.acl);
    expect(decoded.nodes[1]!.acl).toEqual(copy);
  });

  it('decoded data does not alias the input buffer', () => {
    const bytes = encodeTreeSnapshot(sample);
    const decoded = decodeTreeSnapshot(bytes);
    bytes.fill(0);
    expect(decoded).toEqual(sample);
  });

  it('the encoder names the node and field it cannot hold', () => {
    const bad = (over: Partial<SnapshotNode>) => ({ lastZxid: 1n, nodes: [node('/'), node('/b', over)], sessions: new Uint8Array(0) });
    expectMarshalling(() => encodeTreeSnapshot(bad({ mode: 7 as 0 })), /snapshot node 1 \(\/b\)\.mode: 7 is not an integer in \[0, 6\]/);
    expectMarshalling(() => encodeTreeSnapshot(bad({ czxid: 5 as unknown as bigint })), /node 1 \(\/b\)\.czxid: 5 is not a 64-bit/);
    expectMarshalling(() => encodeTreeSnapshot(bad({ version: 2 ** 31 })), /node 1 \(\/b\)\.version/);
    expectMarshalling(() => encodeTreeSnapshot(bad({ data: new Uint8Array(1_048_576) })), /node 1 \(\/b\)\.data/);
    expectMarshalling(() => encodeTreeSnapshot(bad({ path: '/\uD800' })), /\.path: holds a lone surrogate/);
    expectMarshalling(() => encodeTreeSnapshot(bad({ path: `/${'x'.repeat(MAX_PATH_BYTES)}` })), /\.path: 4097 UTF-8 bytes exceed 4096/);
    expectMarshalling(() => encodeTreeSnapshot({ ...sample, lastZxid: 2n ** 64n }), /snapshot lastZxid/);
    expectMarshalling(() => encodeTreeSnapshot({ ...sample, sessions: [] as unknown as Uint8Array }), /sessions: is not a Uint8Array/);
  });

  it('behind a valid checksum, the decoder still checks every record against its columns', () => {
    expect(decodeTreeSnapshot(craft({ records: record(1, 0, 0, SAME) })).nodes[0]!.path).toBe('/');
    expectMarshalling(() => decodeTreeSnapshot(craft({ records: record(2, 0, 0, SAME) })), /path length 2 runs past the paths column/);
    expectMarshalling(() => decodeTreeSnapshot(craft({ paths: '/a', records: record(1, 0, 0, SAME) })), /1 code units belong to no node/);
    expectMarshalling(() => decodeTreeSnapshot(craft({ records: record(1, 1, 0, SAME) })), /data length 1 runs past the data column/);
    expectMarshalling(() => decodeTreeSnapshot(craft({ data: Uint8Array.of(1), records: record(1, 0, 0, SAME) })), /1 bytes belong to no node/);
    expectMarshalling(() => decodeTreeSnapshot(craft({ records: record(1, 0, 0, SAME | 7) })), /unknown create mode 7/);
    expectMarshalling(() => decodeTreeSnapshot(craft({ paths: Uint8Array.of(0xff), records: record(1, 0, 0, SAME) })), /snapshot paths at byte \d+: invalid UTF-8/);
    const splitPair = craft({ nodeCount: 2, paths: '😀', records: [...record(1, 0, 0, SAME), ...record(1, 0, 0, SAME)] });
    expectMarshalling(() => decodeTreeSnapshot(splitPair), /splits a surrogate pair/);
  });

  it('behind a valid checksum, only the canonical form is accepted (what the encoder would write)', () => {
    expectMarshalling(() => decodeTreeSnapshot(craft({ acls: [OPEN, OPEN], records: record(1, 0, 0, SAME) })), /repeats an earlier list/);
    expectMarshalling(() => decodeTreeSnapshot(craft({ acls: [OPEN, []], records: record(1, 0, 0, SAME) })), /1 lists are used by no node/);
    expectMarshalling(() => decodeTreeSnapshot(craft({ acls: [OPEN, []], records: record(1, 0, 1, SAME) })), /ACL index 1 is out of order/);
    const ownerZero = craft({ records: [1, 0, 0, SAME | 0b10_0000, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] });
    expectMarshalling(() => decodeTreeSnapshot(ownerZero), /ephemeralOwner 0 written/);
    const mzxidSame = craft({ records: [1, 0, 0, SAME & ~0b1000, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0] });
    expectMarshalling(() => decodeTreeSnapshot(mzxidSame), /mzxid written although it equals czxid/);
  });

  it('a huge declared node count is rejected before anything is allocated for it', () => {
    expectMarshalling(() => decodeTreeSnapshot(craft({ nodeCount: 2 ** 31 })), /node count at byte 10: 2147483648 exceeds the limit of 10000000/);
    expectMarshalling(() => decodeTreeSnapshot(craft({ nodeCount: 9_000_000 })), /declared count 9000000 cannot fit/);
  });

  it('anything but a tree snapshot frame is MARSHALLINGERROR', () => {
    const bytes = encodeTreeSnapshot(sample);
    const otherKind = bytes.slice();
    otherKind[1] = 17;
    expectMarshalling(() => decodeTreeSnapshot(withChecksum(otherKind)), /frame kind 17 is not a tree snapshot/);
    const otherVersion = bytes.slice();
    otherVersion[0] = 9;
    expectMarshalling(() => decodeTreeSnapshot(otherVersion), /unsupported protocol version 9/);
    expectMarshalling(() => decodeTreeSnapshot('snapshot' as unknown as Uint8Array), /not a Uint8Array/);
  });
});

describe('tree snapshot codec, the table and record forms (the DataTree direct path)', () => {
  /** A table over columns of twice the nodes' count, node i at slot 2i + 1 (slots need not be dense). */
  const tableOf = (snapshot: TreeSnapshot): SnapshotTable => {
    const count = snapshot.nodes.length;
    const int64Words = new Int32Array(2 * count * INT64_PER_SLOT * 2);
    const times = new Float64Array(2 * count * TIMES_PER_SLOT);
    const ints = new Int32Array(2 * count * INTS_PER_SLOT);
    const slots = new Int32Array(count);
    snapshot.nodes.forEach((n, i) => {
      const slot = 2 * i + 1;
      slots[i] = slot;
      putInt64(int64Words, (slot * INT64_PER_SLOT + CZXID) * 2, n.czxid);
      putInt64(int64Words, (slot * INT64_PER_SLOT + MZXID) * 2, n.mzxid);
      putInt64(int64Words, (slot * INT64_PER_SLOT + PZXID) * 2, n.pzxid);
      putInt64(int64Words, (slot * INT64_PER_SLOT + OWNER) * 2, n.ephemeralOwner);
      times.set([n.ctime, n.mtime, n.ttlMs], slot * TIMES_PER_SLOT + CTIME);
      ints.set([n.version, n.creates, n.aversion, n.mode], slot * INTS_PER_SLOT + VERSION);
    });
    return { lastZxid: snapshot.lastZxid, nodes: snapshot.nodes, slots, int64Words, times, ints, sessions: snapshot.sessions };
  };

  /** A sink that keeps every record it is given as a SnapshotNode (the decoder refills one record). */
  const collector = () => {
    const calls: string[] = [];
    const nodes: SnapshotNode[] = [];
    const sink: SnapshotSink = {
      start(count) {
        calls.push(`start ${count}`);
      },
      add(r) {
        calls.push(`add ${r.path}`);
        const words = r.int64Words;
        const [czxid, mzxid, pzxid, ephemeralOwner] = [CZXID, MZXID, PZXID, OWNER].map((field) => int64At(words, field * 2)) as [bigint, bigint, bigint, bigint];
        const { path, data, acl, mode, ttlMs, ctime, mtime, version, creates, aversion } = r;
        nodes.push({ path, data, acl, mode, ttlMs, ctime, mtime, version, creates, aversion, czxid, mzxid, pzxid, ephemeralOwner });
      },
    };
    return { sink, calls, nodes };
  };

  it('encodeSnapshotTable writes exactly the bytes encodeTreeSnapshot writes', () => {
    fc.assert(
      fc.property(treeSnapshot, (snapshot) => {
        expect(encodeSnapshotTable(tableOf(snapshot))).toEqual(encodeTreeSnapshot(snapshot));
      }),
      { numRuns: 150 },
    );
  });

  it('encodeSnapshotTable refuses a table that does not fit its nodes, and names a bad node by its path', () => {
    expectMarshalling(() => encodeSnapshotTable({ ...tableOf(sample), slots: new Int32Array(1) }), /not an Int32Array of 4 slots/);
    expectMarshalling(() => encodeSnapshotTable({ ...tableOf(sample), slots: Int32Array.of(1, 3, 5, 99) }), /node 3 .*slot: 99 is outside the columns/);
    const table = tableOf(sample);
    table.times[5 * TIMES_PER_SLOT + MTIME] = 0.5;
    expectMarshalling(() => encodeSnapshotTable(table), /node 2 \(\/b\)\.ctime: a time is not a safe integer/);
    const badMode = tableOf(sample);
    badMode.ints[3 * INTS_PER_SLOT + MODE] = 7;
    expectMarshalling(() => encodeSnapshotTable(badMode), /node 1 \(\/a\)\.mode: 7 is not an integer/);
  });

  it('decodeSnapshotInto hands the sink the count, then every node in order, as decodeTreeSnapshot reads them', () => {
    fc.assert(
      fc.property(treeSnapshot, (snapshot) => {
        const bytes = encodeTreeSnapshot(snapshot);
        const { sink, calls, nodes } = collector();
        const trailer = decodeSnapshotInto(bytes, sink);
        expect(calls).toEqual([`start ${snapshot.nodes.length}`, ...snapshot.nodes.map((n) => `add ${n.path}`)]);
        expect(nodes).toEqual(decodeTreeSnapshot(bytes).nodes);
        expect(trailer).toEqual({ lastZxid: snapshot.lastZxid, nodeCount: snapshot.nodes.length, sessions: snapshot.sessions });
      }),
      { numRuns: 100 },
    );
  });

  it('what the sink throws passes out as it is; malformed bytes are still MARSHALLINGERROR', () => {
    const bytes = encodeTreeSnapshot(sample);
    const refusal = new KeeperError('DATAINCONSISTENCY', 'not a tree');
    const bug = new TypeError('sink bug');
    for (const thrown of [refusal, bug]) {
      let caught: unknown = null;
      try {
        decodeSnapshotInto(bytes, {
          start() {},
          add(n) {
            if (n.path === '/b') throw thrown;
          },
        });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBe(thrown);
    }
    expectMarshalling(() => decodeSnapshotInto(bytes.subarray(0, 20), collector().sink), /snapshot/);
  });

  it('a decoded node is a view into one copy of the data column, not into the input', () => {
    const bytes = encodeTreeSnapshot(sample);
    const { sink, nodes } = collector();
    decodeSnapshotInto(bytes, sink);
    const withData = nodes.filter((n) => n.data.length > 0);
    expect(withData.length).toBeGreaterThan(1);
    for (const n of withData) {
      expect(n.data.buffer).not.toBe(bytes.buffer);
      expect(n.data.buffer).toBe(withData[0]!.data.buffer);
    }
  });
});
