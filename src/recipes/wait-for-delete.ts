import type { MeshKeeperClient } from '../client/client.js';
import { isKeeperError } from '../errors/keeper-error.js';
import { throwIfAborted } from './abort.js';
import { retrying } from './retry.js';
import { OneShotWatch } from './watch-once.js';

/** How many data changes of the watched node one wait follows before it gives up (a limit on a busy node). */
export const MAX_WAKEUPS = 100_000;

/**
 * Resolves once `path` does not exist: a getData watch on it (as Curator's lock waits on its
 * predecessor: no watch is left behind when the node is already gone), set again after each data
 * change. Survives reconnects (the client re-registers the watch). Rejects with SESSIONEXPIRED when
 * the session ends, or the signal's reason (taking its watch off the client).
 */
export async function waitForDelete(client: MeshKeeperClient, path: string, signal?: AbortSignal): Promise<void> {
  for (let wakeup = 0; wakeup < MAX_WAKEUPS; wakeup++) {
    throwIfAborted(signal);
    const watch = new OneShotWatch(client);
    try {
      await retrying(client, () => client.getData(path, { watch: watch.watcher }), signal);
    } catch (error) {
      if (isKeeperError(error, 'NONODE')) {
        watch.forget();
        return;
      }
      watch.dispose(path, 'Data');
      throw error;
    }
    try {
      const event = await watch.next(signal);
      if (event.type === 'NodeDeleted') return;
    } finally {
      watch.dispose(path, 'Data');
    }
  }
}
