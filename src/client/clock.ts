/**
 * Time and chance for the client's glue (pings, timeouts, reconnect delays), injectable so tests
 * and simulators can drive them. The default reads the platform's timers at call time, so fake
 * timers installed later still apply.
 */
export interface Clock {
  /** Milliseconds, monotonic enough for measuring idle time. */
  now(): number;
  /** Calls `callback` once after `delayMs`; returns a handle for clearTimeout. */
  setTimeout(callback: () => void, delayMs: number): unknown;
  /** Cancels a timer setTimeout returned (a fired or unknown handle is ignored). */
  clearTimeout(handle: unknown): void;
  /** A number in [0, 1): the jitter of reconnect delays. */
  random(): number;
}

/** The platform's clock: Date.now, setTimeout, clearTimeout, Math.random. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => globalThis.setTimeout(callback, delayMs),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
  random: () => Math.random(),
};
