import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { backoffDelayMs } from '../../src/transport/reconnect-backoff.js';

const options = { initialDelayMs: 100, maxDelayMs: 10_000 };

describe('reconnect backoff', () => {
  it('doubles per failed attempt, within half to all of the ceiling', () => {
    expect(backoffDelayMs(0, options, () => 0)).toBe(50);
    expect(backoffDelayMs(0, options, () => 0.999999)).toBeCloseTo(100);
    expect(backoffDelayMs(3, options, () => 0)).toBe(400);
  });

  it('never exceeds the maximum, however many attempts failed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempts, random) => {
        const delay = backoffDelayMs(attempts, options, () => random);
        expect(delay).toBeGreaterThanOrEqual(options.initialDelayMs / 2);
        expect(delay).toBeLessThanOrEqual(options.maxDelayMs);
      }),
    );
  });
});
