import { assert } from '../../src/errors/keeper-error.js';
import type { Prng } from '../../src/util/prng.js';

/** How long a message (or a storage write) takes, in ticks. Every drawn delay is at least 1 tick. */
export type DelayProfile =
  | { readonly kind: 'fixed'; readonly ticks: number }
  | { readonly kind: 'uniform'; readonly minTicks: number; readonly maxTicks: number }
  /** min + an exponential with the given mean, cut at max. */
  | { readonly kind: 'exponential'; readonly minTicks: number; readonly meanTicks: number; readonly maxTicks: number }
  /** Usually `base`, but with `tailChance` a long delay uniform in [tailMinTicks, tailMaxTicks]. */
  | { readonly kind: 'long-tail'; readonly base: DelayProfile; readonly tailChance: number; readonly tailMinTicks: number; readonly tailMaxTicks: number };

/** No delay may exceed this (a message stuck longer is as good as lost; it keeps queues bounded). */
export const MAX_DELAY_TICKS = 100_000;

export function validateDelayProfile(profile: DelayProfile): void {
  const ticks = (value: number, name: string) =>
    assert(Number.isInteger(value) && value >= 1 && value <= MAX_DELAY_TICKS, `${name} must be an integer in 1..${MAX_DELAY_TICKS}, got ${value}`);
  switch (profile.kind) {
    case 'fixed':
      ticks(profile.ticks, 'ticks');
      return;
    case 'uniform':
      ticks(profile.minTicks, 'minTicks');
      ticks(profile.maxTicks, 'maxTicks');
      assert(profile.minTicks <= profile.maxTicks, `minTicks ${profile.minTicks} exceeds maxTicks ${profile.maxTicks}`);
      return;
    case 'exponential':
      ticks(profile.minTicks, 'minTicks');
      ticks(profile.maxTicks, 'maxTicks');
      assert(profile.meanTicks > 0 && profile.minTicks <= profile.maxTicks, 'exponential delay needs a positive mean and min <= max');
      return;
    case 'long-tail':
      validateDelayProfile(profile.base);
      ticks(profile.tailMinTicks, 'tailMinTicks');
      ticks(profile.tailMaxTicks, 'tailMaxTicks');
      assert(profile.tailMinTicks <= profile.tailMaxTicks, 'tailMinTicks exceeds tailMaxTicks');
      assert(profile.tailChance >= 0 && profile.tailChance <= 1, `tailChance must be in [0, 1], got ${profile.tailChance}`);
      return;
  }
}

export function drawDelay(prng: Prng, profile: DelayProfile): number {
  switch (profile.kind) {
    case 'fixed':
      return profile.ticks;
    case 'uniform':
      return prng.nextIntBetween(profile.minTicks, profile.maxTicks);
    case 'exponential': {
      const exponential = -profile.meanTicks * Math.log(1 - prng.nextFloat());
      return Math.min(profile.maxTicks, profile.minTicks + Math.floor(exponential));
    }
    case 'long-tail':
      return prng.chance(profile.tailChance) ? prng.nextIntBetween(profile.tailMinTicks, profile.tailMaxTicks) : drawDelay(prng, profile.base);
  }
}

/** The largest delay the profile can draw. */
export function maxDelayOf(profile: DelayProfile): number {
  switch (profile.kind) {
    case 'fixed':
      return profile.ticks;
    case 'uniform':
    case 'exponential':
      return profile.maxTicks;
    case 'long-tail':
      return Math.max(maxDelayOf(profile.base), profile.tailMaxTicks);
  }
}

export function describeDelayProfile(profile: DelayProfile): string {
  switch (profile.kind) {
    case 'fixed':
      return `${profile.ticks} tick(s)`;
    case 'uniform':
      return `uniform ${profile.minTicks}..${profile.maxTicks} ticks`;
    case 'exponential':
      return `${profile.minTicks} + exponential(mean ${profile.meanTicks}) ticks, at most ${profile.maxTicks}`;
    case 'long-tail':
      return `${describeDelayProfile(profile.base)}, but ${formatPercent(profile.tailChance)} take ${profile.tailMinTicks}..${profile.tailMaxTicks} ticks`;
  }
}

export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(fraction !== 0 && fraction < 0.01 ? 2 : 1)} %`;
}
