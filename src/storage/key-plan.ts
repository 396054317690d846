import { keyName } from './idb-records.js';

/** Marks a key to delete in a KeyPlan. */
export const DELETE = Symbol('delete');

export interface KeyWrite {
  readonly key: IDBValidKey;
  readonly value: unknown;
}

/**
 * The puts and deletes the next IndexedDB transaction makes: the net effect of every write batch
 * submitted since the last transaction started. A later put or delete of a key replaces an earlier
 * one, so coalesced batches write each key once (a tail chunk appended to by ten batches is put
 * once, with all their entries).
 */
export class KeyPlan {
  private writes = new Map<string, KeyWrite>();

  put(key: IDBValidKey, value: unknown): void {
    this.writes.set(keyName(key), { key, value });
  }

  delete(key: IDBValidKey): void {
    this.writes.set(keyName(key), { key, value: DELETE });
  }

  get size(): number {
    return this.writes.size;
  }

  /** Hands over the planned writes and starts an empty plan. */
  take(): KeyWrite[] {
    const writes = [...this.writes.values()];
    this.writes = new Map();
    return writes;
  }
}
