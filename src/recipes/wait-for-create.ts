import type { MeshKeeperClient } from '../client/client.js';
import { throwIfAborted } from './abort.js';
import { retrying } from './retry.js';
import { OneShotWatch } from './watch-once.js';
import { MAX_WAKEUPS } from './wait-for-delete.js';

/**
 * Resolves once `path` exists: an exists watch, set again after each event that did not create it.
 * Survives reconnects. Rejects with SESSIONEXPIRED when the session ends, or the signal's reason
 * (taking its watch off the client).
 */
export async function waitForCreate(client: MeshKeeperClient, path: string, signal?: AbortSignal): Promise<void> {
  for (let wakeup = 0; wakeup < MAX_WAKEUPS; wakeup++) {
    throwIfAborted(signal);
    const watch = new OneShotWatch(client);
    try {
      const stat = await retrying(client, () => client.exists(path, { watch: watch.watcher }), signal);
      if (stat !== null) return;
      const event = await watch.next(signal);
      if (event.type === 'NodeCreated') return;
    } finally {
      watch.dispose(path, 'Data');
    }
  }
}
