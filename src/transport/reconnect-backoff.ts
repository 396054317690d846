/** Reconnect delays: exponential in the failed attempts, capped, with "equal jitter" (half fixed, half random). */

export interface BackoffOptions {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialDelayMs: 250, maxDelayMs: 30_000 };

/** The delay before reconnect attempt `failedAttempts + 1`; `random` returns a number in [0, 1). */
export function backoffDelayMs(failedAttempts: number, options: BackoffOptions, random: () => number): number {
  const ceilingMs = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** Math.min(Math.max(failedAttempts, 0), 30));
  return ceilingMs / 2 + (Math.min(Math.max(random(), 0), 1) * ceilingMs) / 2;
}
