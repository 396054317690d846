import { assert } from '../../../src/errors/keeper-error.js';
import type { WriteBatch } from '../../../src/storage/durable-storage.js';
import type { Prng } from '../../../src/util/prng.js';
import type { TornWrites } from './settings.js';

/**
 * The PRNG MemoryStorage.crash draws the torn prefix of `batch` (the first pending write) from.
 * MemoryStorage asks nextInt(steps + 2): 0..steps steps survive (snapshot first, then entries), or
 * steps + 1 for the whole write. With 'term-safe', prefixes that keep a snapshot or entry of a term
 * above `durableTerm` without the hard state that raised it are never drawn.
 */
export function tornPrng(prng: Prng, mode: Exclude<TornWrites, 'none'>, batch: WriteBatch, durableTerm: number): Prng {
  if (mode === 'any') return prng;
  const snapshotSteps = batch.snapshot === undefined ? 0 : 1;
  const steps = snapshotSteps + batch.entries.length;
  let safeSteps = steps;
  if (batch.snapshot !== undefined && batch.snapshot.metadata.term > durableTerm) {
    safeSteps = 0;
  } else {
    const newer = batch.entries.findIndex((entry) => entry.term > durableTerm);
    if (newer !== -1) safeSteps = snapshotSteps + newer;
  }
  return {
    ...prng,
    nextInt(maxExclusive: number): number {
      assert(maxExclusive === steps + 2, `torn draw over ${maxExclusive} choices, expected ${steps + 2}`);
      // 0..safeSteps steps, or the whole write.
      const choice = prng.nextInt(safeSteps + 2);
      return choice === safeSteps + 1 ? steps + 1 : choice;
    },
  };
}
