import type { WatchedEvent } from '../tree/watch-event.js';

/** One event for one watcher (a session id). The replica sends it on that session's connection. */
export interface Delivery {
  readonly watcher: bigint;
  readonly event: WatchedEvent;
}

/**
 * The zxid of an event no txn caused: ZooKeeper's `WatchedEvent.NO_ZXID`. setWatches' immediate
 * events and the client's watch-removed events carry it.
 */
export const NO_ZXID = -1n;

/** Ascending watcher ids: the order deliveries of one event are listed in. */
export function compareWatchers(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
