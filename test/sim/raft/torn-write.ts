import type { WriteBatch } from '../../../src/storage/durable-storage.js';
import { assert } from '../../../src/errors/keeper-error.js';
import type { Prng } from '../../../src/util/prng.js';

/**
 * Which torn writes a crash may leave (MemoryStorage.crash keeps a prefix of the first pending
 * write: its snapshot, then its entries, one step each; the hard state only with the whole write).
 * - 'any': every prefix;
 * - 'term-safe': no prefix that keeps a snapshot or entry of a term newer than the durable hard
 *   state's term without the hard state that raised it: a former WORKAROUND for a core bug, fixed
 *   (the Raft constructor asserted that the recovered term was at least the log's last term; it now
 *   adopts the log's term, since the lost hard state carried no promise);
 * - 'none': a crash loses the pending writes whole.
 */
export type TornWrites = 'any' | 'term-safe' | 'none';

/**
 * The PRNG to hand MemoryStorage.crash for `batch`, the first pending write. With 'term-safe' it
 * draws only among the allowed prefix lengths (and "all of it").
 */
export function tornPrng(prng: Prng, mode: Exclude<TornWrites, 'none'>, batch: WriteBatch, durableTerm: number): Prng {
  if (mode === 'any') return prng;
  const snapshotSteps = batch.snapshot === undefined ? 0 : 1;
  const steps = snapshotSteps + batch.entries.length;
  let firstUnsafe = steps;
  if (batch.snapshot !== undefined && batch.snapshot.metadata.term > durableTerm) firstUnsafe = 0;
  else {
    const newer = batch.entries.findIndex((entry) => entry.term > durableTerm);
    if (newer !== -1) firstUnsafe = snapshotSteps + newer;
  }
  if (firstUnsafe === steps) return prng;
  return {
    ...prng,
    nextInt(maxExclusive: number): number {
      // MemoryStorage draws nextInt(steps + 2): 0..steps steps survive, steps + 1 = the whole write.
      assert(maxExclusive === steps + 2, `torn draw over ${maxExclusive} choices, expected ${steps + 2}`);
      const choice = prng.nextInt(firstUnsafe + 2);
      return choice === firstUnsafe + 1 ? steps + 1 : choice;
    },
  };
}
