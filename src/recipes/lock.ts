import type { MeshKeeperClient } from '../client/client.js';
import type { Data } from '../client/requests.js';
import { SequentialLock, type LockDriver } from './lock-internals.js';
import { checkRecipePath, sortBySequence } from './paths.js';

/** A Lock's options. */
export interface LockOptions {
  /** The data of this contender's lock node (e.g. who holds it); empty by default. */
  readonly data?: Data;
}

/** The node name of a Lock's contenders (after the protection prefix). */
export const LOCK_NODE_NAME = 'lock-';

/**
 * The driver of a fair mutex (Curator's StandardLockInternalsDriver): the first contender holds the
 * lock; every other one waits for the contender just before it.
 */
export function mutexDriver(name: string): LockDriver {
  return {
    name,
    contenders: (children) => sortBySequence(children, name),
    blocker: (contenders, ours) => {
      const index = contenders.indexOf(ours);
      return index <= 0 ? null : (contenders[index - 1] ?? null);
    },
  };
}

/**
 * A fair, reentrant mutex across clients (Curator's InterProcessMutex): each contender makes an
 * ephemeral-sequential node under `path` and waits only for the one before it (no herd effect).
 *
 * ```ts
 * const lock = new Lock(zk, '/app/locks/config');
 * await lock.acquire({ timeoutMs: 5_000 });
 * try { ... } finally { await lock.release(); }
 * lock.on('uncertain', () => pauseWork());   // connection lost: maybe not ours any more
 * lock.on('lost', () => abandonWork());      // session expired: not ours
 * ```
 *
 * Reentrant per object: a holder may acquire again and must release as many times. Concurrent tasks
 * in one program that must exclude each other use one Lock object each.
 */
export class Lock extends SequentialLock {
  constructor(client: MeshKeeperClient, path: string, options: LockOptions = {}) {
    super(client, checkRecipePath(path, 'Lock'), mutexDriver(LOCK_NODE_NAME), options.data ?? '');
  }
}
