import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SET_WATCHES_MAX_BYTES, setWatchesBatches } from '../../src/client/set-watches-batches.js';

const none = { dataWatches: [], existWatches: [], childWatches: [], persistentWatches: [], persistentRecursiveWatches: [] };

describe('setWatches batches', () => {
  it('no watches, no request', () => {
    expect(setWatchesBatches(5n, none)).toEqual([]);
  });

  it('one request carries every list and the relative zxid', () => {
    const lists = { dataWatches: ['/d'], existWatches: ['/e'], childWatches: ['/c'], persistentWatches: ['/p'], persistentRecursiveWatches: ['/r'] };
    expect(setWatchesBatches(5n, lists)).toEqual([{ type: 'setWatches', relativeZxid: 5n, ...lists }]);
  });

  it('paths beyond 128 KiB go to further requests, in order, none lost', () => {
    const long = (i: number): string => `/${String(i).padStart(4, '0')}${'x'.repeat(995)}`;
    const dataWatches = Array.from({ length: 200 }, (_, i) => long(i));
    const childWatches = Array.from({ length: 100 }, (_, i) => long(1000 + i));
    const batches = setWatchesBatches(9n, { ...none, dataWatches, childWatches });
    expect(batches.length).toBe(3);
    for (const batch of batches) {
      const bytes = [...batch.dataWatches, ...batch.childWatches].reduce((sum, p) => sum + p.length, 0);
      expect(bytes).toBeLessThanOrEqual(SET_WATCHES_MAX_BYTES);
      expect(batch.relativeZxid).toBe(9n);
    }
    expect(batches.flatMap((b) => b.dataWatches)).toEqual(dataWatches);
    expect(batches.flatMap((b) => b.childWatches)).toEqual(childWatches);
  });

  it('batches keep every path, in order, each within the byte limit', () => {
    const paths = fc.array(fc.string({ minLength: 1, maxLength: 40 }).map((s) => `/${s}`), { maxLength: 60 });
    fc.assert(
      fc.property(paths, paths, paths, paths, paths, fc.integer({ min: 50, max: 400 }), (d, e, c, p, r, maxBytes) => {
        const lists = { dataWatches: d, existWatches: e, childWatches: c, persistentWatches: p, persistentRecursiveWatches: r };
        const batches = setWatchesBatches(1n, lists, maxBytes);
        for (const name of Object.keys(lists) as (keyof typeof lists)[]) {
          expect(batches.flatMap((b) => b[name])).toEqual(lists[name]);
        }
        for (const batch of batches) {
          const all = [...batch.dataWatches, ...batch.existWatches, ...batch.childWatches, ...batch.persistentWatches, ...batch.persistentRecursiveWatches];
          expect(all.length).toBeGreaterThan(0);
          const size = all.reduce((sum, path) => sum + new TextEncoder().encode(path).length, 0);
          expect(size <= maxBytes || all.length === 1).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});
