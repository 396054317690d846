import { OPEN_ACL_UNSAFE } from '../../src/tree/acl.js';
import type { SnapshotNode, TreeSnapshot } from '../../src/tree/snapshot-node.js';
import { createPrng } from '../../src/util/prng.js';
import { decodeTreeSnapshot } from '../../src/wire/snapshot-decoder.js';
import { encodeTreeSnapshot } from '../../src/wire/snapshot-encoder.js';
import type { BenchRecord } from './run.js';


/**
 * A tree of `count` znodes, 100 bytes of data each, in parent-before-child order: 100 top-level
 * nodes with `count / 100` children each; a tenth of them ephemeral, some modified after create.
 */
export function buildBenchSnapshot(count: number, seed = 1): TreeSnapshot {
  const prng = createPrng(seed);
  const nodes: SnapshotNode[] = [];
  const perParent = Math.max(1, Math.floor(count / 100));
  let zxid = 1n;
  const node = (path: string, children: number): SnapshotNode => {
    const data = new Uint8Array(100);
    for (let i = 0; i < data.length; i++) data[i] = prng.nextInt(256);
    const czxid = zxid++;
    const modified = prng.chance(0.3);
    const ephemeral = children === 0 && prng.chance(0.1);
    return {
      path,
      data,
      acl: OPEN_ACL_UNSAFE,
      mode: ephemeral ? 1 : 0,
      ttlMs: 0,
      czxid,
      mzxid: modified ? czxid + 1000n : czxid,
      pzxid: children > 0 ? czxid + 5000n : czxid,
      ctime: 1_700_000_000_000 + Number(czxid),
      mtime: 1_700_000_000_000 + Number(czxid) + (modified ? 77 : 0),
      version: modified ? 3 : 0,
      creates: children,
      aversion: 0,
      ephemeralOwner: ephemeral ? 0x1234_5678_9abc_def0n : 0n,
    };
  };
  nodes.push(node('/', 100));
  for (let p = 0; p < 100 && nodes.length < count; p++) {
    const parent = `/app-${String(p).padStart(3, '0')}`;
    nodes.push(node(parent, perParent));
    for (let c = 0; c < perParent && nodes.length < count; c++) {
      nodes.push(node(`${parent}/member-${String(c).padStart(10, '0')}`, 0));
    }
  }
  return { lastZxid: zxid, nodes, sessions: new Uint8Array(4096) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Wall-clock and CPU milliseconds of one call (CPU time stays meaningful on a busy machine). */
function measure<T>(step: () => T): { result: T; wallMs: number; cpuMs: number } {
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const result = step();
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  return { result, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** Encode and decode a 100k-node snapshot (100 B data each) a few times; best and median ms. */
export async function runWireBench(nodeCount = 100_000, rounds = 15): Promise<BenchRecord[]> {
  const snapshot = buildBenchSnapshot(nodeCount);
  const timings = { encodeWall: [] as number[], encodeCpu: [] as number[], decodeWall: [] as number[], decodeCpu: [] as number[] };
  let bytes = encodeTreeSnapshot(snapshot);
  for (let round = 0; round < rounds; round++) {
    const encoded = measure(() => encodeTreeSnapshot(snapshot));
    bytes = encoded.result;
    timings.encodeWall.push(encoded.wallMs);
    timings.encodeCpu.push(encoded.cpuMs);
    const decoded = measure(() => decodeTreeSnapshot(bytes));
    timings.decodeWall.push(decoded.wallMs);
    timings.decodeCpu.push(decoded.cpuMs);
    if (decoded.result.nodes.length !== nodeCount) throw new Error('bench snapshot decoded to the wrong node count');
    await Promise.resolve();
  }
  return [
    { name: `snapshot encode ${nodeCount} nodes (wall, best)`, value: Math.min(...timings.encodeWall), unit: 'ms' },
    { name: `snapshot decode ${nodeCount} nodes (wall, best)`, value: Math.min(...timings.decodeWall), unit: 'ms' },
    { name: `snapshot encode ${nodeCount} nodes (wall)`, value: median(timings.encodeWall), unit: 'ms' },
    { name: `snapshot encode ${nodeCount} nodes (cpu)`, value: median(timings.encodeCpu), unit: 'ms' },
    { name: `snapshot decode ${nodeCount} nodes (wall)`, value: median(timings.decodeWall), unit: 'ms' },
    { name: `snapshot decode ${nodeCount} nodes (cpu)`, value: median(timings.decodeCpu), unit: 'ms' },
    { name: `snapshot size ${nodeCount} nodes`, value: bytes.length, unit: 'bytes' },
  ];
}

