import type { MeshKeeperClient } from '../client/client.js';
import { isTerminalState } from '../client/client-state.js';
import { KeeperError, isKeeperError } from '../errors/keeper-error.js';
import { abortable, throwIfAborted } from './abort.js';

/** How many connection losses one recipe step survives before it gives up (each waits for a reconnect). */
export const MAX_CONNECTION_RETRIES = 64;

/** True for the errors after which the outcome is unknown and the session may still be alive. */
export function isConnectionLoss(error: unknown): boolean {
  return isKeeperError(error, 'CONNECTIONLOSS') || isKeeperError(error, 'REQUESTTIMEOUT');
}

/** True for the errors that mean the session is over (its ephemerals are gone or going). */
export function isSessionEnd(error: unknown): boolean {
  return isKeeperError(error, 'SESSIONEXPIRED') || isKeeperError(error, 'AUTHFAILED');
}

/**
 * Resolves once the client is CONNECTED; rejects with SESSIONEXPIRED (or AUTHFAILED) when the
 * session ends first, or the signal's reason.
 */
export async function waitConnected(client: MeshKeeperClient, signal?: AbortSignal): Promise<void> {
  await client.waitForState('CONNECTED', signal === undefined ? {} : { signal });
}

/**
 * Runs an idempotent step, running it again after a reconnect when the connection was lost under it
 * (CONNECTIONLOSS), as Curator's RetryLoop. Rejects with the step's other errors, SESSIONEXPIRED
 * when the session ends, or the signal's reason (the step in flight is then left to finish alone).
 */
export async function retrying<T>(client: MeshKeeperClient, step: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  let lastError: unknown;
  for (let attempt = 0; attempt <= MAX_CONNECTION_RETRIES; attempt++) {
    throwIfAborted(signal);
    try {
      return await abortable(step(), signal);
    } catch (error) {
      if (!isConnectionLoss(error)) throw error;
      lastError = error;
      await waitConnected(client, signal);
    }
  }
  throw lastError ?? new KeeperError('CONNECTIONLOSS', 'gave up after repeated connection losses');
}

/**
 * Deletes a node the recipe owns, whatever the connection does: waits for reconnects (no signal: a
 * cleanup is not cancelled), succeeds when the node is already gone or the session ended (its
 * ephemerals go with it). Rejects only with other errors (NOAUTH, NOTEMPTY, ...).
 */
export async function deleteOwnNode(client: MeshKeeperClient, path: string, version = -1): Promise<void> {
  if (isTerminalState(client.state)) return;
  try {
    await retrying(client, () => client.delete(path, version));
  } catch (error) {
    if (isKeeperError(error, 'NONODE') || isSessionEnd(error)) return;
    throw error;
  }
}
