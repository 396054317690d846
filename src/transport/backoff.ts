import { assert } from '../errors/keeper-error.js';
import type { Prng } from '../util/prng.js';

/**
 * Reconnection delays: exponential growth from `initialDelayMs` by `multiplier` up to `maxDelayMs`,
 * then a random share (`jitter`, 0..1) taken off so replicas that lost a peer together do not
 * retry together. Pure: the PRNG is passed in, nothing waits here.
 */
export interface BackoffPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly multiplier: number;
  /** 0: no jitter; 1: full jitter (uniform in [0, ceiling)). */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF_POLICY: BackoffPolicy = {
  initialDelayMs: 250,
  maxDelayMs: 30_000,
  multiplier: 2,
  jitter: 0.5,
};

export function validateBackoffPolicy(policy: BackoffPolicy): void {
  assert(Number.isFinite(policy.initialDelayMs) && policy.initialDelayMs >= 0, `initialDelayMs must be >= 0, got ${policy.initialDelayMs}`);
  assert(Number.isFinite(policy.maxDelayMs) && policy.maxDelayMs >= policy.initialDelayMs, `maxDelayMs must be >= initialDelayMs, got ${policy.maxDelayMs}`);
  assert(Number.isFinite(policy.multiplier) && policy.multiplier >= 1, `multiplier must be >= 1, got ${policy.multiplier}`);
  assert(policy.jitter >= 0 && policy.jitter <= 1, `jitter must be within [0, 1], got ${policy.jitter}`);
}

/** The ceiling before jitter for the given attempt (0 for the first retry). */
export function backoffCeilingMs(policy: BackoffPolicy, attempt: number): number {
  assert(Number.isInteger(attempt) && attempt >= 0, `attempt must be a non-negative integer, got ${attempt}`);
  const grown = policy.initialDelayMs * Math.pow(policy.multiplier, attempt);
  return Math.min(policy.maxDelayMs, Number.isFinite(grown) ? grown : policy.maxDelayMs);
}

/** The delay before retry number `attempt`, in whole milliseconds within [ceiling·(1−jitter), ceiling]. */
export function backoffDelayMs(policy: BackoffPolicy, attempt: number, prng: Prng): number {
  const ceiling = backoffCeilingMs(policy, attempt);
  return Math.round(ceiling - ceiling * policy.jitter * prng.nextFloat());
}

/** A retry counter over a policy: `nextDelayMs` after each failure, `reset` after a success. */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly prng: Prng,
    readonly policy: BackoffPolicy = DEFAULT_BACKOFF_POLICY,
  ) {
    validateBackoffPolicy(policy);
  }

  /** Failures since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  nextDelayMs(): number {
    const delay = backoffDelayMs(this.policy, this.attempt, this.prng);
    // The ceiling stops growing at maxDelayMs; so does the counter, well before it could overflow.
    if (backoffCeilingMs(this.policy, this.attempt) < this.policy.maxDelayMs) this.attempt += 1;
    return delay;
  }

  reset(): void {
    this.attempt = 0;
  }
}
