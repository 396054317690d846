import { pathAndAncestors } from './path-ancestors.js';
import { WatcherMode } from './watcher-mode.js';

/**
 * One table of watches: (path, watcher) entries, each holding a set of WatcherMode flags, indexed
 * both ways (path -> watchers, watcher -> paths) like ZooKeeper's `WatchManager` (`watchTable`,
 * `watch2Paths`). A replica has two: the data table (getData, exists, PERSISTENT,
 * PERSISTENT_RECURSIVE) and the child table (getChildren, PERSISTENT).
 *
 * Maps iterate in insertion order, so nothing here depends on hashing; callers that publish an order
 * sort it.
 */
export class WatchTable {
  private readonly watchersByPath = new Map<string, Map<bigint, number>>();
  private readonly pathsByWatcher = new Map<bigint, Map<string, number>>();
  private entries = 0;
  private recursiveEntries = 0;

  /** How many (path, watcher) entries the table holds (ZooKeeper's `IWatchManager.size()`). */
  get size(): number {
    return this.entries;
  }

  /** How many entries one watcher holds. */
  sizeOf(watcher: bigint): number {
    return this.pathsByWatcher.get(watcher)?.size ?? 0;
  }

  /** The mode flags of one entry, 0 when there is none. */
  flagsOf(watcher: bigint, path: string): number {
    return this.pathsByWatcher.get(watcher)?.get(path) ?? 0;
  }

  /** Adds a mode to an entry, creating it when needed. True when the mode was not there yet. */
  add(watcher: bigint, path: string, mode: number): boolean {
    const old = this.flagsOf(watcher, path);
    const next = old | mode;
    if (next === old) return false;
    this.write(watcher, path, old, next);
    return true;
  }

  /**
   * Removes the given modes from an entry (ALL_WATCHER_MODES clears it). Returns the flags the entry
   * had before, 0 when it did not exist.
   */
  remove(watcher: bigint, path: string, modes: number): number {
    const old = this.flagsOf(watcher, path);
    if (old === 0) return 0;
    this.write(watcher, path, old, old & ~modes);
    return old;
  }

  /** Drops every entry of a watcher; returns how many there were. */
  removeWatcher(watcher: bigint): number {
    const paths = this.pathsByWatcher.get(watcher);
    if (paths === undefined) return 0;
    const count = paths.size;
    for (const [path, flags] of [...paths]) this.write(watcher, path, flags, 0);
    return count;
  }

  /**
   * The watchers an event at `path` reaches, in the order found, each once (ZooKeeper's
   * `WatchManager.triggerWatch`): every entry on `path` itself, whatever its modes, and — when
   * `withAncestors` — the PERSISTENT_RECURSIVE entries of every ancestor. One-shot (STANDARD) modes
   * on `path` are consumed; an entry left with no mode is gone.
   */
  fire(path: string, withAncestors: boolean): Set<bigint> {
    const reached = new Set<bigint>();
    const exact = this.watchersByPath.get(path);
    if (exact !== undefined) {
      for (const [watcher, flags] of [...exact]) {
        reached.add(watcher);
        if ((flags & WatcherMode.STANDARD) !== 0) {
          this.write(watcher, path, flags, flags & ~WatcherMode.STANDARD);
        }
      }
    }
    if (!withAncestors || this.recursiveEntries === 0 || path === '/') return reached;
    let first = true;
    for (const ancestor of pathAndAncestors(path)) {
      if (first) {
        first = false;
        continue;
      }
      const watchers = this.watchersByPath.get(ancestor);
      if (watchers === undefined) continue;
      for (const [watcher, flags] of watchers) {
        if ((flags & WatcherMode.PERSISTENT_RECURSIVE) !== 0) reached.add(watcher);
      }
    }
    return reached;
  }

  /** Paths with at least one entry, each with its watchers and their flags (insertion order). */
  *byPath(): Generator<[string, ReadonlyMap<bigint, number>], void, undefined> {
    yield* this.watchersByPath;
  }

  /** Watchers with at least one entry, each with its paths and their flags (insertion order). */
  *byWatcher(): Generator<[bigint, ReadonlyMap<string, number>], void, undefined> {
    yield* this.pathsByWatcher;
  }

  /** The only place entries change: keeps both indexes and both counters in step. */
  private write(watcher: bigint, path: string, old: number, next: number): void {
    if (old === next) return;
    if (next === 0) {
      const paths = this.pathsByWatcher.get(watcher);
      const watchers = this.watchersByPath.get(path);
      paths?.delete(path);
      watchers?.delete(watcher);
      if (paths?.size === 0) this.pathsByWatcher.delete(watcher);
      if (watchers?.size === 0) this.watchersByPath.delete(path);
      this.entries--;
    } else {
      let paths = this.pathsByWatcher.get(watcher);
      if (paths === undefined) {
        paths = new Map();
        this.pathsByWatcher.set(watcher, paths);
      }
      let watchers = this.watchersByPath.get(path);
      if (watchers === undefined) {
        watchers = new Map();
        this.watchersByPath.set(path, watchers);
      }
      paths.set(path, next);
      watchers.set(watcher, next);
      if (old === 0) this.entries++;
    }
    const wasRecursive = (old & WatcherMode.PERSISTENT_RECURSIVE) !== 0;
    const isRecursive = (next & WatcherMode.PERSISTENT_RECURSIVE) !== 0;
    if (wasRecursive !== isRecursive) this.recursiveEntries += isRecursive ? 1 : -1;
  }
}
