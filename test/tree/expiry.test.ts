import { describe, expect, it } from 'vitest';
import { Leader, createOp, utf8 } from './leader-harness.js';
import { CreateMode } from '../../src/tree/create-mode.js';
import { CONTAINER_GRACE_MS } from '../../src/tree/expiry.js';

describe('expiry: containers', () => {
  it('a container whose last child went is due (creates > 0, no children)', () => {
    const l = new Leader();
    l.run(createOp('/c', { mode: CreateMode.CONTAINER }));
    l.run(createOp('/c/x'));
    expect(l.tree.dueForDeletion(l.timeMs)).toEqual([]);
    l.run({ type: 'delete', path: '/c/x', version: -1 });
    expect(l.tree.dueForDeletion(l.timeMs)).toEqual(['/c']);
  });

  it('a container that still has children is never due', () => {
    const l = new Leader();
    l.run(createOp('/c', { mode: CreateMode.CONTAINER }));
    l.run(createOp('/c/x'));
    expect(l.tree.dueForDeletion(l.timeMs + 10 * CONTAINER_GRACE_MS)).toEqual([]);
  });

  it('a never-used container is due only once now - mtime exceeds the grace period (5 min)', () => {
    const l = new Leader();
    l.run(createOp('/c', { mode: CreateMode.CONTAINER }));
    const mtime = l.tree.exists('/c')?.mtime as number;
    expect(l.tree.dueForDeletion(mtime + CONTAINER_GRACE_MS)).toEqual([]);
    expect(l.tree.dueForDeletion(mtime + CONTAINER_GRACE_MS + 1)).toEqual(['/c']);
    expect(l.tree.dueForDeletion(mtime + 1_001, { containerGraceMs: 1_000 })).toEqual(['/c']);
    expect(l.tree.dueForDeletion(Number.MAX_SAFE_INTEGER, { containerGraceMs: Infinity })).toEqual([]);
  });
});

describe('expiry: TTL nodes', () => {
  it('a TTL node is due when it has no children and now - mtime > ttl (strictly)', () => {
    const l = new Leader();
    l.run(createOp('/t', { mode: CreateMode.PERSISTENT_WITH_TTL, ttlMs: 1_000 }));
    const mtime = l.tree.exists('/t')?.mtime as number;
    expect(l.tree.dueForDeletion(mtime + 1_000)).toEqual([]);
    expect(l.tree.dueForDeletion(mtime + 1_001)).toEqual(['/t']);
  });

  it('setData on a TTL node restarts its TTL (mtime moves)', () => {
    const l = new Leader();
    l.run(createOp('/t', { mode: CreateMode.PERSISTENT_WITH_TTL, ttlMs: 1_000 }));
    l.timeMs += 900;
    l.run({ type: 'setData', path: '/t', data: utf8('still here'), version: -1 });
    const mtime = l.tree.exists('/t')?.mtime as number;
    expect(l.tree.dueForDeletion(mtime + 500)).toEqual([]);
    expect(l.tree.dueForDeletion(mtime + 1_001)).toEqual(['/t']);
  });

  it('a TTL node with children is not due', () => {
    const l = new Leader();
    l.run(createOp('/t', { mode: CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, ttlMs: 10 }));
    l.run(createOp('/t0000000000/child'));
    expect(l.tree.dueForDeletion(l.timeMs + 1_000_000)).toEqual([]);
  });
});

describe('expiry: everything else', () => {
  it('persistent and ephemeral nodes are never due; the answer is sorted', () => {
    const l = new Leader();
    l.run(createOp('/p'));
    l.run(createOp('/e', { mode: CreateMode.EPHEMERAL }));
    l.run(createOp('/z', { mode: CreateMode.CONTAINER }));
    l.run(createOp('/m', { mode: CreateMode.PERSISTENT_WITH_TTL, ttlMs: 1 }));
    l.run(createOp('/a', { mode: CreateMode.CONTAINER }));
    expect(l.tree.dueForDeletion(l.timeMs + 10 * CONTAINER_GRACE_MS)).toEqual(['/a', '/m', '/z']);
  });

  it('the deletion is a replicated deleteContainer txn: once applied the node is gone and no longer due', () => {
    const l = new Leader();
    l.run(createOp('/t', { mode: CreateMode.PERSISTENT_WITH_TTL, ttlMs: 5 }));
    l.timeMs += 10;
    for (const path of l.tree.dueForDeletion(l.timeMs)) l.prepDeleteContainer(path);
    expect(l.commit().map((o) => o.result)).toEqual([{ type: 'deleteContainer' }]);
    expect(l.tree.exists('/t')).toBeNull();
    expect(l.tree.dueForDeletion(l.timeMs)).toEqual([]);
  });
});
