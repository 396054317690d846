import { KeeperError, assert } from '../errors/keeper-error.js';
import { validatePath } from '../tree/path.js';
import type { WatchTrigger } from '../tree/watch-event.js';
import { compareWatchers, NO_ZXID, type Delivery } from './delivery.js';
import { planSetWatches, type SetWatchesLists, type WatchTreeView } from './set-watches.js';
import { checkWatchLimits, resolveWatchLimits, type WatchLimits } from './watch-limits.js';
import {
  watchesByPath,
  watchesByWatcher,
  watchSummary,
  type PathWatches,
  type WatcherWatches,
  type WatchReportScope,
  type WatchSummary,
} from './watch-report.js';
import { WatchTable } from './watch-table.js';
import { ALL_WATCHER_MODES, WatcherMode, type AddWatchModeName } from './watcher-mode.js';
import type { WatcherTypeName } from './watcher-type.js';

/** The reads that can leave a one-shot watch. */
export type WatchingReadOp = 'getData' | 'exists' | 'getChildren';

/**
 * Decides whether an event may reach a watcher. ZooKeeper 3.9 (since 3.9.2, ZOOKEEPER-4799) drops
 * an event when the session lacks READ on the znode the event is about (the deleted node's ACL for
 * NodeDeleted, the parent's for NodeChildrenChanged) — after the one-shot watch was consumed.
 */
export type DeliveryFilter = (watcher: bigint, trigger: WatchTrigger) => boolean;

type Registration = readonly [table: WatchTable, mode: number];

/**
 * The watches of the clients attached to one replica (never replicated), with ZooKeeper 3.9's rules
 * (`DataTree` + `WatchManager`). Watchers are session ids. Two tables, as in ZooKeeper:
 * - the data table holds getData and exists watches (one kind on the server: STANDARD), PERSISTENT
 *   and PERSISTENT_RECURSIVE watches;
 * - the child table holds getChildren watches (STANDARD) and PERSISTENT watches.
 * A (path, watcher) entry of a table holds any set of modes and fires at most once per event, and a
 * watcher receives at most one event per trigger.
 *
 * Pure and deterministic: no clock, no I/O; deliveries come in trigger order, then ascending
 * watcher id.
 */
export class WatchManager {
  readonly limits: WatchLimits;
  private readonly dataTable = new WatchTable();
  private readonly childTable = new WatchTable();

  constructor(limits: Partial<WatchLimits> = {}) {
    this.limits = resolveWatchLimits(limits);
  }

  /**
   * A one-shot data watch: getData(watch) on an existing node, or exists(watch) on any node. Fires
   * on NodeCreated, NodeDataChanged, NodeDeleted of the path. True when it was not there yet.
   */
  addDataWatch(watcher: bigint, path: string): boolean {
    return this.register(watcher, path, [[this.dataTable, WatcherMode.STANDARD]]);
  }

  /** A one-shot child watch (getChildren(watch) on an existing node): NodeChildrenChanged, NodeDeleted. */
  addChildWatch(watcher: bigint, path: string): boolean {
    return this.register(watcher, path, [[this.childTable, WatcherMode.STANDARD]]);
  }

  /**
   * addWatch(path, mode) (ZooKeeper's `DataTree.addWatch`): PERSISTENT goes in both tables and fires
   * for the node's NodeCreated, NodeDeleted, NodeDataChanged and NodeChildrenChanged;
   * PERSISTENT_RECURSIVE goes in the data table only and fires for the node and every descendant,
   * never NodeChildrenChanged. The node need not exist. True when anything new was registered.
   */
  addWatch(watcher: bigint, path: string, mode: AddWatchModeName): boolean {
    if (mode === 'PERSISTENT') {
      return this.register(watcher, path, [
        [this.dataTable, WatcherMode.PERSISTENT],
        [this.childTable, WatcherMode.PERSISTENT],
      ]);
    }
    assert(mode === 'PERSISTENT_RECURSIVE', `unknown add-watch mode ${String(mode)}`);
    return this.register(watcher, path, [[this.dataTable, WatcherMode.PERSISTENT_RECURSIVE]]);
  }

  /**
   * Registers the watch a successful read with watch=true leaves, by ZooKeeper's rule. Call it after
   * the read passed its checks (ACL, path), with whether the node exists:
   * - exists: always a data watch — on a missing node it fires NodeCreated once, and is then gone;
   * - getData, getChildren: only when the node exists (the read fails NONODE and registers nothing).
   * Returns the table the watch went into, or null when none was registered.
   */
  registerForRead(watcher: bigint, op: WatchingReadOp, path: string, nodeExists: boolean): 'data' | 'child' | null {
    switch (op) {
      case 'exists':
        this.addDataWatch(watcher, path);
        return 'data';
      case 'getData':
        if (!nodeExists) return null;
        this.addDataWatch(watcher, path);
        return 'data';
      case 'getChildren':
        if (!nodeExists) return null;
        this.addChildWatch(watcher, path);
        return 'child';
    }
  }

  /**
   * Turns the watch triggers of one applied txn (a multi's or closeSession's all together, in
   * order) into deliveries, as ZooKeeper's DataTree does while applying:
   * - NodeCreated, NodeDataChanged at p: the data table's entries on p (one-shots consumed) and
   *   PERSISTENT_RECURSIVE entries on p's ancestors;
   * - NodeDeleted at p: the same, plus the child table's entries on p (one-shots consumed) for
   *   watchers not already reached — one NodeDeleted per watcher;
   * - NodeChildrenChanged at p: the child table's entries on p (one-shots consumed).
   * `canDeliver` (the ACL check) can drop a delivery; the watch is consumed either way.
   */
  trigger(triggers: readonly WatchTrigger[], zxid: bigint, canDeliver?: DeliveryFilter): Delivery[] {
    const deliveries: Delivery[] = [];
    for (const trigger of triggers) {
      const reached = this.reach(trigger);
      if (reached.size === 0) continue;
      const event = { type: trigger.type, path: trigger.path, zxid };
      for (const watcher of [...reached].sort(compareWatchers)) {
        if (canDeliver === undefined || canDeliver(watcher, trigger)) deliveries.push({ watcher, event });
      }
    }
    return deliveries;
  }

  /**
   * checkWatches (ZooKeeper's `DataTree.containsWatcher`): Children = a getChildren watch, Data = a
   * getData/exists watch, Persistent / PersistentRecursive = that addWatch mode, Any = any watch.
   */
  hasWatch(watcher: bigint, path: string, type: WatcherTypeName): boolean {
    validatePath(path);
    switch (type) {
      case 'Children':
        return (this.childTable.flagsOf(watcher, path) & WatcherMode.STANDARD) !== 0;
      case 'Data':
        return (this.dataTable.flagsOf(watcher, path) & WatcherMode.STANDARD) !== 0;
      case 'Persistent':
        return (this.dataTable.flagsOf(watcher, path) & WatcherMode.PERSISTENT) !== 0;
      case 'PersistentRecursive':
        return (this.dataTable.flagsOf(watcher, path) & WatcherMode.PERSISTENT_RECURSIVE) !== 0;
      case 'Any':
        return this.childTable.flagsOf(watcher, path) !== 0 || this.dataTable.flagsOf(watcher, path) !== 0;
    }
  }

  /**
   * removeWatches(path, type) (ZooKeeper's `DataTree.removeWatch`): Children removes the getChildren
   * watch, Data the getData/exists watch, Persistent the PERSISTENT watch (both tables),
   * PersistentRecursive the PERSISTENT_RECURSIVE watch, Any every watch of the watcher on the path.
   * Returns the events the client then delivers to its removed watchers (ZooKeeper's client makes
   * them: ChildWatchRemoved, DataWatchRemoved, PersistentWatchRemoved, zxid -1), one per kind
   * removed. Throws NOWATCHER, changing nothing, when no watch matched.
   */
  removeWatches(watcher: bigint, path: string, type: WatcherTypeName): Delivery[] {
    validatePath(path);
    let child = 0;
    let data = 0;
    switch (type) {
      case 'Children':
        child = this.childTable.remove(watcher, path, WatcherMode.STANDARD) & WatcherMode.STANDARD;
        break;
      case 'Data':
        data = this.dataTable.remove(watcher, path, WatcherMode.STANDARD) & WatcherMode.STANDARD;
        break;
      case 'Persistent':
        child = this.childTable.remove(watcher, path, WatcherMode.PERSISTENT) & WatcherMode.PERSISTENT;
        data = this.dataTable.remove(watcher, path, WatcherMode.PERSISTENT) & WatcherMode.PERSISTENT;
        break;
      case 'PersistentRecursive':
        data =
          this.dataTable.remove(watcher, path, WatcherMode.PERSISTENT_RECURSIVE) & WatcherMode.PERSISTENT_RECURSIVE;
        break;
      case 'Any':
        child = this.childTable.remove(watcher, path, ALL_WATCHER_MODES);
        data = this.dataTable.remove(watcher, path, ALL_WATCHER_MODES);
        break;
    }
    if (child === 0 && data === 0) {
      throw new KeeperError('NOWATCHER', `no ${type} watch for this session`, path);
    }
    const removed: Delivery[] = [];
    const push = (eventType: 'ChildWatchRemoved' | 'DataWatchRemoved' | 'PersistentWatchRemoved'): void => {
      removed.push({ watcher, event: { type: eventType, path, zxid: NO_ZXID } });
    };
    if ((child & WatcherMode.STANDARD) !== 0) push('ChildWatchRemoved');
    if ((data & WatcherMode.STANDARD) !== 0) push('DataWatchRemoved');
    if (((child | data) & ~WatcherMode.STANDARD) !== 0) push('PersistentWatchRemoved');
    return removed;
  }

  /** Drops every watch of a watcher (session closed or expired, client gone). Returns how many. */
  removeAllWatches(watcher: bigint): number {
    return this.dataTable.removeWatcher(watcher) + this.childTable.removeWatcher(watcher);
  }

  /**
   * A (re)connecting client's SetWatches2 (ZooKeeper's `DataTree.setWatches`; see planSetWatches):
   * events it missed are delivered now, the rest re-registered. The immediate events carry zxid -1
   * (ZooKeeper's `WatchedEvent.NO_ZXID`, as ZooKeeper sends them). Paths are checked and the limits
   * applied before anything changes: on an error nothing is registered and nothing delivered. The
   * lists together may name at most maxWatchesPerWatcher paths (QUOTAEXCEEDED), which bounds the
   * events one call can produce.
   */
  setWatches(watcher: bigint, relativeZxid: bigint, lists: SetWatchesLists, tree: WatchTreeView): Delivery[] {
    const all = [
      lists.dataWatches,
      lists.existWatches,
      lists.childWatches,
      lists.persistentWatches,
      lists.persistentRecursiveWatches,
    ];
    const pathCount = all.reduce((sum, list) => sum + list.length, 0);
    if (pathCount > this.limits.maxWatchesPerWatcher) {
      // A client can hold no more watches than this, so it never has more paths to send.
      throw new KeeperError(
        'QUOTAEXCEEDED',
        `setWatches names ${pathCount} paths; at most ${this.limits.maxWatchesPerWatcher} (maxWatchesPerWatcher)`,
      );
    }
    for (const list of all) {
      for (const path of list) validatePath(path);
    }
    const plan = planSetWatches(relativeZxid, lists, tree);
    const tableOf = (name: 'data' | 'child'): WatchTable => (name === 'data' ? this.dataTable : this.childTable);
    const fresh = new Set<string>();
    for (const { table, path } of plan.registrations) {
      if (tableOf(table).flagsOf(watcher, path) === 0) fresh.add(`${table}\u0000${path}`);
    }
    checkWatchLimits(this.limits, watcher, fresh.size, this.watchCountOf(watcher), this.watchCount(), undefined);
    for (const { table, path, mode } of plan.registrations) tableOf(table).add(watcher, path, mode);
    return plan.events.map((trigger) => ({
      watcher,
      event: { type: trigger.type, path: trigger.path, zxid: NO_ZXID },
    }));
  }

  /** Every watch on this replica: mntr's zk_watch_count (data table + child table entries). */
  watchCount(): number {
    return this.dataTable.size + this.childTable.size;
  }

  /** One watcher's watches, counted like watchCount (what the per-watcher limit counts). */
  watchCountOf(watcher: bigint): number {
    return this.dataTable.sizeOf(watcher) + this.childTable.sizeOf(watcher);
  }

  /** wchs. Scope 'data' (the default) is what ZooKeeper's wchs shows: the data table only. */
  summary(scope: WatchReportScope = 'data'): WatchSummary {
    return watchSummary(this.tablesOf(scope));
  }

  /** wchc: watchers and their paths. Scope 'data' (the default) is what ZooKeeper's wchc shows. */
  byWatcher(scope: WatchReportScope = 'data'): WatcherWatches[] {
    return watchesByWatcher(this.tablesOf(scope));
  }

  /** wchp: paths and their watchers. Scope 'data' (the default) is what ZooKeeper's wchp shows. */
  byPath(scope: WatchReportScope = 'data'): PathWatches[] {
    return watchesByPath(this.tablesOf(scope));
  }

  private tablesOf(scope: WatchReportScope): WatchTable[] {
    if (scope === 'data') return [this.dataTable];
    if (scope === 'child') return [this.childTable];
    return [this.dataTable, this.childTable];
  }

  private reach(trigger: WatchTrigger): Set<bigint> {
    switch (trigger.type) {
      case 'NodeCreated':
      case 'NodeDataChanged':
        return this.dataTable.fire(trigger.path, true);
      case 'NodeDeleted': {
        const reached = this.dataTable.fire(trigger.path, true);
        for (const watcher of this.childTable.fire(trigger.path, false)) reached.add(watcher);
        return reached;
      }
      case 'NodeChildrenChanged':
        return this.childTable.fire(trigger.path, false);
    }
  }

  /** Checks the path and the limits, then adds every (table, mode); nothing changes on an error. */
  private register(watcher: bigint, path: string, registrations: readonly Registration[]): boolean {
    validatePath(path);
    let fresh = 0;
    for (const [table] of registrations) if (table.flagsOf(watcher, path) === 0) fresh++;
    checkWatchLimits(this.limits, watcher, fresh, this.watchCountOf(watcher), this.watchCount(), path);
    let added = false;
    for (const [table, mode] of registrations) added = table.add(watcher, path, mode) || added;
    return added;
  }
}
