/** ZooKeeper's Watcher.Event.EventType, with its wire numbers. */
export const EventType = {
  None: -1,
  NodeCreated: 1,
  NodeDeleted: 2,
  NodeDataChanged: 3,
  NodeChildrenChanged: 4,
  DataWatchRemoved: 5,
  ChildWatchRemoved: 6,
  PersistentWatchRemoved: 7,
} as const;

export type EventTypeName = keyof typeof EventType;
export type EventTypeNumber = (typeof EventType)[EventTypeName];

/**
 * What applying a txn reports for the watch manager: "this path had this event". Which watches fire
 * is the watch manager's business (ZooKeeper: create triggers NodeCreated on the path and
 * NodeChildrenChanged on the parent; delete NodeDeleted on the path and NodeChildrenChanged on the
 * parent; setData NodeDataChanged on the path).
 */
export interface WatchTrigger {
  readonly path: string;
  readonly type: 'NodeCreated' | 'NodeDeleted' | 'NodeDataChanged' | 'NodeChildrenChanged';
}

/** What a watcher receives. */
export interface WatchedEvent {
  readonly type: EventTypeName;
  readonly path: string;
  readonly zxid: bigint;
}
