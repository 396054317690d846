import { describe, expect, it } from 'vitest';
import { Backoff, backoffCeilingMs, backoffDelayMs, DEFAULT_BACKOFF_POLICY, type BackoffPolicy } from '../../src/transport/backoff.js';
import { createPrng } from '../../src/util/prng.js';

const policy: BackoffPolicy = { initialDelayMs: 100, maxDelayMs: 5000, multiplier: 2, jitter: 0.5 };

describe('backoff', () => {
  it('the ceiling grows by the multiplier up to the maximum', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 100, 10_000].map((attempt) => backoffCeilingMs(policy, attempt))).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
  });

  it('jitter takes at most its share off the ceiling', () => {
    const prng = createPrng(7);
    for (let attempt = 0; attempt < 12; attempt += 1) {
      for (let sample = 0; sample < 50; sample += 1) {
        const delay = backoffDelayMs(policy, attempt, prng);
        const ceiling = backoffCeilingMs(policy, attempt);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(ceiling * 0.5));
        expect(delay).toBeLessThanOrEqual(ceiling);
      }
    }
  });

  it('jitter spreads replicas that retry together', () => {
    const delays = new Set(Array.from({ length: 20 }, (_, seed) => backoffDelayMs(policy, 3, createPrng(seed))));
    expect(delays.size).toBeGreaterThan(10);
  });

  it('no jitter gives exactly the ceiling', () => {
    expect(backoffDelayMs({ ...policy, jitter: 0 }, 2, createPrng(1))).toBe(400);
  });

  it('the same seed gives the same delays', () => {
    const run = (seed: number) => {
      const backoff = new Backoff(createPrng(seed), policy);
      return Array.from({ length: 10 }, () => backoff.nextDelayMs());
    };
    expect(run(42)).toEqual(run(42));
  });

  it('delays grow after each failure and start over after a reset', () => {
    const backoff = new Backoff(createPrng(3), { ...policy, jitter: 0 });
    expect([backoff.nextDelayMs(), backoff.nextDelayMs(), backoff.nextDelayMs()]).toEqual([100, 200, 400]);
    backoff.reset();
    expect(backoff.nextDelayMs()).toBe(100);
  });

  it('the attempt counter stops at the maximum instead of growing without bound', () => {
    const backoff = new Backoff(createPrng(3), DEFAULT_BACKOFF_POLICY);
    for (let failure = 0; failure < 10_000; failure += 1) backoff.nextDelayMs();
    expect(backoff.attempts).toBeLessThan(20);
    expect(backoff.nextDelayMs()).toBeLessThanOrEqual(DEFAULT_BACKOFF_POLICY.maxDelayMs);
  });

  it('a policy out of range is a programmer error', () => {
    expect(() => new Backoff(createPrng(1), { ...policy, jitter: 2 })).toThrow(/jitter/);
    expect(() => new Backoff(createPrng(1), { ...policy, maxDelayMs: 10 })).toThrow(/maxDelayMs/);
    expect(() => new Backoff(createPrng(1), { ...policy, multiplier: 0.5 })).toThrow(/multiplier/);
  });
});
