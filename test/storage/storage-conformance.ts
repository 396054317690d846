import { describe, expect, it } from 'vitest';
import { EMPTY_HARD_STATE, type Entry, type HardState } from '../../src/consensus/types.js';
import { isKeeperError } from '../../src/errors/keeper-error.js';
import type { DurableStorage, RecoveredState, WriteBatch } from '../../src/storage/durable-storage.js';
import type { StorageLimits } from '../../src/storage/storage-limits.js';
import { createPrng } from '../../src/util/prng.js';
import { makeEntries, makeSnapshot, ReferenceLog } from './reference-log.js';

/** How the shared suite drives one implementation. */
export interface StorageHarness<S extends DurableStorage> {
  /** A new instance over the same durable medium: what a restarted replica would construct. */
  create(limits?: Partial<StorageLimits>): S;
  /** Lets submitted writes complete (the simulator's job for MemoryStorage; nothing for IndexedDB). */
  complete(storage: S): void;
}

/** Records completions and waits for a ticket. */
export function trackDurable(storage: DurableStorage): { readonly tickets: number[]; until(ticket: number): Promise<void> } {
  const tickets: number[] = [];
  const waiters: Array<{ ticket: number; resolve: () => void }> = [];
  storage.onDurable((ticket) => {
    tickets.push(ticket);
    for (const waiter of waiters.filter((candidate) => candidate.ticket <= ticket)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  return {
    tickets,
    until: (ticket) =>
      tickets.some((done) => done >= ticket) ? Promise.resolve() : new Promise((resolve) => waiters.push({ ticket, resolve })),
  };
}

const hard = (term: number, commit: number, vote: string | null = null): HardState => ({ term, vote, commit });

function expectRecovered(actual: RecoveredState, expected: RecoveredState): void {
  expect(actual.hardState).toEqual(expected.hardState);
  expect(actual.snapshot?.metadata ?? null).toEqual(expected.snapshot?.metadata ?? null);
  expect(actual.snapshot === null ? null : [...actual.snapshot.data]).toEqual(
    expected.snapshot === null ? null : [...expected.snapshot.data],
  );
  expect(actual.confState).toEqual(expected.confState);
  const shape = (entries: readonly Entry[]) => entries.map((entry) => [entry.index, entry.term, entry.type, [...entry.data]]);
  expect(shape(actual.entries)).toEqual(shape(expected.entries));
}

/** The rules every DurableStorage follows, run against one implementation. */
export function describeStorageConformance<S extends DurableStorage>(
  name: string,
  makeHarness: () => StorageHarness<S>,
): void {
  describe(`${name}: DurableStorage conformance`, () => {
    /** Submits batches on a fresh instance, completes them, closes; returns the tickets. */
    async function writeAll(harness: StorageHarness<S>, batches: readonly WriteBatch[]): Promise<number[]> {
      const storage = harness.create();
      await storage.open();
      const tracker = trackDurable(storage);
      const tickets = batches.map((batch) => storage.submit(batch));
      harness.complete(storage);
      await tracker.until(tickets[tickets.length - 1] ?? 0);
      await storage.close();
      return tickets;
    }

    async function reopen(harness: StorageHarness<S>): Promise<RecoveredState> {
      const storage = harness.create();
      const recovered = await storage.open();
      await storage.close();
      return recovered;
    }

    it('a fresh storage recovers an empty log', async () => {
      const recovered = await reopen(makeHarness());
      expect(recovered).toEqual({ hardState: EMPTY_HARD_STATE, confState: { voters: [], learners: [] }, snapshot: null, entries: [] });
    });

    it('appended entries and the hard state survive close and reopen', async () => {
      const harness = makeHarness();
      await writeAll(harness, [
        { entries: makeEntries(1, 5, 1), hardState: hard(1, 0, 'a') },
        { entries: makeEntries(6, 3, 2), hardState: hard(2, 4) },
      ]);
      const recovered = await reopen(harness);
      expectRecovered(recovered, { hardState: hard(2, 4), confState: { voters: [], learners: [] }, snapshot: null, entries: [...makeEntries(1, 5, 1), ...makeEntries(6, 3, 2)] });
    });

    it('tickets count up from 1 and complete in submission order', async () => {
      const harness = makeHarness();
      const storage = harness.create();
      await storage.open();
      const tracker = trackDurable(storage);
      const tickets = [1, 2, 3, 4].map((term) => storage.submit({ entries: makeEntries(term, 1, term) }));
      expect(tickets).toEqual([1, 2, 3, 4]);
      harness.complete(storage);
      await tracker.until(4);
      expect(tracker.tickets).toEqual([1, 2, 3, 4]);
      await storage.close();
    });

    it('an entry at a held index replaces it and every entry after it', async () => {
      const harness = makeHarness();
      await writeAll(harness, [{ entries: makeEntries(1, 10, 1), hardState: hard(1, 3) }, { entries: makeEntries(5, 2, 2) }]);
      const recovered = await reopen(harness);
      expect(recovered.entries.map((entry) => [entry.index, entry.term])).toEqual([
        [1, 1], [2, 1], [3, 1], [4, 1], [5, 2], [6, 2],
      ]);
    });

    it('a snapshot that matches the log drops entries up to it and keeps later ones', async () => {
      const harness = makeHarness();
      const snapshot = makeSnapshot(6, 1, ['a', 'b', 'c']);
      await writeAll(harness, [
        { entries: makeEntries(1, 10, 1), hardState: hard(1, 8) },
        { snapshot, entries: [], compactTo: 6 },
      ]);
      const recovered = await reopen(harness);
      expect(recovered.snapshot?.metadata).toEqual(snapshot.metadata);
      expect([...(recovered.snapshot?.data ?? [])]).toEqual([...snapshot.data]);
      expect(recovered.confState).toEqual({ voters: ['a', 'b', 'c'], learners: ['observer'] });
      expect(recovered.entries.map((entry) => entry.index)).toEqual([7, 8, 9, 10]);
    });

    it('a snapshot that does not match the log replaces the whole log', async () => {
      const harness = makeHarness();
      await writeAll(harness, [
        { entries: makeEntries(1, 10, 1), hardState: hard(1, 2) },
        { snapshot: makeSnapshot(5, 3, ['a']), entries: [], hardState: hard(3, 5) },
      ]);
      const recovered = await reopen(harness);
      expect(recovered.snapshot?.metadata.index).toBe(5);
      expect(recovered.entries).toEqual([]);
      expect(recovered.hardState).toEqual(hard(3, 5));
    });

    it('a snapshot past the log leaves an empty log after it, and appends continue from it', async () => {
      const harness = makeHarness();
      await writeAll(harness, [
        { entries: makeEntries(1, 3, 1) },
        { snapshot: makeSnapshot(50, 2, ['a']), entries: makeEntries(51, 2, 2), hardState: hard(2, 52) },
      ]);
      const recovered = await reopen(harness);
      expect(recovered.entries.map((entry) => entry.index)).toEqual([51, 52]);
    });

    it('writes in one batch apply in order: snapshot, entries, hard state', async () => {
      const harness = makeHarness();
      await writeAll(harness, [
        { entries: makeEntries(1, 4, 1) },
        { snapshot: makeSnapshot(3, 1, ['a']), entries: makeEntries(4, 3, 2), hardState: hard(2, 6), compactTo: 3 },
      ]);
      const recovered = await reopen(harness);
      expect(recovered.entries.map((entry) => [entry.index, entry.term])).toEqual([[4, 2], [5, 2], [6, 2]]);
      expect(recovered.hardState.commit).toBe(6);
    });

    it('a batch breaking a log rule is an assertion and changes nothing', async () => {
      const harness = makeHarness();
      const storage = harness.create();
      await storage.open();
      storage.submit({ entries: makeEntries(1, 5, 2), hardState: hard(2, 3, 'a') });
      storage.submit({ snapshot: makeSnapshot(2, 2, ['a']), entries: [] });
      const broken: Array<[string, WriteBatch]> = [
        ['gap', { entries: makeEntries(7, 1, 2) }],
        ['entry below the snapshot', { entries: makeEntries(2, 1, 2) }],
        ['non-contiguous entries', { entries: [...makeEntries(6, 1, 2), ...makeEntries(8, 1, 2)] }],
        ['term going back', { entries: makeEntries(6, 1, 1) }],
        ['replacing a committed entry', { entries: makeEntries(3, 1, 3) }],
        ['compactTo past the snapshot', { entries: [], compactTo: 3 }],
        ['hard state term going back', { entries: [], hardState: hard(1, 3) }],
        ['vote changing within a term', { entries: [], hardState: hard(2, 3, 'b') }],
        ['commit going back', { entries: [], hardState: hard(2, 2, 'a') }],
        ['commit past the last index', { entries: [], hardState: hard(2, 6, 'a') }],
        ['snapshot going back', { snapshot: makeSnapshot(1, 1, ['a']), entries: [] }],
      ];
      for (const [rule, batch] of broken) {
        expect(() => storage.submit(batch), rule).toThrow(/assertion failed/);
      }
      const tracker = trackDurable(storage);
      expect(storage.submit({ entries: makeEntries(6, 1, 2), hardState: hard(2, 6, 'a') })).toBe(3);
      harness.complete(storage);
      await tracker.until(3);
      await storage.close();
      const recovered = await reopen(harness);
      expect(recovered.entries.map((entry) => entry.index)).toEqual([3, 4, 5, 6]);
      expect(recovered.hardState).toEqual(hard(2, 6, 'a'));
    });

    it('a batch over the size limits is refused with BADARGUMENTS and queues nothing', async () => {
      const harness = makeHarness();
      const storage = harness.create({ maxEntriesPerBatch: 4, maxEntryBytes: 100, maxBatchBytes: 150, maxSnapshotBytes: 10 });
      await storage.open();
      const refuse = (batch: WriteBatch) => {
        let thrown: unknown;
        try {
          storage.submit(batch);
        } catch (error) {
          thrown = error;
        }
        expect(isKeeperError(thrown, 'BADARGUMENTS'), String(thrown)).toBe(true);
      };
      refuse({ entries: makeEntries(1, 5, 1) });
      refuse({ entries: [{ term: 1, index: 1, type: 0, data: new Uint8Array(101) }] });
      refuse({ entries: [1, 2].map((index) => ({ term: 1, index, type: 0 as const, data: new Uint8Array(80) })) });
      refuse({ snapshot: makeSnapshot(1, 1, ['a']), entries: [] });
      const tracker = trackDurable(storage);
      expect(storage.submit({ entries: makeEntries(1, 4, 1) })).toBe(1);
      harness.complete(storage);
      await tracker.until(1);
      await storage.close();
      expect((await reopen(harness)).entries).toHaveLength(4);
    });

    it('too many writes waiting to become durable are refused with THROTTLEDOP', async () => {
      const harness = makeHarness();
      const storage = harness.create({ maxPendingWrites: 3 });
      await storage.open();
      const tracker = trackDurable(storage);
      for (let index = 1; index <= 3; index++) storage.submit({ entries: makeEntries(index, 1, 1) });
      expect(() => storage.submit({ entries: makeEntries(4, 1, 1) })).toThrow(/THROTTLEDOP/);
      harness.complete(storage);
      await tracker.until(3);
      expect(storage.submit({ entries: makeEntries(4, 1, 1) })).toBe(4);
      harness.complete(storage);
      await tracker.until(4);
      await storage.close();
      expect((await reopen(harness)).entries).toHaveLength(4);
    });

    it('storage owns what it was given: changing a buffer after submit changes nothing durable', async () => {
      const harness = makeHarness();
      const storage = harness.create();
      await storage.open();
      const tracker = trackDurable(storage);
      const backing = new Uint8Array([9, 9, 1, 2, 3, 9, 9]);
      const entry: Entry = { term: 1, index: 1, type: 0, data: backing.subarray(2, 5) };
      const snapshot = makeSnapshot(1, 1, ['a']);
      storage.submit({ entries: [entry] });
      storage.submit({ entries: makeEntries(2, 1, 1) });
      storage.submit({ snapshot, entries: [] });
      backing.fill(0);
      snapshot.data.fill(0);
      (snapshot.metadata.confState.voters as string[]).push('intruder');
      harness.complete(storage);
      await tracker.until(3);
      await storage.close();
      const recovered = await reopen(harness);
      expect(recovered.snapshot?.metadata.confState.voters).toEqual(['a']);
      expect([...(recovered.snapshot?.data ?? [])]).toEqual([...makeSnapshot(1, 1, ['a']).data]);
      expect(recovered.entries.map((held) => held.index)).toEqual([2]);
    });

    it('close waits for queued writes; submit after close is an assertion', async () => {
      const harness = makeHarness();
      const storage = harness.create();
      await storage.open();
      storage.submit({ entries: makeEntries(1, 3, 1), hardState: hard(1, 1) });
      const closed = storage.close();
      harness.complete(storage);
      await closed;
      expect(() => storage.submit({ entries: makeEntries(4, 1, 1) })).toThrow(/assertion failed/);
      expect((await reopen(harness)).entries).toHaveLength(3);
    });

    it('an unsubscribed listener hears nothing more', async () => {
      const harness = makeHarness();
      const storage = harness.create();
      await storage.open();
      const heard: number[] = [];
      const unsubscribe = storage.onDurable((ticket) => heard.push(ticket));
      const tracker = trackDurable(storage);
      storage.submit({ entries: makeEntries(1, 1, 1) });
      harness.complete(storage);
      await tracker.until(1);
      unsubscribe();
      storage.submit({ entries: makeEntries(2, 1, 1) });
      harness.complete(storage);
      await tracker.until(2);
      expect(heard).toEqual([1]);
      await storage.close();
    });

    it('random valid histories with restarts recover exactly what the reference log holds', async () => {
      for (const seed of [1, 2, 3]) {
        const harness = makeHarness();
        const prng = createPrng(seed);
        const reference = new ReferenceLog();
        for (let life = 0; life < 6; life++) {
          const storage = harness.create();
          expectRecovered(await storage.open(), reference.expected());
          const tracker = trackDurable(storage);
          let ticket = 0;
          const writes = prng.nextIntBetween(1, 25);
          for (let write = 0; write < writes; write++) {
            const batch = reference.randomBatch(prng, ['a', 'b', 'c']);
            ticket = storage.submit(batch);
            reference.apply(batch);
            if (prng.chance(0.3)) harness.complete(storage);
          }
          harness.complete(storage);
          await tracker.until(ticket);
          expect(tracker.tickets).toEqual(Array.from({ length: ticket }, (_, offset) => offset + 1));
          await storage.close();
        }
        expectRecovered(await reopen(harness), reference.expected());
      }
    });
  });
}
