import { compareWatchers } from './delivery.js';
import { formatWatcher } from './watch-limits.js';
import type { WatchTable } from './watch-table.js';

/**
 * Which watches a report covers. ZooKeeper's wchs, wchc and wchp (`DataTree.dumpWatchesSummary`,
 * `dumpWatches`) read the DATA table only — getData/exists watches and persistent ones — so child
 * watches do not show there; 'data' reproduces that. 'child' is the getChildren table, 'all' both.
 */
export type WatchReportScope = 'data' | 'child' | 'all';

/** wchs: how many watchers, how many watched paths, how many (path, watcher) entries. */
export interface WatchSummary {
  readonly watchers: number;
  readonly paths: number;
  readonly watches: number;
}

/** wchc: one watcher's watched paths (sorted). */
export interface WatcherWatches {
  readonly watcher: bigint;
  readonly paths: readonly string[];
}

/** wchp: one path's watchers (ascending). */
export interface PathWatches {
  readonly path: string;
  readonly watchers: readonly bigint[];
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Watchers with their paths, merged over the tables given; sorted by watcher, paths sorted. */
export function watchesByWatcher(tables: readonly WatchTable[]): WatcherWatches[] {
  const merged = new Map<bigint, Set<string>>();
  for (const table of tables) {
    for (const [watcher, paths] of table.byWatcher()) {
      let set = merged.get(watcher);
      if (set === undefined) {
        set = new Set();
        merged.set(watcher, set);
      }
      for (const path of paths.keys()) set.add(path);
    }
  }
  return [...merged]
    .sort(([a], [b]) => compareWatchers(a, b))
    .map(([watcher, paths]) => ({ watcher, paths: [...paths].sort(compareStrings) }));
}

/** Paths with their watchers, merged over the tables given; sorted by path, watchers ascending. */
export function watchesByPath(tables: readonly WatchTable[]): PathWatches[] {
  const merged = new Map<string, Set<bigint>>();
  for (const table of tables) {
    for (const [path, watchers] of table.byPath()) {
      let set = merged.get(path);
      if (set === undefined) {
        set = new Set();
        merged.set(path, set);
      }
      for (const watcher of watchers.keys()) set.add(watcher);
    }
  }
  return [...merged]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([path, watchers]) => ({ path, watchers: [...watchers].sort(compareWatchers) }));
}

/** Counts over the tables given; a (path, watcher) pair in two tables counts as two watches. */
export function watchSummary(tables: readonly WatchTable[]): WatchSummary {
  const watchers = new Set<bigint>();
  const paths = new Set<string>();
  let watches = 0;
  for (const table of tables) {
    watches += table.size;
    for (const [watcher] of table.byWatcher()) watchers.add(watcher);
    for (const [path] of table.byPath()) paths.add(path);
  }
  return { watchers: watchers.size, paths: paths.size, watches };
}

/** The text of the wchs four-letter command. */
export function formatWatchSummary(summary: WatchSummary): string {
  return `${summary.watchers} connections watching ${summary.paths} paths\nTotal watches:${summary.watches}\n`;
}

/** The text of the wchc four-letter command: each session, then its paths indented by a tab. */
export function formatWatchesByWatcher(report: readonly WatcherWatches[]): string {
  let text = '';
  for (const { watcher, paths } of report) {
    text += `${formatWatcher(watcher)}\n`;
    for (const path of paths) text += `\t${path}\n`;
  }
  return `${text}\n`;
}

/** The text of the wchp four-letter command: each path, then its sessions indented by a tab. */
export function formatWatchesByPath(report: readonly PathWatches[]): string {
  let text = '';
  for (const { path, watchers } of report) {
    text += `${path}\n`;
    for (const watcher of watchers) text += `\t${formatWatcher(watcher)}\n`;
  }
  return `${text}\n`;
}
