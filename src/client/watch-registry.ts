import { pathAndAncestors } from '../watch/path-ancestors.js';
import type { WatcherTypeName } from '../watch/watcher-type.js';
import type { EventTypeName } from '../tree/watch-event.js';
import type { SetWatchesLists } from '../watch/set-watches.js';
import type { Watcher } from './watcher.js';

/**
 * The five kinds of watch a client keeps, as ZooKeeper's ZKWatchManager: `data` (getData, or exists
 * on a node that existed), `exist` (exists on a missing node), `child` (getChildren), and the
 * addWatch modes `persistent` and `persistentRecursive`.
 */
export type WatchKind = 'data' | 'exist' | 'child' | 'persistent' | 'persistentRecursive';

/** The server-side watch a WatcherType names, and the client kinds it covers. */
const KINDS_OF_TYPE: Readonly<Record<Exclude<WatcherTypeName, 'Any'>, readonly WatchKind[]>> = {
  Data: ['data', 'exist'],
  Children: ['child'],
  Persistent: ['persistent'],
  PersistentRecursive: ['persistentRecursive'],
};

const SERVER_TYPES = ['Data', 'Children', 'Persistent', 'PersistentRecursive'] as const;

/** One of the WatcherTypes that names exactly one server-side watch (not Any). */
export type ServerWatchType = (typeof SERVER_TYPES)[number];

/** The watch-removed event a kind's watchers receive. */
const REMOVED_EVENT: Readonly<Record<WatchKind, EventTypeName>> = {
  child: 'ChildWatchRemoved',
  data: 'DataWatchRemoved',
  exist: 'DataWatchRemoved',
  persistent: 'PersistentWatchRemoved',
  persistentRecursive: 'PersistentWatchRemoved',
};

/** The server types a WatcherType covers (Any: all four). */
export function serverTypesOf(type: WatcherTypeName): readonly ServerWatchType[] {
  return type === 'Any' ? SERVER_TYPES : [type];
}

/** Watchers removed by one removal, by the watch-removed event each is owed. */
export type RemovedWatchers = Map<EventTypeName, Set<Watcher>>;

/**
 * The client's watch bookkeeping (ZooKeeper's ZKWatchManager): which watchers a server event goes
 * to, what to re-register after a reconnect, and what removeWatches takes away. A watch is recorded
 * when the reply of the read that set it arrives; one-shot watches are dropped when they fire.
 */
export class WatchRegistry {
  private readonly tables: Record<WatchKind, Map<string, Set<Watcher>>> = {
    data: new Map(),
    exist: new Map(),
    child: new Map(),
    persistent: new Map(),
    persistentRecursive: new Map(),
  };

  /** Records a watch of `kind` on `path` for `watcher`. */
  add(kind: WatchKind, path: string, watcher: Watcher): void {
    const table = this.tables[kind];
    let set = table.get(path);
    if (set === undefined) {
      set = new Set();
      table.set(path, set);
    }
    set.add(watcher);
  }

  /** How many (kind, path, watcher) registrations there are. */
  get size(): number {
    let count = 0;
    for (const table of Object.values(this.tables)) for (const set of table.values()) count += set.size;
    return count;
  }

  /** The paths with a watch of `kind`. */
  paths(kind: WatchKind): string[] {
    return [...this.tables[kind].keys()];
  }

  /** The watchers of `kind` on `path`. */
  watchersOf(kind: WatchKind, path: string): ReadonlySet<Watcher> {
    return this.tables[kind].get(path) ?? new Set();
  }

  /**
   * Which watchers a node event goes to, removing the one-shot watches it fires (ZooKeeper's
   * materialize): NodeCreated and NodeDataChanged take the data and exist watches of the path;
   * NodeChildrenChanged the child watches; NodeDeleted all three. Persistent watches on the path get
   * every node event; persistent-recursive watches on the path or an ancestor get every node event
   * except NodeChildrenChanged. Each watcher appears once.
   */
  materialize(type: EventTypeName, path: string): Set<Watcher> {
    const result = new Set<Watcher>();
    const take = (kind: WatchKind): void => {
      const set = this.tables[kind].get(path);
      if (set === undefined) return;
      this.tables[kind].delete(path);
      for (const watcher of set) result.add(watcher);
    };
    switch (type) {
      case 'NodeCreated':
      case 'NodeDataChanged':
        take('data');
        take('exist');
        break;
      case 'NodeChildrenChanged':
        take('child');
        break;
      case 'NodeDeleted':
        take('data');
        take('exist');
        take('child');
        break;
      default:
        // Watch-removed and session events are never sent by a replica; they reach nobody here.
        return result;
    }
    for (const watcher of this.tables.persistent.get(path) ?? []) result.add(watcher);
    if (type !== 'NodeChildrenChanged') {
      for (const ancestor of pathAndAncestors(path)) {
        for (const watcher of this.tables.persistentRecursive.get(ancestor) ?? []) result.add(watcher);
      }
    }
    return result;
  }

  /** Every watcher of every watch (a session event goes to all of them). */
  allWatchers(): Set<Watcher> {
    const result = new Set<Watcher>();
    for (const table of Object.values(this.tables)) {
      for (const set of table.values()) for (const watcher of set) result.add(watcher);
    }
    return result;
  }

  /**
   * True when `watcher` (null: any watcher) has a watch of `type` on `path` (ZooKeeper's
   * containsWatcher: Data covers getData and exists watches, Any every kind).
   */
  contains(path: string, watcher: Watcher | null, type: WatcherTypeName): boolean {
    return serverTypesOf(type).some((serverType) => this.holds(path, watcher, KINDS_OF_TYPE[serverType]));
  }

  /**
   * The server-side watches that removing `watcher`'s watches of `type` on `path` leaves with no
   * watcher at all, so the replica should drop them; with `watcher` null, every one of `type`
   * that exists. A server watch another watcher still needs is kept.
   */
  serverTypesEmptiedBy(path: string, watcher: Watcher | null, type: WatcherTypeName): ServerWatchType[] {
    return serverTypesOf(type).filter((serverType) => {
      const kinds = KINDS_OF_TYPE[serverType];
      if (!this.holds(path, watcher, kinds)) return false;
      if (watcher === null) return true;
      return kinds.every((kind) => {
        const set = this.tables[kind].get(path);
        return set === undefined || (set.size === 1 && set.has(watcher));
      });
    });
  }

  /**
   * Removes `watcher`'s (null: every watcher's) watches of the server type `serverType` on `path`,
   * merging the removed watchers into `removed` by the event each is owed. True when anything went.
   */
  remove(path: string, watcher: Watcher | null, serverType: ServerWatchType, removed: RemovedWatchers): boolean {
    let any = false;
    for (const kind of KINDS_OF_TYPE[serverType]) {
      const table = this.tables[kind];
      const set = table.get(path);
      if (set === undefined) continue;
      const taken = watcher === null ? [...set] : set.has(watcher) ? [watcher] : [];
      if (taken.length === 0) continue;
      for (const w of taken) set.delete(w);
      if (set.size === 0) table.delete(path);
      const eventType = REMOVED_EVENT[kind];
      let owed = removed.get(eventType);
      if (owed === undefined) {
        owed = new Set();
        removed.set(eventType, owed);
      }
      for (const w of taken) owed.add(w);
      any = true;
    }
    return any;
  }

  /** The lists a setWatches request re-registers (ZooKeeper's order: data, exist, child, persistent, recursive). */
  lists(): SetWatchesLists {
    return {
      dataWatches: this.paths('data'),
      existWatches: this.paths('exist'),
      childWatches: this.paths('child'),
      persistentWatches: this.paths('persistent'),
      persistentRecursiveWatches: this.paths('persistentRecursive'),
    };
  }

  /** Forgets every watch (the session ended). */
  clear(): void {
    for (const table of Object.values(this.tables)) table.clear();
  }

  private holds(path: string, watcher: Watcher | null, kinds: readonly WatchKind[]): boolean {
    return kinds.some((kind) => {
      const set = this.tables[kind].get(path);
      if (set === undefined || set.size === 0) return false;
      return watcher === null || set.has(watcher);
    });
  }
}
