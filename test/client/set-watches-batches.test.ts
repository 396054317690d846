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
});
