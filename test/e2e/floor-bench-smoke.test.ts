import { describe, expect, it } from 'vitest';
import { runFloorBench } from '../bench/browser/floor-bench.js';

// The floor bench (`npm run bench -- floor`) end to end with a few samples: its page, worker and
// SharedWorker broker still work and every measure comes out. Nothing here looks at how fast.

describe('the floor bench', () => {
  it('measures every hop and write, each a positive number of milliseconds', { timeout: 120_000 }, async () => {
    const records = await runFloorBench({ roundTrips: 20, writes: 10 });
    const names = records.map((record) => record.name);
    for (const part of ['page <-> its worker', 'BroadcastChannel', 'MessagePort', '1 txn, strict, alone', '128 txns, relaxed, alone', '3 tabs of one profile', 'floor of a write via a follower']) {
      expect(names.some((name) => name.includes(part)), part).toBe(true);
    }
    // Times are positive; the CPU per write may round to 0 over a few writes (/proc counts 10 ms ticks).
    const bad = records.filter((record) => !(Number.isFinite(record.value) && (record.value > 0 || (record.name.includes('CPU') && record.value === 0)) && record.unit === 'ms'));
    expect(bad).toEqual([]);
  });
});
