import { describe, expect, it } from 'vitest';
import type { HardState } from '../../src/consensus/types.js';
import { isKeeperError } from '../../src/errors/keeper-error.js';
import { MemoryDisk } from '../../src/storage/memory-disk.js';
import { MemoryStorage } from '../../src/storage/memory-storage.js';
import { createPrng } from '../../src/util/prng.js';
import type { RecoveredState, WriteBatch } from '../../src/storage/durable-storage.js';
import { makeEntries, makeSnapshot, ReferenceLog } from './reference-log.js';
import { describeStorageConformance, trackDurable } from './storage-conformance.js';

describeStorageConformance('MemoryStorage', () => {
  const disk = new MemoryDisk();
  return {
    create: (limits) => new MemoryStorage(disk, limits === undefined ? {} : { limits }),
    complete: (storage) => {
      storage.completeAll();
    },
  };
});

const hard = (term: number, commit: number): HardState => ({ term, vote: null, commit });

function openOn(disk: MemoryDisk): MemoryStorage {
  const storage = new MemoryStorage(disk);
  storage.openSync();
  return storage;
}

describe('MemoryStorage', () => {
  it('completed writes survive a crash; writes not yet completed are lost', () => {
    const disk = new MemoryDisk();
    const storage = openOn(disk);
    storage.submit({ entries: makeEntries(1, 3, 1), hardState: hard(1, 1) });
    storage.submit({ entries: makeEntries(4, 3, 1), hardState: hard(1, 5) });
    expect(storage.completeNext()).toBe(1);
    storage.crash();
    const recovered = new MemoryStorage(disk).openSync();
    expect(recovered.entries.map((entry) => entry.index)).toEqual([1, 2, 3]);
    expect(recovered.hardState).toEqual(hard(1, 1));
  });

  it('writes complete one at a time in submission order, each reported once', () => {
    const storage = openOn(new MemoryDisk());
    const heard: number[] = [];
    storage.onDurable((ticket) => heard.push(ticket));
    for (let index = 1; index <= 5; index++) storage.submit({ entries: makeEntries(index, 1, 1) });
    expect(storage.pendingCount).toBe(5);
    expect(storage.completeNext()).toBe(1);
    expect(storage.completeNext()).toBe(2);
    expect(heard).toEqual([1, 2]);
    expect(storage.completeAll()).toBe(3);
    expect(storage.completeNext()).toBeNull();
    expect(heard).toEqual([1, 2, 3, 4, 5]);
  });

  it('a torn write keeps only a prefix of its entries, and never anything of later writes', () => {
    const prefixLengths = new Set<number>();
    for (let seed = 0; seed < 60; seed++) {
      const disk = new MemoryDisk();
      const storage = openOn(disk);
      storage.submit({ entries: makeEntries(1, 4, 1), hardState: hard(1, 2) });
      storage.completeAll();
      storage.submit({ entries: makeEntries(3, 6, 2), hardState: hard(2, 8) });
      storage.submit({ entries: makeEntries(9, 2, 2), hardState: hard(2, 10) });
      storage.crash({ torn: createPrng(seed) });
      const recovered = new MemoryStorage(disk).openSync();
      const terms = recovered.entries.map((entry) => [entry.index, entry.term]);
      const survivors = recovered.entries.filter((entry) => entry.term === 2).length;
      prefixLengths.add(survivors);
      // Indexes 1..2 were durable and are never replaced; from 3 on either the old entries or a prefix of the new ones.
      const expected =
        survivors === 0
          ? [[1, 1], [2, 1], [3, 1], [4, 1]]
          : [[1, 1], [2, 1], ...Array.from({ length: survivors }, (_, offset) => [3 + offset, 2])];
      expect(terms, `seed ${seed}`).toEqual(expected);
      expect(recovered.entries.every((entry) => entry.index <= 8), `seed ${seed}`).toBe(true);
      // The torn write's hard state lands only with the whole write.
      expect(recovered.hardState, `seed ${seed}`).toEqual(survivors === 6 && disk.stats.tornWrites === 0 ? hard(2, 8) : hard(1, 2));
    }
    expect(prefixLengths.size).toBeGreaterThan(4);
  });

  it('the hard state of an incomplete write is lost at a crash even when all its entries landed', () => {
    let sawEntriesWithoutHardState = false;
    let sawWholeWrite = false;
    for (let seed = 0; seed < 80; seed++) {
      const disk = new MemoryDisk();
      const storage = openOn(disk);
      storage.submit({ entries: makeEntries(1, 2, 1), hardState: hard(1, 2) });
      storage.crash({ torn: createPrng(seed) });
      const recovered = new MemoryStorage(disk).openSync();
      if (recovered.entries.length === 2 && recovered.hardState.commit === 0) sawEntriesWithoutHardState = true;
      if (recovered.hardState.commit === 2) {
        sawWholeWrite = true;
        expect(recovered.entries).toHaveLength(2);
      }
    }
    expect(sawEntriesWithoutHardState).toBe(true);
    expect(sawWholeWrite).toBe(true);
  });

  it('a torn write with a snapshot keeps the snapshot before any of its entries', () => {
    for (let seed = 0; seed < 40; seed++) {
      const disk = new MemoryDisk();
      const storage = openOn(disk);
      storage.submit({ entries: makeEntries(1, 3, 1) });
      storage.completeAll();
      storage.submit({ snapshot: makeSnapshot(10, 2, ['a']), entries: makeEntries(11, 3, 2) });
      storage.crash({ torn: createPrng(seed) });
      const recovered = new MemoryStorage(disk).openSync();
      if (recovered.snapshot === null) expect(recovered.entries.map((entry) => entry.index)).toEqual([1, 2, 3]);
      else expect(recovered.entries.every((entry) => entry.index > 10 && entry.term === 2)).toBe(true);
    }
  });

  it('a crash without torn writes loses the whole pending queue', () => {
    const disk = new MemoryDisk();
    const storage = openOn(disk);
    storage.submit({ entries: makeEntries(1, 3, 1) });
    storage.crash();
    expect(new MemoryStorage(disk).openSync().entries).toEqual([]);
    expect(disk.stats.completedWrites).toBe(0);
  });

  it('one live storage per disk: a second one must wait for a crash or close', async () => {
    const disk = new MemoryDisk();
    const first = openOn(disk);
    expect(() => new MemoryStorage(disk).openSync()).toThrow(/one live MemoryStorage/);
    first.crash();
    const second = openOn(disk);
    await second.close();
    openOn(disk);
  });

  it('close resolves only after the simulator completes the queued writes', async () => {
    const storage = openOn(new MemoryDisk());
    storage.submit({ entries: makeEntries(1, 1, 1) });
    let closed = false;
    const closing = storage.close().then(() => {
      closed = true;
    });
    await Promise.resolve();
    expect(closed).toBe(false);
    storage.completeAll();
    await closing;
    expect(closed).toBe(true);
  });

  it('a failed disk reports the error, refuses writes, and keeps what was durable', async () => {
    const disk = new MemoryDisk();
    const storage = openOn(disk);
    const errors: unknown[] = [];
    storage.onError((error) => errors.push(error));
    const tracker = trackDurable(storage);
    storage.submit({ entries: makeEntries(1, 2, 1) });
    storage.completeAll();
    storage.submit({ entries: makeEntries(3, 2, 1) });
    storage.fail('disk full');
    expect(errors).toHaveLength(1);
    expect(isKeeperError(errors[0], 'SYSTEMERROR')).toBe(true);
    expect(() => storage.submit({ entries: makeEntries(3, 1, 1) })).toThrow(/disk full/);
    await expect(storage.close()).rejects.toThrow(/disk full/);
    expect(tracker.tickets).toEqual([1]);
    storage.crash();
    expect(new MemoryStorage(disk).openSync().entries.map((entry) => entry.index)).toEqual([1, 2]);
  });

  it('a listener that throws does not stop the others from hearing the ticket', () => {
    const storage = openOn(new MemoryDisk());
    const heard: number[] = [];
    storage.onDurable(() => {
      throw new Error('listener bug');
    });
    storage.onDurable((ticket) => heard.push(ticket));
    storage.submit({ entries: makeEntries(1, 1, 1) });
    expect(() => storage.completeNext()).toThrow(/listener bug/);
    expect(heard).toEqual([1]);
  });
});

const summary = (state: RecoveredState) =>
  JSON.stringify({
    hardState: state.hardState,
    snapshot: state.snapshot === null ? null : [state.snapshot.metadata, [...state.snapshot.data]],
    entries: state.entries.map((entry) => [entry.index, entry.term, entry.type, [...entry.data]]),
  });

/** Every state a crash may leave: the completed writes, plus any prefix of the next one (its hard state only when whole). */
function crashCandidates(completed: readonly WriteBatch[], next: WriteBatch | undefined): Set<string> {
  const replay = (extra: WriteBatch | null) => {
    const reference = new ReferenceLog();
    for (const batch of completed) reference.apply(batch);
    if (extra !== null) reference.apply(extra);
    return summary(reference.expected());
  };
  const candidates = new Set([replay(null)]);
  if (next !== undefined) {
    candidates.add(replay(next));
    const steps = (next.snapshot === undefined ? 0 : 1) + next.entries.length;
    for (let cut = 1; cut <= steps; cut++) {
      const withSnapshot = next.snapshot !== undefined;
      const entries = next.entries.slice(0, cut - (withSnapshot ? 1 : 0));
      candidates.add(replay(next.snapshot === undefined ? { entries } : { snapshot: next.snapshot, entries }));
    }
  }
  return candidates;
}

describe('MemoryStorage crashes', () => {
  it('after any crash, torn or not, the disk holds the completed writes plus at most a prefix of the next one', () => {
    for (let seed = 100; seed < 160; seed++) {
      const prng = createPrng(seed);
      const disk = new MemoryDisk();
      const completed: WriteBatch[] = [];
      let reference = new ReferenceLog();
      for (let life = 0; life < 5; life++) {
        const storage = new MemoryStorage(disk);
        const recovered = storage.openSync();
        // Each life starts from what the last crash left: rebuild the model from it.
        reference = new ReferenceLog();
        reference.hardState = recovered.hardState;
        reference.snapshot = recovered.snapshot;
        for (const entry of recovered.entries) reference.entries.set(entry.index, entry);
        completed.length = 0;
        completed.push(...(recovered.snapshot === null ? [] : [{ snapshot: recovered.snapshot, entries: [] }]), {
          entries: recovered.entries,
          hardState: recovered.hardState,
        });
        const queued: WriteBatch[] = [];
        const writes = prng.nextIntBetween(1, 12);
        for (let write = 0; write < writes; write++) {
          const batch = reference.randomBatch(prng, ['a']);
          storage.submit(batch);
          reference.apply(batch);
          queued.push(batch);
          while (prng.chance(0.3) && storage.completeNext() !== null) completed.push(queued.shift() as WriteBatch);
        }
        const candidates = crashCandidates(completed, queued[0]);
        storage.crash(prng.chance(0.7) ? { torn: prng.fork() } : {});
        const after = new MemoryStorage(disk);
        const state = after.openSync();
        expect(candidates.has(summary(state)), `seed ${seed} life ${life}`).toBe(true);
        after.crash();
      }
    }
  });
});
