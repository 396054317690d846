import { describe, expect, it } from 'vitest';
import { createPrng } from '../../src/util/prng.js';
import { drawClockSkew, ReplicaClock } from './replica-clock.js';
import { SimTime } from './sim-time.js';

describe('simulated time', () => {
  it('starts at 0 and only the loop moves it, forward', () => {
    const time = new SimTime();
    expect(time.now).toBe(0);
    time.advance();
    time.advance(4);
    expect(time.now).toBe(5);
    expect(() => time.advance(-1)).toThrow(/non-negative/);
  });

  it('has a limit', () => {
    const time = new SimTime(3);
    time.advance(3);
    expect(() => time.advance()).toThrow(/limit of 3 ticks/);
  });
});

describe('replica clocks', () => {
  it('local time is floor(global * rate + offset)', () => {
    const time = new SimTime();
    const clock = new ReplicaClock(time, { driftPpm: 250_000, offsetTicks: 7 });
    expect(clock.now()).toBe(7);
    time.advance(10);
    expect(clock.now()).toBe(Math.floor(10 * 1.25 + 7));
  });

  it('a slow clock and a fast clock disagree more as time passes', () => {
    const time = new SimTime();
    const slow = new ReplicaClock(time, { driftPpm: -100_000, offsetTicks: 0 });
    const fast = new ReplicaClock(time, { driftPpm: 100_000, offsetTicks: 0 });
    time.advance(100);
    const early = fast.now() - slow.now();
    time.advance(900);
    expect(fast.now() - slow.now()).toBeGreaterThan(early);
    expect(fast.now() - slow.now()).toBe(200);
  });

  it('elapsed ticks add up to the local time passed, and never go negative', () => {
    const time = new SimTime();
    const clock = new ReplicaClock(time, { driftPpm: 333_333, offsetTicks: 5 });
    let total = 0;
    for (let i = 0; i < 300; i++) {
      time.advance();
      const elapsed = clock.takeElapsedTicks();
      expect(elapsed).toBeGreaterThanOrEqual(0);
      total += elapsed;
    }
    expect(total).toBe(clock.now() - 5);
  });

  it('jumps only forward', () => {
    const time = new SimTime();
    const clock = new ReplicaClock(time, { driftPpm: 0, offsetTicks: 0 });
    clock.jump(50);
    expect(clock.now()).toBe(50);
    expect(clock.takeElapsedTicks()).toBe(50);
    expect(() => clock.jump(-1)).toThrow(/only jumps forward/);
  });

  it('skew is drawn from the seed within its bounds', () => {
    const draw = (seed: number) => drawClockSkew(createPrng(seed), 5_000, 100);
    expect(draw(9)).toEqual(draw(9));
    for (let seed = 0; seed < 200; seed++) {
      const skew = draw(seed);
      expect(Math.abs(skew.driftPpm)).toBeLessThanOrEqual(5_000);
      expect(skew.offsetTicks).toBeGreaterThanOrEqual(0);
      expect(skew.offsetTicks).toBeLessThanOrEqual(100);
    }
  });

  it('rejects a drift that could stop or reverse a clock', () => {
    expect(() => new ReplicaClock(new SimTime(), { driftPpm: -1_000_000, offsetTicks: 0 })).toThrow(/drift/);
  });
});
