import { afterEach, describe, expect, it, vi } from 'vitest';
import { EntryType, type Entry } from '../../src/consensus/types.js';
import { EagerCommitStorage, isCommitOnly } from '../../src/mesh/eager-commit-storage.js';
import { MemoryDisk } from '../../src/storage/memory-disk.js';
import { MemoryStorage } from '../../src/storage/memory-storage.js';
import { KeeperError } from '../../src/errors/keeper-error.js';

const entry = (index: number, term = 1): Entry => ({ term, index, type: EntryType.Normal, data: new Uint8Array([index]) });
const hard = (term: number, vote: string | null, commit: number) => ({ term, vote, commit });

async function opened(commitFlushMs = 1_000) {
  const disk = new MemoryDisk();
  const inner = new MemoryStorage(disk);
  const storage = new EagerCommitStorage(inner, { commitFlushMs });
  await storage.open();
  const durable: number[] = [];
  storage.onDurable((ticket) => durable.push(ticket));
  return { disk, inner, storage, durable };
}

/** What a restarted replica would find on the disk (the running storage stops first). */
async function recoveredHardState(disk: MemoryDisk, inner: MemoryStorage) {
  inner.crash();
  return (await new MemoryStorage(disk).open()).hardState;
}

const microtask = () => new Promise<void>((resolve) => queueMicrotask(resolve));
/** Lets the writes of a turn reach the inner storage (they go two microtasks later). */
const handedOn = async () => {
  for (let i = 0; i < 4; i++) await microtask();
};

afterEach(() => {
  vi.useRealTimers();
});

describe('eager commit storage', () => {
  it('a write that only moves the commit index is durable for the replica at once, once every earlier write is', async () => {
    const { inner, storage, durable } = await opened();
    const first = storage.submit({ entries: [entry(1), entry(2)], hardState: hard(1, 'a', 0) });
    await handedOn();
    inner.completeAll();
    expect(durable).toEqual([first]);
    const commit = storage.submit({ entries: [], hardState: hard(1, 'a', 2) });
    await microtask();
    expect(durable).toEqual([first, commit]);
    // Nothing waits in the storage's queue in front of the next append.
    expect(inner.pendingCount).toBe(0);
  });

  it('the deferred commit index is written with the next write', async () => {
    const { disk, inner, storage, durable } = await opened();
    storage.submit({ entries: [entry(1), entry(2)], hardState: hard(1, 'a', 0) });
    await handedOn();
    inner.completeAll();
    storage.submit({ entries: [], hardState: hard(1, 'a', 2) });
    await microtask();
    const next = storage.submit({ entries: [entry(3)] });
    await handedOn();
    expect(storage.deferredHardState).toBe(null);
    inner.completeAll();
    expect(durable).toEqual([1, 2, next]);
    expect(await recoveredHardState(disk, inner)).toEqual(hard(1, 'a', 2));
  });

  it('a deferred commit index with no write to ride along is written on its own after commitFlushMs', async () => {
    vi.useFakeTimers();
    const { disk, inner, storage } = await opened(100);
    storage.submit({ entries: [entry(1)], hardState: hard(1, 'a', 0) });
    await handedOn();
    inner.completeAll();
    storage.submit({ entries: [], hardState: hard(1, 'a', 1) });
    expect(inner.pendingCount).toBe(0);
    vi.advanceTimersByTime(100);
    expect(inner.pendingCount).toBe(1);
    inner.completeAll();
    expect(await recoveredHardState(disk, inner)).toEqual(hard(1, 'a', 1));
  });

  it('closing writes a deferred commit index', async () => {
    const { disk, storage, inner } = await opened();
    storage.submit({ entries: [entry(1)], hardState: hard(1, 'a', 0) });
    await handedOn();
    inner.completeAll();
    storage.submit({ entries: [], hardState: hard(1, 'a', 1) });
    const closing = storage.close();
    inner.completeAll();
    await closing;
    expect((await new MemoryStorage(disk).open()).hardState).toEqual(hard(1, 'a', 1));
  });

  it('a commit-only write behind a write still on its way is durable with it, and costs no write of its own', async () => {
    const { disk, inner, storage, durable } = await opened();
    const first = storage.submit({ entries: [entry(1)], hardState: hard(1, 'a', 0) });
    const commit = storage.submit({ entries: [], hardState: hard(1, 'a', 1) });
    await handedOn();
    expect(durable).toEqual([]);
    expect(inner.pendingCount).toBe(1);
    inner.completeNext();
    // One report covers both tickets (a ticket stands for every write before it).
    expect(durable).toEqual([commit]);
    expect(commit).toBeGreaterThan(first);
    const next = storage.submit({ entries: [entry(2)] });
    await handedOn();
    inner.completeNext();
    expect(durable).toEqual([commit, next]);
    expect(await recoveredHardState(disk, inner)).toEqual(hard(1, 'a', 1));
  });

  it('a vote is never reported durable before the disk has it', async () => {
    const { inner, storage, durable } = await opened();
    storage.submit({ entries: [], hardState: hard(1, 'b', 0) });
    await handedOn();
    expect(durable).toEqual([]);
    inner.completeAll();
    expect(durable).toEqual([1]);
  });

  it("a turn's writes reach the storage after the frames the turn queued, in order", async () => {
    const { inner, storage } = await opened();
    const order: string[] = [];
    const submit = inner.submit.bind(inner);
    inner.submit = (batch) => {
      order.push(`write ${batch.entries.map((e) => e.index).join(',')}`);
      return submit(batch);
    };
    storage.submit({ entries: [entry(1)], hardState: hard(1, 'a', 0) });
    storage.submit({ entries: [entry(2)] });
    queueMicrotask(() => order.push('links flush'));
    await handedOn();
    expect(order).toEqual(['links flush', 'write 1', 'write 2']);
  });

  it('a write the storage refuses fails the storage for the replica', async () => {
    const { inner, storage } = await opened();
    const errors: string[] = [];
    storage.onError((error) => errors.push(error.codeName));
    inner.submit = () => {
      throw new KeeperError('THROTTLEDOP', 'too much queued');
    };
    storage.submit({ entries: [entry(1)], hardState: hard(1, 'a', 0) });
    await handedOn();
    expect(errors).toEqual(['THROTTLEDOP']);
    expect(() => storage.submit({ entries: [entry(2)] })).toThrow('too much queued');
  });

  it('a write carrying entries, a snapshot, a new term or a new vote is not commit-only', () => {
    const written = hard(2, 'a', 5);
    expect(isCommitOnly({ entries: [], hardState: hard(2, 'a', 6) }, written)).toBe(true);
    expect(isCommitOnly({ entries: [entry(6, 2)], hardState: hard(2, 'a', 6) }, written)).toBe(false);
    expect(isCommitOnly({ entries: [], hardState: hard(3, 'a', 6) }, written)).toBe(false);
    expect(isCommitOnly({ entries: [], hardState: hard(2, 'b', 6) }, written)).toBe(false);
    expect(isCommitOnly({ entries: [], hardState: hard(2, 'a', 6), compactTo: 3 }, written)).toBe(false);
    expect(isCommitOnly({ entries: [] }, written)).toBe(false);
    expect(isCommitOnly({ entries: [], hardState: hard(2, 'a', 6) }, null)).toBe(false);
  });
});
