import type { MeshKeeperClient } from '../client/client.js';
import { isKeeperError } from '../errors/keeper-error.js';
import { CreateMode } from '../tree/create-mode.js';
import { withWaitScope, type RecipeWaitOptions } from './abort.js';
import { ensurePath } from './ensure-path.js';
import { checkRecipePath } from './paths.js';
import { retrying } from './retry.js';
import { waitForDelete } from './wait-for-delete.js';

/**
 * A barrier (Curator's DistributedBarrier): while its node exists, `wait()` blocks; `remove()` lets
 * every waiter through. The node is persistent: the barrier outlives the sessions that set it.
 *
 * ```ts
 * const barrier = new Barrier(zk, '/app/barriers/deploy');
 * await barrier.set();                       // coordinator
 * await barrier.wait({ timeoutMs: 60_000 }); // workers: block until removed
 * await barrier.remove();                    // coordinator: release everyone
 * ```
 */
export class Barrier {
  readonly path: string;

  constructor(
    readonly client: MeshKeeperClient,
    path: string,
  ) {
    this.path = checkRecipePath(path, 'Barrier');
  }

  /** Sets the barrier (creates its node, and missing parents as containers); already set is fine. */
  async set(options?: RecipeWaitOptions): Promise<void> {
    await withWaitScope(options, `setting the barrier ${this.path}`, (signal) => ensurePath(this.client, this.path, signal, CreateMode.PERSISTENT));
  }

  /** Removes the barrier, letting every waiter through; not set is fine. */
  async remove(options?: RecipeWaitOptions): Promise<void> {
    await withWaitScope(options, `removing the barrier ${this.path}`, async (signal) => {
      try {
        await retrying(this.client, () => this.client.delete(this.path), signal);
      } catch (error) {
        if (!isKeeperError(error, 'NONODE')) throw error;
      }
    });
  }

  /** True while the barrier is set. */
  async isSet(): Promise<boolean> {
    return (await retrying(this.client, () => this.client.exists(this.path))) !== null;
  }

  /**
   * Resolves once the barrier is not set (at once if it is not). Survives reconnects. Rejects with
   * OPERATIONTIMEOUT, the signal's reason (leaving no watch behind), SESSIONEXPIRED when the session ends.
   */
  async wait(options?: RecipeWaitOptions): Promise<void> {
    await withWaitScope(options, `waiting on the barrier ${this.path}`, (signal) => waitForDelete(this.client, this.path, signal));
  }
}
