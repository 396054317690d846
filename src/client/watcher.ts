import type { EventTypeName } from '../tree/watch-event.js';
import type { KeeperStateName } from '../wire/client-message.js';

/**
 * What a watcher receives (ZooKeeper's WatchedEvent). Node events (NodeCreated, NodeDeleted,
 * NodeDataChanged, NodeChildrenChanged) carry the znode's path and the zxid of the change that
 * fired them (-1 for events a reconnect produced for changes missed while away). Watch-removed
 * events (DataWatchRemoved, ChildWatchRemoved, PersistentWatchRemoved) carry the path and zxid -1.
 * Session events have type 'None', the new `state`, path '' and zxid -1.
 */
export interface WatchEvent {
  readonly type: EventTypeName;
  /** The connection state the event happened in: SyncConnected for node events. */
  readonly state: KeeperStateName;
  readonly path: string;
  readonly zxid: bigint;
}

/** A watcher as a function. */
export type WatcherFunction = (event: WatchEvent) => void;

/** A watcher as an object, as ZooKeeper's Java `Watcher` interface. */
export interface WatcherObject {
  /** Receives one event. */
  process(event: WatchEvent): void;
}

/**
 * Whatever receives watch events. A watcher is identified by reference: the same function or object
 * registered twice on one path is one watcher there and is called once per event.
 */
export type Watcher = WatcherFunction | WatcherObject;

/**
 * How a read sets a watch: `true` leaves a watch for the client's default watcher (the `watch`
 * event, and the `watcher` option), a Watcher leaves one for that watcher; false or absent leaves none.
 */
export type WatchOption = boolean | Watcher;

/** Calls a watcher with an event. */
export function callWatcher(watcher: Watcher, event: WatchEvent): void {
  if (typeof watcher === 'function') watcher(event);
  else watcher.process(event);
}

/** True when `value` can be used as a Watcher. */
export function isWatcher(value: unknown): value is Watcher {
  if (typeof value === 'function') return true;
  return (
    typeof value === 'object' && value !== null && typeof (value as { process?: unknown }).process === 'function'
  );
}

/** The zxid of events no txn caused (ZooKeeper's WatchedEvent.NO_ZXID). */
export const NO_ZXID = -1n;
