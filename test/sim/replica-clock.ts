import { assert } from '../../src/errors/keeper-error.js';
import type { Prng } from '../../src/util/prng.js';
import type { TickSource } from './sim-time.js';

/** How far a replica's clock runs from the global one: local = floor(global * rate + offset). */
export interface ClockSkew {
  /** Parts per million faster (positive) or slower (negative) than global time. */
  readonly driftPpm: number;
  readonly offsetTicks: number;
}

/** Drift is bounded so that every clock still moves forward: at most ±90 %. */
export const MAX_DRIFT_PPM = 900_000;

export function validateClockSkew(skew: ClockSkew): void {
  assert(Number.isFinite(skew.driftPpm) && Math.abs(skew.driftPpm) <= MAX_DRIFT_PPM, `drift must be within ±${MAX_DRIFT_PPM} ppm, got ${skew.driftPpm}`);
  assert(Number.isInteger(skew.offsetTicks) && skew.offsetTicks >= 0, `clock offset must be a non-negative integer, got ${skew.offsetTicks}`);
}

/** Draws a skew with drift in [-maxDriftPpm, maxDriftPpm] and offset in [0, maxOffsetTicks]. */
export function drawClockSkew(prng: Prng, maxDriftPpm: number, maxOffsetTicks: number): ClockSkew {
  const skew = { driftPpm: prng.nextIntBetween(-maxDriftPpm, maxDriftPpm), offsetTicks: prng.nextIntBetween(0, maxOffsetTicks) };
  validateClockSkew(skew);
  return skew;
}

/**
 * One replica's view of time (a tab's `performance.now()`, in ticks): monotonic, but running at
 * its own rate from its own origin. Jumps only forward, like a monotonic clock after a sleep.
 */
export class ReplicaClock {
  private jumpedTicks = 0;
  private lastTakenLocal: number;

  constructor(
    private readonly time: TickSource,
    readonly skew: ClockSkew,
  ) {
    validateClockSkew(skew);
    this.lastTakenLocal = this.now();
  }

  get rate(): number {
    return 1 + this.skew.driftPpm / 1_000_000;
  }

  /** The local time in ticks. */
  now(): number {
    return Math.floor(this.time.now * this.rate + this.skew.offsetTicks) + this.jumpedTicks;
  }

  /** A forward jump of the local clock (the host slept, or the clock was stepped). */
  jump(ticks: number): void {
    assert(Number.isInteger(ticks) && ticks >= 0, `a monotonic clock only jumps forward, got ${ticks}`);
    this.jumpedTicks += ticks;
  }

  /** Local ticks elapsed since the last call (or since creation): how many times to call tick(). */
  takeElapsedTicks(): number {
    const now = this.now();
    const elapsed = now - this.lastTakenLocal;
    assert(elapsed >= 0, `replica clock went backwards from ${this.lastTakenLocal} to ${now}`);
    this.lastTakenLocal = now;
    return elapsed;
  }
}
