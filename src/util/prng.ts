/**
 * A seeded pseudo-random generator (xoshiro128**, seeded through splitmix32). The pure core takes
 * one of these instead of Math.random, so a seed replays a run exactly. Not cryptographic.
 */
export interface Prng {
  /** A uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number;
  /** A float in [0, 1). */
  nextFloat(): number;
  /** An integer in [0, maxExclusive); maxExclusive must be a positive integer <= 2^32. */
  nextInt(maxExclusive: number): number;
  /** An integer in [min, max], both inclusive. */
  nextIntBetween(min: number, max: number): number;
  /** True with the given probability in [0, 1]. */
  chance(probability: number): boolean;
  /** An independent generator derived from this one's next output (for a sub-component). */
  fork(): Prng;
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;

export function createPrng(seed: number): Prng {
  if (!Number.isInteger(seed)) throw new Error(`meshkeeper assertion failed: PRNG seed must be an integer, got ${seed}`);
  const init = splitmix32(seed ^ Math.floor(seed / 2 ** 32));
  let s0 = init();
  let s1 = init();
  let s2 = init();
  let s3 = init();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;

  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    s0 >>>= 0;
    s1 >>>= 0;
    s2 >>>= 0;
    return result;
  };
  const nextFloat = () => nextUint32() / 2 ** 32;
  const nextInt = (maxExclusive: number): number => {
    if (!(Number.isInteger(maxExclusive) && maxExclusive > 0 && maxExclusive <= 2 ** 32)) {
      throw new Error(`meshkeeper assertion failed: nextInt bound must be a positive integer <= 2^32, got ${maxExclusive}`);
    }
    return Math.floor(nextFloat() * maxExclusive);
  };
  return {
    nextUint32,
    nextFloat,
    nextInt,
    nextIntBetween: (min, max) => min + nextInt(max - min + 1),
    chance: (probability) => nextFloat() < probability,
    fork: () => createPrng(nextUint32()),
  };
}
