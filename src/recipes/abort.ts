import { KeeperError } from '../errors/keeper-error.js';

/** How long a recipe call may wait: every call that waits takes these. */
export interface RecipeWaitOptions {
  /** Stops waiting when aborted: the call rejects with the signal's reason and undoes what it started. */
  readonly signal?: AbortSignal;
  /** Stops waiting after this many milliseconds: the call rejects with OPERATIONTIMEOUT. */
  readonly timeoutMs?: number;
}

/** The longest timeout a recipe takes (setTimeout's limit). */
export const MAX_WAIT_MS = 0x7fffffff;

/**
 * One AbortSignal for a call: the caller's signal and its timeout together. `dispose()` clears the
 * timer and the listener; call it when the call settles.
 */
export interface WaitScope {
  readonly signal: AbortSignal;
  dispose(): void;
}

/**
 * The scope of a call given its options (BADARGUMENTS for a bad timeout or signal): aborts when the
 * caller's signal or one of `linked` (e.g. the recipe's own close signal) aborts, or when the timeout
 * passes (reason: OPERATIONTIMEOUT naming `what`).
 */
export function waitScope(options: RecipeWaitOptions | undefined, what: string, ...linked: readonly (AbortSignal | undefined)[]): WaitScope {
  const { signal, timeoutMs } = options ?? {};
  if (timeoutMs !== undefined && (!Number.isInteger(timeoutMs) || timeoutMs < 0 || timeoutMs > MAX_WAIT_MS)) {
    throw new KeeperError('BADARGUMENTS', `timeoutMs must be an integer in 0..${MAX_WAIT_MS}, not ${String(timeoutMs)}`);
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new KeeperError('BADARGUMENTS', 'signal must be an AbortSignal');
  const controller = new AbortController();
  const sources = [signal, ...linked].filter((source): source is AbortSignal => source !== undefined);
  const listeners: (() => void)[] = [];
  for (const source of sources) {
    if (source.aborted) {
      controller.abort(source.reason);
      break;
    }
    const onAbort = (): void => controller.abort(source.reason);
    source.addEventListener('abort', onAbort, { once: true });
    listeners.push(() => source.removeEventListener('abort', onAbort));
  }
  const timer =
    timeoutMs === undefined || controller.signal.aborted
      ? undefined
      : setTimeout(() => controller.abort(new KeeperError('OPERATIONTIMEOUT', `${what}: not done within ${timeoutMs} ms`)), timeoutMs);
  return {
    signal: controller.signal,
    dispose: () => {
      if (timer !== undefined) clearTimeout(timer);
      for (const remove of listeners) remove();
    },
  };
}

/** Runs `body` with the scope of `options`, disposing it however `body` ends. */
export async function withWaitScope<T>(
  options: RecipeWaitOptions | undefined,
  what: string,
  body: (signal: AbortSignal) => Promise<T>,
  ...linked: readonly (AbortSignal | undefined)[]
): Promise<T> {
  const scope = waitScope(options, what, ...linked);
  try {
    return await body(scope.signal);
  } finally {
    scope.dispose();
  }
}

/** Throws the signal's reason when it has been aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw signal.reason;
}

/**
 * `promise`, or its rejection with the signal's reason as soon as the signal aborts (the work behind
 * `promise` goes on; the caller undoes it if need be).
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Resolves after `delayMs`, or rejects with the signal's reason when it aborts first. */
export function sleep(delayMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted === true) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, delayMs);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
