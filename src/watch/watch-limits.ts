import { KeeperError } from '../errors/keeper-error.js';

/**
 * Caps on how many watches a replica keeps. A watch here is one (table, path, watcher) entry, the
 * unit ZooKeeper counts (`DataTree.getWatchCount`, mntr's zk_watch_count): a getData watch is one,
 * a getChildren watch one, a PERSISTENT watch two (data and child table), a PERSISTENT_RECURSIVE
 * watch one; a second mode on an entry that already exists adds nothing.
 *
 * ZooKeeper has no such limit. meshkeeper has one so that one tab cannot grow another tab's
 * replica without bound; exceeding it is KeeperError QUOTAEXCEEDED and changes nothing.
 */
export interface WatchLimits {
  /** The most watches one watcher (session) may hold on this replica. */
  readonly maxWatchesPerWatcher: number;
  /** The most watches this replica holds for all its watchers together. */
  readonly maxWatchesTotal: number;
}

export const DEFAULT_WATCH_LIMITS: WatchLimits = {
  maxWatchesPerWatcher: 65_536,
  maxWatchesTotal: 1_048_576,
};

function checkLimit(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new KeeperError('BADARGUMENTS', `${name} must be a positive integer, got ${String(value)}`);
  }
}

/** Fills in defaults and checks the values (BADARGUMENTS for anything but positive integers). */
export function resolveWatchLimits(options: Partial<WatchLimits> = {}): WatchLimits {
  const limits: WatchLimits = {
    maxWatchesPerWatcher: options.maxWatchesPerWatcher ?? DEFAULT_WATCH_LIMITS.maxWatchesPerWatcher,
    maxWatchesTotal: options.maxWatchesTotal ?? DEFAULT_WATCH_LIMITS.maxWatchesTotal,
  };
  checkLimit('maxWatchesPerWatcher', limits.maxWatchesPerWatcher);
  checkLimit('maxWatchesTotal', limits.maxWatchesTotal);
  return limits;
}

/**
 * A session id as ZooKeeper prints it: '0x' and Java's `Long.toHexString`, lower-case hex of the
 * 64-bit two's complement (so a negative id shows 16 digits).
 */
export function formatWatcher(watcher: bigint): string {
  return `0x${BigInt.asUintN(64, watcher).toString(16)}`;
}

/**
 * Throws QUOTAEXCEEDED when adding `newEntries` watches for `watcher` would pass a limit.
 * `watcherCount` and `totalCount` are the counts before the addition.
 */
export function checkWatchLimits(
  limits: WatchLimits,
  watcher: bigint,
  newEntries: number,
  watcherCount: number,
  totalCount: number,
  path: string | undefined,
): void {
  if (newEntries === 0) return;
  if (watcherCount + newEntries > limits.maxWatchesPerWatcher) {
    throw new KeeperError(
      'QUOTAEXCEEDED',
      `session ${formatWatcher(watcher)} holds ${watcherCount} watches and may hold at most ` +
        `${limits.maxWatchesPerWatcher} (maxWatchesPerWatcher); remove some watches first`,
      path,
    );
  }
  if (totalCount + newEntries > limits.maxWatchesTotal) {
    throw new KeeperError(
      'QUOTAEXCEEDED',
      `this replica holds ${totalCount} watches and may hold at most ${limits.maxWatchesTotal} ` +
        `(maxWatchesTotal)`,
      path,
    );
  }
}
