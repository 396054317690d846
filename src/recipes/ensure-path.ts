import type { MeshKeeperClient } from '../client/client.js';
import { isKeeperError } from '../errors/keeper-error.js';
import { CreateMode, type CreateModeFlag } from '../tree/create-mode.js';
import { parentOf } from './paths.js';
import { retrying } from './retry.js';

/** How many times a create is tried again when a parent it just made vanished (a container swept away). */
const MAX_PARENT_ATTEMPTS = 8;

/**
 * Creates `path` with `mode` and, first, its missing ancestors as containers (Curator's
 * creatingParentContainersIfNeeded: a CONTAINER node is deleted by the ensemble once it had children
 * and has none left). A node that exists is left as it is.
 */
export async function ensurePath(
  client: MeshKeeperClient,
  path: string,
  signal?: AbortSignal,
  mode: CreateModeFlag = CreateMode.CONTAINER,
): Promise<void> {
  if (path === '/') return;
  for (let attempt = 0; ; attempt++) {
    try {
      await retrying(client, () => client.create(path, '', { mode }), signal);
      return;
    } catch (error) {
      if (isKeeperError(error, 'NODEEXISTS')) return;
      if (!isKeeperError(error, 'NONODE') || attempt >= MAX_PARENT_ATTEMPTS) throw error;
    }
    await ensurePath(client, parentOf(path), signal);
  }
}
