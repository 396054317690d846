import { assert } from '../../src/errors/keeper-error.js';

/** Something that knows the current global tick. */
export interface TickSource {
  readonly now: number;
}

/**
 * The simulation's one global clock: a tick counter that only the simulation loop advances.
 * Nothing in a simulation reads Date or timers; every replica's clock derives from this.
 */
export class SimTime implements TickSource {
  private ticks = 0;

  constructor(private readonly maxTicks: number = Number.MAX_SAFE_INTEGER) {
    assert(Number.isInteger(maxTicks) && maxTicks > 0, `maxTicks must be a positive integer, got ${maxTicks}`);
  }

  get now(): number {
    return this.ticks;
  }

  /** Moves time forward; returns the new tick. */
  advance(ticks = 1): number {
    assert(Number.isInteger(ticks) && ticks >= 0, `time advances by a non-negative integer, got ${ticks}`);
    assert(this.ticks + ticks <= this.maxTicks, `simulated time would pass its limit of ${this.maxTicks} ticks`);
    this.ticks += ticks;
    return this.ticks;
  }
}
