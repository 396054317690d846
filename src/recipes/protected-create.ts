import type { MeshKeeperClient } from '../client/client.js';
import { isTerminalState } from '../client/client-state.js';
import type { Data } from '../client/requests.js';
import { KeeperError, isKeeperError } from '../errors/keeper-error.js';
import type { CreateModeFlag } from '../tree/create-mode.js';
import { abortable, throwIfAborted } from './abort.js';
import { ensurePath } from './ensure-path.js';
import { joinPath } from './paths.js';
import { randomId } from './random-id.js';
import { MAX_CONNECTION_RETRIES, deleteOwnNode, isConnectionLoss, retrying, waitConnected } from './retry.js';

/** What protectedCreate makes. */
export interface ProtectedCreateOptions {
  readonly data?: Data;
  /** The node's mode (EPHEMERAL_SEQUENTIAL for lock, lease and election nodes). */
  readonly mode: CreateModeFlag;
  /** Gives up (rejecting with the reason) and removes whatever was created. */
  readonly signal?: AbortSignal;
}

/** The start of every protected node name: `_c_<32 hex digits>-<name>` (Curator's protection prefix). */
export const PROTECTED_PREFIX = '_c_';

/**
 * Creates `parentPath/_c_<id>-<name>` (Curator's create().withProtection()): the random id lets a
 * create whose reply was lost (CONNECTIONLOSS) find its node among the parent's children after the
 * reconnect instead of creating a second one. Missing parents are created as containers. When the
 * call fails or is aborted after a create may have gone through, the node is deleted in the
 * background (as Curator's protected mode does). Resolves with the node's path (sequence included).
 */
export async function protectedCreate(
  client: MeshKeeperClient,
  parentPath: string,
  name: string,
  options: ProtectedCreateOptions,
): Promise<string> {
  const { signal } = options;
  const prefix = `${PROTECTED_PREFIX}${randomId()}-`;
  const path = joinPath(parentPath, `${prefix}${name}`);
  let maybeCreated = false;
  let unseen: Promise<string> | undefined;
  try {
    for (let attempt = 0; attempt <= MAX_CONNECTION_RETRIES; attempt++) {
      throwIfAborted(signal);
      if (maybeCreated) {
        const found = await findProtected(client, parentPath, prefix, signal);
        if (found !== undefined) return found;
      }
      const create = client.create(path, options.data ?? '', { mode: options.mode });
      unseen = create;
      try {
        return await abortable(create, signal);
      } catch (error) {
        if (signal?.aborted === true && error === signal.reason) throw error;
        unseen = undefined;
        if (isConnectionLoss(error)) {
          maybeCreated = true;
          await waitConnected(client, signal);
        } else if (isKeeperError(error, 'NONODE')) {
          await ensurePath(client, parentPath, signal);
        } else {
          throw error;
        }
      }
    }
    throw new KeeperError('CONNECTIONLOSS', `gave up creating ${path} after repeated connection losses`, path);
  } catch (error) {
    if (maybeCreated || unseen !== undefined) void removeProtected(client, parentPath, prefix, unseen);
    throw error;
  }
}

/** The child of `parentPath` whose name starts with `prefix`, or undefined. */
async function findProtected(client: MeshKeeperClient, parentPath: string, prefix: string, signal?: AbortSignal): Promise<string | undefined> {
  let children: string[];
  try {
    children = await retrying(client, () => client.getChildren(parentPath), signal);
  } catch (error) {
    if (isKeeperError(error, 'NONODE')) return undefined;
    throw error;
  }
  const name = children.find((child) => child.startsWith(prefix));
  return name === undefined ? undefined : joinPath(parentPath, name);
}

/** Deletes the node a failed protected create may have left (after the create still in flight settles). */
async function removeProtected(client: MeshKeeperClient, parentPath: string, prefix: string, unseen: Promise<string> | undefined): Promise<void> {
  try {
    const created = unseen === undefined ? undefined : await unseen.catch(() => undefined);
    if (isTerminalState(client.state)) return;
    const path = created ?? (await findProtected(client, parentPath, prefix));
    if (path !== undefined) await deleteOwnNode(client, path);
  } catch {
    // The session ended or the node cannot be reached: an ephemeral goes with the session anyway.
  }
}
