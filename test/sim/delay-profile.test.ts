import { describe, expect, it } from 'vitest';
import { createPrng } from '../../src/util/prng.js';
import { describeDelayProfile, drawDelay, maxDelayOf, validateDelayProfile, type DelayProfile } from './delay-profile.js';

const draws = (profile: DelayProfile, count = 5000, seed = 1) => {
  const prng = createPrng(seed);
  return Array.from({ length: count }, () => drawDelay(prng, profile));
};

describe('delay profiles', () => {
  it('fixed always gives its delay', () => {
    expect(new Set(draws({ kind: 'fixed', ticks: 3 }))).toEqual(new Set([3]));
  });

  it('uniform covers its whole range and nothing else', () => {
    expect(new Set(draws({ kind: 'uniform', minTicks: 2, maxTicks: 6 }))).toEqual(new Set([2, 3, 4, 5, 6]));
  });

  it('exponential stays within [min, max] with a mean near min + mean', () => {
    const profile: DelayProfile = { kind: 'exponential', minTicks: 1, meanTicks: 5, maxTicks: 200 };
    const values = draws(profile);
    expect(Math.min(...values)).toBe(1);
    expect(Math.max(...values)).toBeLessThanOrEqual(200);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean).toBeGreaterThan(4.5);
    expect(mean).toBeLessThan(6.5);
  });

  it('a long tail sends roughly its share of messages far out', () => {
    const profile: DelayProfile = { kind: 'long-tail', base: { kind: 'fixed', ticks: 1 }, tailChance: 0.05, tailMinTicks: 100, tailMaxTicks: 500 };
    const values = draws(profile, 10_000);
    const tail = values.filter((v) => v >= 100).length;
    expect(tail).toBeGreaterThan(350);
    expect(tail).toBeLessThan(650);
    expect(values.every((v) => v === 1 || (v >= 100 && v <= 500))).toBe(true);
    expect(maxDelayOf(profile)).toBe(500);
  });

  it('a delay is at least one tick, so nothing arrives in the tick it was sent', () => {
    expect(() => validateDelayProfile({ kind: 'fixed', ticks: 0 })).toThrow(/ticks/);
    expect(() => validateDelayProfile({ kind: 'uniform', minTicks: 5, maxTicks: 4 })).toThrow(/exceeds/);
  });

  it('describes itself readably', () => {
    expect(describeDelayProfile({ kind: 'long-tail', base: { kind: 'uniform', minTicks: 1, maxTicks: 4 }, tailChance: 0.02, tailMinTicks: 50, tailMaxTicks: 90 })).toBe(
      'uniform 1..4 ticks, but 2.0 % take 50..90 ticks',
    );
  });
});
