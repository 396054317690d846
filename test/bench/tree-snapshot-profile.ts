/**
 * The snapshot round trip alone, for profiling (`node --cpu-prof --expose-gc --import tsx
 * test/bench/tree-snapshot-profile.ts [rounds] [encode|decode|both|none]`) or for callgrind: builds the
 * tree-bench's 100k-node tree (NODES=n for another size), then encodes and decodes it `rounds` times,
 * printing CPU ms per round.
 */
import { DataTree } from '../../src/tree/data-tree.js';
import { OPEN_ACL_UNSAFE } from '../../src/tree/acl.js';
import { CreateMode } from '../../src/tree/create-mode.js';
import { createPrng } from '../../src/util/prng.js';

const prng = createPrng(42);
const tree = new DataTree();
let zxid = 0n;
const create = (path: string, parentCversion: number): void => {
  zxid += 1n;
  const data = new Uint8Array(100);
  for (let i = 0; i < 100; i++) data[i] = prng.nextInt(256);
  tree.apply({ sessionId: 1n, cxid: 0, zxid, timeMs: 1_700_000_000_000 + Number(zxid) }, {
    type: 'create', path, data, acl: OPEN_ACL_UNSAFE, mode: CreateMode.PERSISTENT, ephemeralOwner: 0n, ttlMs: 0, parentCversion,
  });
};
const nodeCount = Number(process.env.NODES ?? 100_000);
const perParent = Math.floor((nodeCount - tree.nodeCount) / 100) - 1;
for (let p = 0; p < 100; p++) {
  const parent = `/app-${String(p).padStart(3, '0')}`;
  create(parent, p + 1);
  for (let c = 0; c < perParent; c++) create(`${parent}/member-${String(c).padStart(10, '0')}`, c + 1);
}
while (tree.nodeCount < nodeCount) create(`/extra-${tree.nodeCount}`, 100 + tree.nodeCount);

const rounds = Number(process.argv[2] ?? 5);
const what = process.argv[3] ?? 'both';
const cpu = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
let bytes = tree.encodeSnapshot(new Uint8Array(0));
for (let r = 0; r < rounds; r++) {
  gc();
  let t = cpu();
  if (what === 'encode' || what === 'both') bytes = tree.encodeSnapshot(new Uint8Array(0));
  const enc = cpu() - t;
  t = cpu();
  let copy: DataTree | null = null;
  if (what === 'decode' || what === 'both') copy = DataTree.decodeSnapshot(bytes).tree;
  const dec = cpu() - t;
  if (copy !== null && copy.digest() !== tree.digest()) throw new Error('digest changed');
  console.log(`round ${r}: encode ${enc.toFixed(1)} ms, decode ${dec.toFixed(1)} ms`);
}
