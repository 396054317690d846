import { KeeperError } from '../errors/keeper-error.js';
import { isTerminalState, type ClientStateName } from './client-state.js';
import type { Clock } from './clock.js';

/** How long `waitForState` waits. */
export interface WaitOptions {
  /** Stops waiting when aborted (rejects with the signal's reason). */
  readonly signal?: AbortSignal;
  /** Stops waiting after this long (rejects with OPERATIONTIMEOUT). */
  readonly timeoutMs?: number;
}

/** What waitForState needs of the client. */
export interface StateSource {
  readonly state: ClientStateName;
  /** Subscribes to state changes; returns the unsubscribe function. */
  onState(listener: (state: ClientStateName) => void): () => void;
  /** The clock timeouts run on. */
  readonly clock: Clock;
}

function terminalError(state: ClientStateName, wanted: readonly ClientStateName[]): KeeperError {
  const text = `the client is ${state}; it will never be ${wanted.join(' or ')}`;
  return state === 'AUTH_FAILED' ? new KeeperError('AUTHFAILED', text) : new KeeperError('SESSIONEXPIRED', text);
}

/**
 * Resolves with the state once the client is in one of `wanted` (at once if it already is). Rejects
 * when the client reaches a terminal state that is not wanted (SESSIONEXPIRED, or AUTHFAILED), when
 * `timeoutMs` passes (OPERATIONTIMEOUT) or `signal` aborts (its reason).
 */
export function waitForState(
  source: StateSource,
  wanted: ClientStateName | readonly ClientStateName[],
  options: WaitOptions = {},
): Promise<ClientStateName> {
  const states: readonly ClientStateName[] = typeof wanted === 'string' ? [wanted] : wanted;
  return new Promise<ClientStateName>((resolve, reject) => {
    if (states.includes(source.state)) return resolve(source.state);
    if (isTerminalState(source.state)) return reject(terminalError(source.state, states));
    const { signal, timeoutMs } = options;
    if (signal?.aborted === true) return reject(signal.reason);
    let timer: unknown;
    const cleanup = (): void => {
      off();
      signal?.removeEventListener('abort', onAbort);
      if (timer !== undefined) source.clock.clearTimeout(timer);
    };
    const onAbort = (): void => {
      cleanup();
      reject(signal?.reason);
    };
    const off = source.onState((state) => {
      if (states.includes(state)) {
        cleanup();
        resolve(state);
      } else if (isTerminalState(state)) {
        cleanup();
        reject(terminalError(state, states));
      }
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs !== undefined) {
      timer = source.clock.setTimeout(() => {
        cleanup();
        reject(new KeeperError('OPERATIONTIMEOUT', `not ${states.join(' or ')} within ${timeoutMs} ms (the client is ${source.state})`));
      }, timeoutMs);
    }
  });
}
