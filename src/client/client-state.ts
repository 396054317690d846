import type { KeeperStateName } from '../wire/client-message.js';

/**
 * Where a client's session stands (ZooKeeper's `ZooKeeper.States`, with Curator's SUSPENDED named
 * DISCONNECTED):
 * - CONNECTING: no session yet; trying the endpoints in turn.
 * - CONNECTED: attached to a replica; requests flow.
 * - DISCONNECTED: the connection was lost; the session may still be alive and the client is
 *   reconnecting (Curator's SUSPENDED). Requests made now wait for the next connection.
 * - EXPIRED: the ensemble ended the session (learnt on reconnecting). Terminal.
 * - CLOSED: `close()` was called. Terminal.
 * - AUTH_FAILED: the replica refused an addAuthInfo credential. Terminal.
 */
export const ClientState = {
  CONNECTING: 'CONNECTING',
  CONNECTED: 'CONNECTED',
  DISCONNECTED: 'DISCONNECTED',
  EXPIRED: 'EXPIRED',
  CLOSED: 'CLOSED',
  AUTH_FAILED: 'AUTH_FAILED',
} as const;

/** A client state's name: 'CONNECTING', 'CONNECTED', ... */
export type ClientStateName = keyof typeof ClientState;

/** The states a client never leaves. */
export type TerminalState = 'EXPIRED' | 'CLOSED' | 'AUTH_FAILED';

/** True for EXPIRED, CLOSED and AUTH_FAILED: the client is done and every call fails. */
export function isTerminalState(state: ClientStateName): state is TerminalState {
  return state === 'EXPIRED' || state === 'CLOSED' || state === 'AUTH_FAILED';
}

/**
 * The KeeperState of the session event (type None) watchers receive when the client enters
 * `state`; undefined for CONNECTING, which has no event (ZooKeeper sends none before the first
 * connection).
 */
export function keeperStateOf(state: ClientStateName): KeeperStateName | undefined {
  switch (state) {
    case 'CONNECTED':
      return 'SyncConnected';
    case 'DISCONNECTED':
      return 'Disconnected';
    case 'EXPIRED':
      return 'Expired';
    case 'CLOSED':
      return 'Closed';
    case 'AUTH_FAILED':
      return 'AuthFailed';
    case 'CONNECTING':
      return undefined;
  }
}
