import { KeeperError } from '../errors/keeper-error.js';
import { MAX_PASSWORD_BYTES } from '../wire/limits.js';
import { systemClock, type Clock } from './clock.js';
import type { ConnectFn } from './connection.js';
import type { SessionOptions } from './client-session.js';
import { isWatcher, type Watcher } from './watcher.js';

/** How a MeshKeeperClient connects and how patient it is. */
export interface MeshKeeperClientOptions {
  /**
   * The replicas to talk to: one ConnectFn per endpoint, tried in turn (the first first); after a
   * connection is lost the client moves to the next one.
   */
  readonly endpoints: ConnectFn | readonly ConnectFn[];
  /** The session timeout to ask for (the replica negotiates it); 30,000 ms by default. */
  readonly sessionTimeoutMs?: number;
  /**
   * How long a request may wait for its reply; 0 (the default) waits as long as the connection
   * lives. A request that times out fails with REQUESTTIMEOUT and the client reconnects (the
   * replies behind it would be late too), failing the others in flight with CONNECTIONLOSS.
   */
  readonly requestTimeoutMs?: number;
  /** How long one connection attempt may take; by default the session timeout divided by the endpoints. */
  readonly connectTimeoutMs?: number;
  /**
   * The pause before a new round of attempts once every endpoint failed: between half of it and all
   * of it, at random (ZooKeeper sleeps up to a second). 1,000 ms by default; at least 1 ms.
   */
  readonly reconnectDelayMs?: number;
  /** Requests waiting or in flight at once; more fail with THROTTLEDOP. 10,000 by default. */
  readonly maxPendingRequests?: number;
  /** How long close() waits for the replica to acknowledge the closeSession; 10,000 ms by default. */
  readonly closeTimeoutMs?: number;
  /** The default watcher: receives session events and the events of watches set with `watch: true`. */
  readonly watcher?: Watcher;
  /** Resumes this session instead of creating one (ZooKeeper's sessionId + sessionPasswd constructor). */
  readonly sessionId?: bigint;
  /** The password of `sessionId`. */
  readonly sessionPassword?: Uint8Array;
  /** Timers and randomness; the platform's by default. */
  readonly clock?: Clock;
}

/** The most endpoints one client takes. */
export const MAX_ENDPOINTS = 1024;

/** The session timeout a client asks for unless told otherwise. */
export const DEFAULT_SESSION_TIMEOUT_MS = 30_000;
/** The pause between rounds of failed connection attempts unless told otherwise. */
export const DEFAULT_RECONNECT_DELAY_MS = 1_000;
/** How many requests may wait or be in flight at once unless told otherwise. */
export const DEFAULT_MAX_PENDING_REQUESTS = 10_000;
/** How long close() waits for the closeSession acknowledgement unless told otherwise. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;

const MAX_TIMEOUT_MS = 0x7fffffff;

function checkMs(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > MAX_TIMEOUT_MS) {
    throw new KeeperError('BADARGUMENTS', `${name} must be an integer in ${min}..${MAX_TIMEOUT_MS}, not ${String(value)}`);
  }
  return value;
}

/** Checks the options (BADARGUMENTS naming the bad one) and fills in the defaults. */
export function resolveClientOptions(options: MeshKeeperClientOptions): SessionOptions & { watcher: Watcher | undefined } {
  if (typeof options !== 'object' || options === null) throw new KeeperError('BADARGUMENTS', 'options are required');
  const endpoints = typeof options.endpoints === 'function' ? [options.endpoints] : options.endpoints;
  if (!Array.isArray(endpoints) || endpoints.length === 0) {
    throw new KeeperError('BADARGUMENTS', 'endpoints must be a ConnectFn or a non-empty list of them');
  }
  if (endpoints.length > MAX_ENDPOINTS) {
    throw new KeeperError('BADARGUMENTS', `at most ${MAX_ENDPOINTS} endpoints, not ${endpoints.length}`);
  }
  if (!endpoints.every((endpoint) => typeof endpoint === 'function')) {
    throw new KeeperError('BADARGUMENTS', 'every endpoint must be a function returning a Promise<ClientConnection>');
  }
  if (options.watcher !== undefined && !isWatcher(options.watcher)) {
    throw new KeeperError('BADARGUMENTS', 'watcher must be a function or an object with process(event)');
  }
  const sessionId = options.sessionId ?? 0n;
  const sessionPassword = options.sessionPassword ?? new Uint8Array(0);
  if (typeof sessionId !== 'bigint') throw new KeeperError('BADARGUMENTS', 'sessionId must be a bigint');
  if (!(sessionPassword instanceof Uint8Array) || sessionPassword.length > MAX_PASSWORD_BYTES) {
    throw new KeeperError('BADARGUMENTS', `sessionPassword must be a Uint8Array of at most ${MAX_PASSWORD_BYTES} bytes`);
  }
  const connectTimeoutMs = options.connectTimeoutMs;
  return {
    endpoints: [...endpoints],
    sessionTimeoutMs: checkMs('sessionTimeoutMs', options.sessionTimeoutMs, DEFAULT_SESSION_TIMEOUT_MS, 1),
    requestTimeoutMs: checkMs('requestTimeoutMs', options.requestTimeoutMs, 0, 0),
    connectTimeoutMs: connectTimeoutMs === undefined ? undefined : checkMs('connectTimeoutMs', connectTimeoutMs, 0, 1),
    reconnectDelayMs: checkMs('reconnectDelayMs', options.reconnectDelayMs, DEFAULT_RECONNECT_DELAY_MS, 1),
    maxPendingRequests: checkMs('maxPendingRequests', options.maxPendingRequests, DEFAULT_MAX_PENDING_REQUESTS, 1),
    closeTimeoutMs: checkMs('closeTimeoutMs', options.closeTimeoutMs, DEFAULT_CLOSE_TIMEOUT_MS, 1),
    clock: options.clock ?? systemClock,
    sessionId,
    sessionPassword: sessionPassword.slice(),
    watcher: options.watcher,
  };
}
