import { describe, expect, it } from 'vitest';
import { createPrng } from '../../src/util/prng.js';

describe('seeded PRNG', () => {
  it('the same seed replays the same sequence; different seeds differ', () => {
    const take = (seed: number) => {
      const prng = createPrng(seed);
      return Array.from({ length: 20 }, () => prng.nextUint32());
    };
    expect(take(42)).toEqual(take(42));
    expect(take(42)).not.toEqual(take(43));
  });

  it('nextInt stays in range and covers it', () => {
    const prng = createPrng(7);
    const seen = new Set<number>();
    for (let i = 0; i < 10_000; i++) {
      const value = prng.nextInt(10);
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(10);
      seen.add(value);
    }
    expect(seen.size).toBe(10);
    expect(() => prng.nextInt(0)).toThrow();
  });

  it('is roughly uniform (chi-square over 16 buckets)', () => {
    const prng = createPrng(1234);
    const buckets = new Array<number>(16).fill(0);
    const n = 160_000;
    for (let i = 0; i < n; i++) buckets[prng.nextInt(16)]! += 1;
    const expected = n / 16;
    const chi = buckets.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
    expect(chi).toBeLessThan(50); // 15 degrees of freedom: p < 1e-5 beyond ~45
  });

  it('fork gives an independent, deterministic stream', () => {
    const a = createPrng(5).fork();
    const b = createPrng(5).fork();
    expect(a.nextUint32()).toBe(b.nextUint32());
  });
});
