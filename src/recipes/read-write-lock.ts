import type { MeshKeeperClient } from '../client/client.js';
import type { Data } from '../client/requests.js';
import { KeeperError } from '../errors/keeper-error.js';
import { SequentialLock, type LockDriver } from './lock-internals.js';
import { checkRecipePath, sortBySequence } from './paths.js';

/** The node names of read and write contenders (Curator's, after the protection prefix). */
export const READ_LOCK_NAME = '__READ__';
export const WRITE_LOCK_NAME = '__WRIT__';

/** A ReadWriteLock's options. */
export interface ReadWriteLockOptions {
  /** The data of this object's lock nodes; empty by default. */
  readonly data?: Data;
}

function contenders(children: readonly string[]): string[] {
  return sortBySequence(children).filter((name) => name.includes(READ_LOCK_NAME) || name.includes(WRITE_LOCK_NAME));
}

/**
 * A fair read-write lock across clients (Curator's InterProcessReadWriteLock): readers share it,
 * a writer has it alone, everyone in arrival order. Both locks of one object are reentrant, and the
 * holder of the write lock may take the read lock too (downgrade); taking the write lock while
 * holding only the read lock would wait for itself forever, so it is refused (APIERROR).
 *
 * ```ts
 * const rw = new ReadWriteLock(zk, '/app/locks/catalog');
 * await rw.readLock.acquire();  try { read(); } finally { await rw.readLock.release(); }
 * await rw.writeLock.acquire(); try { write(); } finally { await rw.writeLock.release(); }
 * ```
 *
 * A reader waits only for the last writer before it; a writer for whoever is just before it.
 */
export class ReadWriteLock {
  readonly path: string;
  readonly readLock: SequentialLock;
  readonly writeLock: SequentialLock;

  constructor(client: MeshKeeperClient, path: string, options: ReadWriteLockOptions = {}) {
    this.path = checkRecipePath(path, 'ReadWriteLock');
    const data = options.data ?? '';
    const writeDriver: LockDriver = {
      name: WRITE_LOCK_NAME,
      contenders,
      blocker: (all, ours) => {
        const index = all.indexOf(ours);
        return index <= 0 ? null : (all[index - 1] ?? null);
      },
    };
    const readDriver: LockDriver = {
      name: READ_LOCK_NAME,
      contenders,
      blocker: (all, ours) => {
        if (this.writeLock.isHeldOrUncertain()) return null;
        const before = all.slice(0, Math.max(0, all.indexOf(ours)));
        return before.filter((name) => name.includes(WRITE_LOCK_NAME)).at(-1) ?? null;
      },
    };
    this.writeLock = new SequentialLock(client, this.path, writeDriver, data, () => {
      if (this.readLock.isHeldOrUncertain()) {
        throw new KeeperError('APIERROR', 'cannot upgrade: this object holds the read lock (release it before taking the write lock)', this.path);
      }
    });
    this.readLock = new SequentialLock(client, this.path, readDriver, data);
  }

  /** Releases both locks (every hold) and cancels waiting acquires. */
  async close(): Promise<void> {
    await Promise.all([this.readLock.close(), this.writeLock.close()]);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
