import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MeshKeeperClient } from '../../src/index.js';
import { TreeCache } from '../../src/recipes/index.js';
import { until, useWorld } from './helpers.js';

const world = useWorld();
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** The real subtree as "path=data" lines, sorted (read level by level). */
async function readTree(client: MeshKeeperClient, root: string): Promise<string[]> {
  const lines: string[] = [];
  const visit = async (path: string): Promise<void> => {
    const { data } = await client.getData(path);
    lines.push(`${path}=${text(data)}`);
    for (const child of await client.getChildren(path)) await visit(`${path}/${child}`);
  };
  if ((await client.exists(root)) !== null) await visit(root);
  return lines.sort();
}

function cached(cache: TreeCache): string[] {
  return cache.entries().map((node) => `${node.path}=${text(node.data)}`).sort();
}

describe('TreeCache', () => {
  it('holds the subtree at start and reports created, changed and deleted in order', async () => {
    const w = await world();
    const writer = await w.connect(0);
    await writer.create('/tc', 'root');
    await writer.create('/tc/a', '1');
    const cache = new TreeCache(await w.connect(1), '/tc');
    const events: string[] = [];
    cache.on('created', (node) => events.push(`created ${node.path}`));
    cache.on('changed', (node, previous) => events.push(`changed ${node.path} ${text(previous.data)}->${text(node.data)}`));
    cache.on('deleted', (node) => events.push(`deleted ${node.path}`));
    cache.on('initialized', () => events.push('initialized'));
    await cache.start();
    expect(events).toEqual(['created /tc', 'created /tc/a', 'initialized']);
    await writer.create('/tc/b', '2');
    await writer.setData('/tc/a', '3');
    await writer.create('/tc/b/c', '4');
    await writer.delete('/tc/b/c');
    await until(() => events.length === 7);
    expect(events.slice(3)).toEqual(['created /tc/b', 'changed /tc/a 1->3', 'created /tc/b/c', 'deleted /tc/b/c']);
    expect(cache.children('/tc')).toEqual(['a', 'b']);
    expect(text(cache.get('/tc/a')!.data)).toBe('3');
    await cache.close();
    expect(cache.size).toBe(0);
  });

  it('matches the real tree after random creates, sets and deletes', async () => {
    const w = await world();
    const writers = [await w.connect(0), await w.connect(1)];
    const writer = writers[0]!;
    const cache = new TreeCache(await w.connect(2), '/random');
    await writer.create('/random', '');
    await cache.start();
    const names = ['a', 'b', 'c', 'd'];
    const op = fc.record({ kind: fc.constantFrom('create', 'set', 'delete'), path: fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 2 }), data: fc.string({ maxLength: 4 }) });
    const runs = fc.sample(fc.array(op, { minLength: 40, maxLength: 80 }), { numRuns: 4, seed: 7 });
    for (const ops of runs) {
      // Two writers on two replicas, each sending its ops back to back without waiting.
      await Promise.all(
        ops.map(async ({ kind, path, data }, i) => {
          const client = writers[i % 2]!;
          const full = `/random/${path.join('/')}`;
          try {
            if (kind === 'create') await client.create(full, data);
            else if (kind === 'set') await client.setData(full, data);
            else await client.delete(full);
          } catch {
            // NONODE, NODEEXISTS, NOTEMPTY: the random op did not apply, which is fine.
          }
        }),
      );
      await writer.sync('/random');
      const expected = await readTree(writer, '/random');
      await until(() => JSON.stringify(cached(cache)) === JSON.stringify(expected));
    }
  });

  it('maxDepth limits the levels cached', async () => {
    const w = await world();
    const zk = await w.connect(0);
    await zk.create('/depth', '');
    await zk.create('/depth/one', '');
    await zk.create('/depth/one/two', '');
    const cache = new TreeCache(zk, '/depth', { maxDepth: 1 });
    await cache.start();
    await zk.create('/depth/other', '');
    await zk.create('/depth/other/deep', '');
    await until(() => cache.size === 3);
    await zk.sync('/depth');
    expect(cache.entries().map((node) => node.path)).toEqual(['/depth', '/depth/one', '/depth/other']);
    expect(() => new TreeCache(zk, '/depth', { maxNodes: 0 })).toThrow();
  });

  it('a cache whose client was partitioned away re-reads the tree after the reconnect and matches it', async () => {
    const w = await world();
    const replica = w.follower();
    const others = [0, 1, 2].filter((index) => index !== replica);
    const writer = await w.connect(others[0]);
    await writer.create('/part', '');
    await writer.create('/part/x', 'old');
    const cache = new TreeCache(await w.connect(replica), '/part');
    let refreshed = 0;
    cache.on('refreshed', () => refreshed++);
    await cache.start();
    w.ensemble.partition([[replica], others]);
    await writer.setData('/part/x', 'new');
    await writer.create('/part/y', 'born');
    await writer.delete('/part/x');
    await until(() => refreshed > 0);
    const expected = await readTree(writer, '/part');
    await until(() => JSON.stringify(cached(cache)) === JSON.stringify(expected));
    expect(expected).toEqual(['/part/y=born', '/part=']);
    w.ensemble.heal();
  });

  it("a cache follows the tree across the crash of its replica", async () => {
    const w = await world();
    const replica = w.follower();
    const writer = await w.connect((replica + 1) % 3);
    await writer.create('/crash', '');
    const cache = new TreeCache(await w.connect(replica), '/crash');
    await cache.start();
    w.ensemble.crash(replica);
    for (let i = 0; i < 5; i++) await writer.create(`/crash/n${i}`, `${i}`);
    const expected = await readTree(writer, '/crash');
    await until(() => JSON.stringify(cached(cache)) === JSON.stringify(expected));
  });
});
