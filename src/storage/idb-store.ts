import { createStore, promisifyRequest, type UseStore } from 'idb-keyval';
import { OBJECT_STORE_NAME } from './idb-records.js';

/**
 * When a readwrite transaction reports `complete`:
 * - 'default': the browser's choice (idb-keyval's plain store). Chromium 121+, Firefox and Safari
 *   use 'relaxed' by default.
 * - 'relaxed': once the data reached the OS. Survives a tab or browser crash, not an OS crash or
 *   power loss.
 * - 'strict': once the OS was asked to flush it to disk. Survives an OS crash too; each
 *   transaction costs a flush (group commit shares it among the batches it carries).
 */
export type LogDurability = 'default' | 'relaxed' | 'strict';

/**
 * The object store of a replica's log, as idb-keyval's UseStore. 'default' is idb-keyval's own
 * `createStore`; the other modes open the same database (version 1, one object store) and pass the
 * durability to every transaction, which idb-keyval's store cannot.
 */
export function openLogStore(databaseName: string, durability: LogDurability): UseStore {
  if (durability === 'default') return createStore(databaseName, OBJECT_STORE_NAME);
  let opened: Promise<IDBDatabase> | null = null;
  const database = (): Promise<IDBDatabase> => {
    if (opened !== null) return opened;
    const request = indexedDB.open(databaseName);
    request.onupgradeneeded = () => request.result.createObjectStore(OBJECT_STORE_NAME);
    const opening = promisifyRequest(request);
    opened = opening;
    opening.then(
      (db) => {
        // A connection the browser closed (storage cleared, disk error) is reopened on next use.
        db.onclose = () => {
          opened = null;
        };
      },
      () => {
        opened = null;
      },
    );
    return opening;
  };
  return (mode, callback) =>
    database().then((db) => callback(db.transaction(OBJECT_STORE_NAME, mode, { durability }).objectStore(OBJECT_STORE_NAME)));
}
