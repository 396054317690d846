import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { createStore, del, get, keys, set, type UseStore } from 'idb-keyval';
import { beforeEach, describe, expect, it } from 'vitest';
import type { HardState } from '../../src/consensus/types.js';
import { isKeeperError } from '../../src/errors/keeper-error.js';
import type { ChunkLayoutOptions } from '../../src/storage/chunk-layout.js';
import { packEntries, type EntryChunkRecord } from '../../src/storage/entry-chunk.js';
import { OBJECT_STORE_NAME, replicaDatabaseName } from '../../src/storage/idb-records.js';
import { openLogStore, type LogDurability } from '../../src/storage/idb-store.js';
import {
  destroyIndexedDbStorage,
  IndexedDbStorage,
  type IndexedDbStorageOptions,
} from '../../src/storage/indexeddb-storage.js';
import type { StorageLimits } from '../../src/storage/storage-limits.js';
import { makeEntries, makeSnapshot } from './reference-log.js';
import { describeStorageConformance, trackDurable } from './storage-conformance.js';

/** Every test gets its own IndexedDB, never a shared one. */
function freshIndexedDb(): void {
  globalThis.indexedDB = new IDBFactory();
  globalThis.IDBKeyRange = IDBKeyRange;
}

const SMALL_LAYOUT: ChunkLayoutOptions = { chunkMaxEntries: 4, chunkMaxBytes: 1024, snapshotPartBytes: 8 };

/** Each harness is one replica (its own database); `create` reopens that replica. */
function idbHarness(layout?: ChunkLayoutOptions) {
  let replicas = 0;
  return () => {
    const replicaId = `replica-${++replicas}`;
    return {
      create: (limits?: Partial<StorageLimits>) =>
        new IndexedDbStorage({ room: 'room', replicaId, ...(layout ? { layout } : {}), ...(limits ? { limits } : {}) }),
      complete: () => {},
    };
  };
}

describe('IndexedDbStorage with small chunks', () => {
  beforeEach(freshIndexedDb);
  describeStorageConformance('IndexedDbStorage (4-entry chunks, 8-byte snapshot parts)', idbHarness(SMALL_LAYOUT));
});

describe('IndexedDbStorage with the default layout', () => {
  beforeEach(freshIndexedDb);
  describeStorageConformance('IndexedDbStorage (default layout)', idbHarness());
});

const hard = (term: number, commit: number): HardState => ({ term, vote: null, commit });
const ROOM = 'room';
const REPLICA = 'r1';

/** The raw object store under a replica's storage, to look at (and damage) its records. */
function rawStore(replicaId = REPLICA): UseStore {
  return createStore(replicaDatabaseName(ROOM, replicaId), OBJECT_STORE_NAME);
}

async function chunkKeys(store: UseStore): Promise<number[]> {
  const all = await keys(store);
  return all.filter((key): key is [string, number] => Array.isArray(key) && key[0] === 'entries').map((key) => key[1]);
}

async function snapshotPartKeys(store: UseStore): Promise<number[]> {
  const all = await keys(store);
  return all.filter((key): key is [string, number] => Array.isArray(key) && key[0] === 'snapshotPart').map((key) => key[1]);
}

function storageWith(options: Partial<IndexedDbStorageOptions> = {}): IndexedDbStorage {
  return new IndexedDbStorage({ room: ROOM, replicaId: REPLICA, layout: SMALL_LAYOUT, ...options });
}

/** Opens, submits, waits until durable, closes. */
async function write(batches: readonly Parameters<IndexedDbStorage['submit']>[0][], options: Partial<IndexedDbStorageOptions> = {}): Promise<void> {
  const storage = storageWith(options);
  await storage.open();
  const tracker = trackDurable(storage);
  let ticket = 0;
  for (const batch of batches) ticket = storage.submit(batch);
  await tracker.until(ticket);
  await storage.close();
}

async function recover(options: Partial<IndexedDbStorageOptions> = {}) {
  const storage = storageWith(options);
  const recovered = await storage.open();
  await storage.close();
  return recovered;
}

const indexesAndTerms = (entries: readonly { index: number; term: number }[]) => entries.map((entry) => [entry.index, entry.term]);

describe('IndexedDbStorage', () => {
  beforeEach(freshIndexedDb);

  it('entries are kept in chunks of several entries, and appends fill the open chunk first', async () => {
    await write([{ entries: makeEntries(1, 10, 1) }]);
    expect(await chunkKeys(rawStore())).toEqual([1, 5, 9]);
    await write([{ entries: makeEntries(11, 1, 1) }, { entries: makeEntries(12, 3, 1) }]);
    // 11 and 12 join chunk 9 (now full); 13..14 open a new one.
    expect(await chunkKeys(rawStore())).toEqual([1, 5, 9, 13]);
    const chunk = await get<EntryChunkRecord>(['entries', 9], rawStore());
    expect(chunk?.terms.length).toBe(4);
    expect((await recover()).entries.map((entry) => entry.index)).toEqual(Array.from({ length: 14 }, (_, offset) => offset + 1));
  });

  it('a chunk holds only its entries bytes, not the buffers they were views into', async () => {
    const backing = new Uint8Array(100_000);
    backing.set([1, 2, 3], 500);
    await write([{ entries: [{ term: 1, index: 1, type: 0, data: backing.subarray(500, 503) }] }]);
    const chunk = await get<EntryChunkRecord>(['entries', 1], rawStore());
    expect(chunk?.bytes.buffer.byteLength).toBe(3);
    expect([...((await recover()).entries[0]?.data ?? [])]).toEqual([1, 2, 3]);
  });

  it('overwriting across chunk boundaries deletes later chunks and supersedes the stale end of a full one', async () => {
    await write([{ entries: makeEntries(1, 14, 1), hardState: hard(1, 2) }]);
    expect(await chunkKeys(rawStore())).toEqual([1, 5, 9, 13]);
    await write([{ entries: makeEntries(6, 2, 2) }]);
    // Chunk 5 (full, 5..8) is not rewritten: chunk 6 supersedes its 6..8. Chunks 9 and 13 are gone.
    expect(await chunkKeys(rawStore())).toEqual([1, 5, 6]);
    let recovered = await recover();
    expect(indexesAndTerms(recovered.entries)).toEqual([[1, 1], [2, 1], [3, 1], [4, 1], [5, 1], [6, 2], [7, 2]]);
    await write([{ entries: makeEntries(8, 3, 2) }, { entries: makeEntries(3, 1, 3) }]);
    expect(await chunkKeys(rawStore())).toEqual([1, 3]);
    recovered = await recover();
    expect(indexesAndTerms(recovered.entries)).toEqual([[1, 1], [2, 1], [3, 3]]);
  });

  it('an overwrite inside the open chunk rewrites that chunk in place', async () => {
    await write([{ entries: makeEntries(1, 10, 1) }]);
    await write([{ entries: makeEntries(10, 2, 2) }]);
    expect(await chunkKeys(rawStore())).toEqual([1, 5, 9]);
    const chunk = await get<EntryChunkRecord>(['entries', 9], rawStore());
    expect([...(chunk?.terms ?? [])]).toEqual([1, 2, 2]);
    expect(indexesAndTerms((await recover()).entries).slice(8)).toEqual([[9, 1], [10, 2], [11, 2]]);
  });

  it('a snapshot deletes the chunks it covers; compaction leaves a partly covered chunk to trim later', async () => {
    await write([{ entries: makeEntries(1, 20, 1), hardState: hard(1, 20) }]);
    expect(await chunkKeys(rawStore())).toEqual([1, 5, 9, 13, 17]);
    await write([{ snapshot: makeSnapshot(10, 1, ['a']), entries: [], compactTo: 10 }]);
    expect(await chunkKeys(rawStore())).toEqual([9, 13, 17]);
    const recovered = await recover();
    expect(recovered.entries.map((entry) => entry.index)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    expect(recovered.snapshot?.metadata.index).toBe(10);
  });

  it('the open chunk is trimmed of entries below the snapshot when it is next rewritten', async () => {
    await write([{ entries: makeEntries(1, 10, 1), hardState: hard(1, 10) }]);
    await write([{ snapshot: makeSnapshot(9, 1, ['a']), entries: [] }]);
    expect(await chunkKeys(rawStore())).toEqual([9]);
    await write([{ entries: makeEntries(11, 1, 1) }]);
    expect(await chunkKeys(rawStore())).toEqual([10]);
    expect((await recover()).entries.map((entry) => entry.index)).toEqual([10, 11]);
  });

  it('a snapshot is stored in parts; a smaller one deletes the parts it no longer needs', async () => {
    const big = makeSnapshot(3, 1, ['a']);
    await write([{ entries: makeEntries(1, 5, 1), hardState: hard(1, 5) }, { snapshot: big, entries: [] }]);
    expect(await snapshotPartKeys(rawStore())).toEqual([0, 1]);
    const small = { metadata: { index: 4, term: 1, confState: { voters: ['b'], learners: [] } }, data: new Uint8Array([7, 7, 7]) };
    await write([{ snapshot: small, entries: [] }]);
    expect(await snapshotPartKeys(rawStore())).toEqual([0]);
    const recovered = await recover();
    expect([...(recovered.snapshot?.data ?? [])]).toEqual([7, 7, 7]);
    expect(recovered.confState).toEqual({ voters: ['b'], learners: [] });
  });

  it('group commit: batches submitted while a transaction is in flight share the next transaction', async () => {
    const inner = rawStore();
    let readwrite = 0;
    let reenter: (() => void) | null = null;
    const counting: UseStore = (mode, callback) =>
      inner(mode, (store) => {
        const result = callback(store);
        if (mode === 'readwrite') {
          readwrite++;
          const hook = reenter;
          reenter = null;
          hook?.();
        }
        return result;
      });
    const storage = storageWith({ useStore: counting });
    await storage.open();
    const tracker = trackDurable(storage);
    reenter = () => {
      // The first transaction has taken its writes: these twenty must wait for the next one.
      for (let index = 2; index <= 21; index++) storage.submit({ entries: makeEntries(index, 1, 1), hardState: hard(1, index - 1) });
    };
    expect(storage.submit({ entries: makeEntries(1, 1, 1) })).toBe(1);
    await tracker.until(21);
    expect(readwrite).toBe(2);
    expect(storage.committedTransactions).toBe(2);
    expect(tracker.tickets).toEqual(Array.from({ length: 21 }, (_, offset) => offset + 1));
    await storage.close();
    const recovered = await recover();
    expect(recovered.entries).toHaveLength(21);
    expect(recovered.hardState).toEqual(hard(1, 20));
  });

  it('group commit: a burst of synchronous submits is one transaction', async () => {
    const storage = storageWith();
    await storage.open();
    const tracker = trackDurable(storage);
    for (let index = 1; index <= 50; index++) storage.submit({ entries: makeEntries(index, 1, 1) });
    await tracker.until(50);
    expect(storage.committedTransactions).toBe(1);
    expect(tracker.tickets).toEqual(Array.from({ length: 50 }, (_, offset) => offset + 1));
    await storage.close();
  });

  it('a second replica id in the same room has its own database', async () => {
    await write([{ entries: makeEntries(1, 3, 1) }], { replicaId: 'a' });
    await write([{ entries: makeEntries(1, 1, 7) }], { replicaId: 'b' });
    expect((await recover({ replicaId: 'a' })).entries.map((entry) => entry.term)).toEqual([1, 1, 1]);
    expect((await recover({ replicaId: 'b' })).entries.map((entry) => entry.term)).toEqual([7]);
    expect((await recover({ replicaId: 'c' })).entries).toEqual([]);
    expect(replicaDatabaseName('a/b', 'c')).not.toBe(replicaDatabaseName('a', 'b/c'));
  });

  it('destroy deletes a replica database', async () => {
    await write([{ entries: makeEntries(1, 3, 1) }]);
    await destroyIndexedDbStorage(ROOM, REPLICA);
    expect((await recover()).entries).toEqual([]);
  });

  it('a database deleted under an open storage fails it loudly instead of writing into nothing', async () => {
    const storage = storageWith();
    await storage.open();
    const errors: unknown[] = [];
    storage.onError((error) => errors.push(error));
    await destroyIndexedDbStorage(ROOM, REPLICA);
    expect(errors).toHaveLength(1);
    expect(() => storage.submit({ entries: makeEntries(1, 1, 1) })).toThrow(/deleted or upgraded/);
    await expect(storage.close()).rejects.toThrow(/SYSTEMERROR/);
  });

  it('a failed transaction reports the error, completes no later ticket, and loses nothing durable', async () => {
    await write([{ entries: makeEntries(1, 2, 1) }]);
    const inner = rawStore();
    const aborting: UseStore = (mode, callback) =>
      inner(mode, (store) => {
        const result = callback(store);
        if (mode === 'readwrite') store.transaction.abort();
        return result;
      });
    const storage = storageWith({ useStore: aborting });
    await storage.open();
    const tracker = trackDurable(storage);
    const errors: unknown[] = [];
    storage.onError((error) => errors.push(error));
    storage.submit({ entries: makeEntries(3, 1, 1) });
    await expect(storage.close()).rejects.toThrow(/writes from ticket 1 on are lost/);
    expect(isKeeperError(errors[0], 'SYSTEMERROR')).toBe(true);
    expect(tracker.tickets).toEqual([]);
    expect((await recover()).entries.map((entry) => entry.index)).toEqual([1, 2]);
  });

  describe('damage found at open is DATAINCONSISTENCY, never a shorter log', () => {
    async function expectDamage(damage: (store: UseStore) => Promise<void>, message: RegExp): Promise<void> {
      await write([
        { entries: makeEntries(1, 12, 1), hardState: hard(1, 12) },
        { snapshot: makeSnapshot(2, 1, ['a']), entries: [] },
      ]);
      await damage(rawStore());
      const storage = storageWith();
      const opened = storage.open();
      await expect(opened).rejects.toSatisfy((error: unknown) => isKeeperError(error, 'DATAINCONSISTENCY'));
      await expect(opened).rejects.toThrow(message);
    }

    it('a chunk missing in the middle', () => expectDamage((store) => del(['entries', 5], store), /entries 5\.\.8 are missing/));
    it('the last chunk missing', () => expectDamage((store) => del(['entries', 9], store), /chunks/));
    it('an extra chunk inside the log (superseded entries coming back)', () =>
      expectDamage((store) => set(['entries', 6], packEntries(makeEntries(6, 3, 1)), store), /4 entry chunks where meta counts 3/));
    it('a chunk past the end', () => expectDamage((store) => set(['entries', 40], packEntries(makeEntries(40, 1, 1)), store), /entries 13\.\.39 are missing/));
    it('a malformed chunk', async () => {
      await expectDamage(async (store) => {
        const chunk = await get<EntryChunkRecord>(['entries', 5], store);
        await set(['entries', 5], { ...chunk, ends: new Uint32Array([1, 2]) }, store);
      }, /malformed entry chunk/);
    });
    it('a snapshot part missing', () => expectDamage((store) => del(['snapshotPart', 1], store), /snapshot has 1 parts/));
    it('the meta record missing', () => expectDamage((store) => del('meta', store), /no meta record/));
    it('a format from another version', async () => {
      await expectDamage(async (store) => {
        const meta = await get<Record<string, unknown>>('meta', store);
        await set('meta', { ...meta, formatVersion: 99 }, store);
      }, /format 99/);
    });
  });

  it('a large log (20,000 entries) is written by group commit and recovered whole', async () => {
    const storage = new IndexedDbStorage({ room: ROOM, replicaId: REPLICA });
    await storage.open();
    const tracker = trackDurable(storage);
    let ticket = 0;
    for (let from = 1; from <= 20_000; from += 500) ticket = storage.submit({ entries: makeEntries(from, 500, 1 + Math.floor(from / 5000)), hardState: hard(1 + Math.floor(from / 5000), from) });
    await tracker.until(ticket);
    expect(storage.committedTransactions).toBeLessThan(ticket);
    await storage.close();
    const reopened = new IndexedDbStorage({ room: ROOM, replicaId: REPLICA });
    const recovered = await reopened.open();
    expect(recovered.entries).toHaveLength(20_000);
    recovered.entries.forEach((entry, offset) => {
      if (entry.index !== offset + 1) throw new Error(`entry ${offset + 1} recovered as ${entry.index}`);
    });
    expect([...(recovered.entries[12_345]?.data ?? [])]).toEqual([...(makeEntries(12_346, 1, 3)[0]?.data ?? [])]);
    expect(reopened.chunkSpans().length).toBe(Math.ceil(20_000 / 64));
    await reopened.close();
  });
});

describe('log store durability', () => {
  beforeEach(freshIndexedDb);

  async function readwriteDurability(durability: LogDurability): Promise<string> {
    const store = openLogStore(replicaDatabaseName(ROOM, REPLICA), durability);
    return store('readwrite', (objectStore) => objectStore.transaction.durability);
  }

  it('strict and relaxed are passed to every readwrite transaction; default leaves the browser its choice', async () => {
    expect(await readwriteDurability('strict')).toBe('strict');
    expect(await readwriteDurability('relaxed')).toBe('relaxed');
    expect(await readwriteDurability('default')).toBe('default');
  });

  it('a log written through one durability mode reads back through another (one database layout)', async () => {
    await write([{ entries: makeEntries(1, 3, 1) }], { layout: SMALL_LAYOUT, durability: 'default' });
    expect((await recover({ durability: 'strict' })).entries).toHaveLength(3);
    await write([{ entries: makeEntries(4, 2, 1) }], { durability: 'relaxed' });
    expect((await recover({ durability: 'default' })).entries).toHaveLength(5);
  });
});

describe('IndexedDbStorage ownership', () => {
  beforeEach(freshIndexedDb);

  it('changing recovered entries cannot change what the next write stores', async () => {
    await write([{ entries: makeEntries(1, 2, 1) }]);
    const storage = storageWith();
    const recovered = await storage.open();
    for (const entry of recovered.entries) entry.data.fill(0);
    const tracker = trackDurable(storage);
    await tracker.until(storage.submit({ entries: makeEntries(3, 1, 1) }));
    await storage.close();
    const entries = (await recover()).entries;
    expect(entries.map((entry) => [...entry.data])).toEqual(makeEntries(1, 3, 1).map((entry) => [...entry.data]));
  });
});
