/**
 * How a watch stays registered, as bit flags: one (watcher, path) entry of a watch table holds any
 * combination. ZooKeeper keeps the same three modes per entry (`WatcherMode`, `WatchStats`), so a
 * watcher with a one-shot and a persistent watch on one path is ONE entry that fires ONCE per event.
 */
export const WatcherMode = {
  /** One-shot: getData, exists, getChildren. Removed when it fires. */
  STANDARD: 1,
  /** addWatch PERSISTENT: stays, fires for the node's own data and child events. */
  PERSISTENT: 2,
  /** addWatch PERSISTENT_RECURSIVE: stays, fires for the node and every descendant. */
  PERSISTENT_RECURSIVE: 4,
} as const;

export type WatcherModeName = keyof typeof WatcherMode;
export type WatcherModeFlag = (typeof WatcherMode)[WatcherModeName];

/** Every mode at once: removing this clears an entry (ZooKeeper's `removeWatcher(path, w, null)`). */
export const ALL_WATCHER_MODES = WatcherMode.STANDARD | WatcherMode.PERSISTENT | WatcherMode.PERSISTENT_RECURSIVE;

/** ZooKeeper's `ZooDefs.AddWatchModes`, with their wire numbers. */
export const AddWatchMode = {
  PERSISTENT: 0,
  PERSISTENT_RECURSIVE: 1,
} as const;

export type AddWatchModeName = keyof typeof AddWatchMode;
export type AddWatchModeNumber = (typeof AddWatchMode)[AddWatchModeName];
