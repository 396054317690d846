import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Entry } from '../../src/consensus/types.js';
import type { RecoveredState } from '../../src/storage/durable-storage.js';
import { IndexedDbStorage } from '../../src/storage/indexeddb-storage.js';
import { createPrng } from '../../src/util/prng.js';
import { ReferenceLog } from './reference-log.js';
import { trackDurable } from './storage-conformance.js';

const summary = (state: RecoveredState) => ({
  hardState: state.hardState,
  snapshot: state.snapshot === null ? null : { metadata: state.snapshot.metadata, data: [...state.snapshot.data] },
  confState: state.confState,
  entries: state.entries.map((entry: Entry) => [entry.index, entry.term, entry.type, [...entry.data]]),
});

describe('chunk layout', () => {
  beforeEach(() => {
    globalThis.indexedDB = new IDBFactory();
    globalThis.IDBKeyRange = IDBKeyRange;
  });

  it('any chunk and part sizes, any mix of waiting and bursts: reopening gives exactly the reference log', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          seed: fc.integer(),
          chunkMaxEntries: fc.integer({ min: 1, max: 6 }),
          chunkMaxBytes: fc.integer({ min: 1, max: 400 }),
          snapshotPartBytes: fc.integer({ min: 1, max: 64 }),
        }),
        async ({ seed, chunkMaxEntries, chunkMaxBytes, snapshotPartBytes }) => {
          const replicaId = `replica-${++run}`;
          const layout = { chunkMaxEntries, chunkMaxBytes, snapshotPartBytes };
          const prng = createPrng(seed);
          const reference = new ReferenceLog();
          for (let life = 0; life < 4; life++) {
            const storage = new IndexedDbStorage({ room: 'room', replicaId, layout });
            expect(summary(await storage.open())).toEqual(summary(reference.expected()));
            const tracker = trackDurable(storage);
            let ticket = 0;
            const writes = prng.nextIntBetween(1, 20);
            for (let write = 0; write < writes; write++) {
              const batch = reference.randomBatch(prng, ['a', 'b']);
              ticket = storage.submit(batch);
              reference.apply(batch);
              if (prng.chance(0.3)) await tracker.until(ticket);
            }
            await storage.close();
            expect(tracker.tickets).toEqual(Array.from({ length: ticket }, (_, offset) => offset + 1));
            expect(storage.chunkSpans().every((span, position, spans) => position === 0 || span.key > (spans[position - 1]?.last ?? 0))).toBe(true);
          }
        },
      ),
      { numRuns: 30 },
    );
  });
});
