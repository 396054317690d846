import type { WatchTrigger } from '../tree/watch-event.js';
import { WatcherMode } from './watcher-mode.js';

/**
 * The watches a client re-registers when it (re)connects to a replica (ZooKeeper's SetWatches2
 * request). dataWatches are getData watches and exists watches set on a node that existed;
 * existWatches are exists watches set on a node that did not.
 */
export interface SetWatchesLists {
  readonly dataWatches: readonly string[];
  readonly existWatches: readonly string[];
  readonly childWatches: readonly string[];
  readonly persistentWatches: readonly string[];
  readonly persistentRecursiveWatches: readonly string[];
}

/** What setWatches needs to know of a znode now; a data tree's Stat satisfies it. */
export interface WatchNodeStat {
  readonly mzxid: bigint;
  readonly pzxid: bigint;
}

/** The read view of the data tree setWatches compares against: null/undefined for a missing node. */
export interface WatchTreeView {
  stat(path: string): WatchNodeStat | null | undefined;
}

/** One registration setWatches makes: which table, which path, which mode. */
export interface SetWatchesRegistration {
  readonly table: 'data' | 'child';
  readonly path: string;
  readonly mode: number;
}

export interface SetWatchesPlan {
  /** Events to deliver now, in ZooKeeper's order: data list, exist list, child list, each in order. */
  readonly events: readonly WatchTrigger[];
  /** Watches to register, in ZooKeeper's order. */
  readonly registrations: readonly SetWatchesRegistration[];
}

/**
 * ZooKeeper's `DataTree.setWatches`, as a plan (nothing changes here):
 * - data watch: node gone -> NodeDeleted now; mzxid > relativeZxid -> NodeDataChanged now; else
 *   re-registered;
 * - exist watch: node exists now -> NodeCreated now; else re-registered (as a data watch);
 * - child watch: node gone -> NodeDeleted now; pzxid > relativeZxid -> NodeChildrenChanged now;
 *   else re-registered;
 * - persistent and persistent-recursive watches are re-registered as they are, with no look at
 *   the tree: events they missed while the client was away are NOT delivered (ZooKeeper 3.9 does
 *   the same; a client with persistent watches must re-read after a reconnect).
 * A path in two lists is handled once per list, so it can give two events.
 */
export function planSetWatches(relativeZxid: bigint, lists: SetWatchesLists, tree: WatchTreeView): SetWatchesPlan {
  const events: WatchTrigger[] = [];
  const registrations: SetWatchesRegistration[] = [];
  for (const path of lists.dataWatches) {
    const stat = tree.stat(path);
    if (stat === null || stat === undefined) events.push({ path, type: 'NodeDeleted' });
    else if (stat.mzxid > relativeZxid) events.push({ path, type: 'NodeDataChanged' });
    else registrations.push({ table: 'data', path, mode: WatcherMode.STANDARD });
  }
  for (const path of lists.existWatches) {
    const stat = tree.stat(path);
    if (stat !== null && stat !== undefined) events.push({ path, type: 'NodeCreated' });
    else registrations.push({ table: 'data', path, mode: WatcherMode.STANDARD });
  }
  for (const path of lists.childWatches) {
    const stat = tree.stat(path);
    if (stat === null || stat === undefined) events.push({ path, type: 'NodeDeleted' });
    else if (stat.pzxid > relativeZxid) events.push({ path, type: 'NodeChildrenChanged' });
    else registrations.push({ table: 'child', path, mode: WatcherMode.STANDARD });
  }
  for (const path of lists.persistentWatches) {
    registrations.push({ table: 'child', path, mode: WatcherMode.PERSISTENT });
    registrations.push({ table: 'data', path, mode: WatcherMode.PERSISTENT });
  }
  for (const path of lists.persistentRecursiveWatches) {
    registrations.push({ table: 'data', path, mode: WatcherMode.PERSISTENT_RECURSIVE });
  }
  return { events, registrations };
}
