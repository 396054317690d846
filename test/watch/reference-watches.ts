/**
 * A deliberately dumb model of ZooKeeper 3.9's server-side watch rules, for the property test: a
 * flat list of (watcher, path, kind) rows scanned on every call. It knows nothing of tables, mode
 * flags or parent walks; it restates the rules from ZooKeeper's documentation and DataTree.
 */
import type { WatchTrigger } from '../../src/tree/watch-event.js';
import type { WatcherTypeName } from '../../src/watch/watcher-type.js';

export type ReferenceKind = 'data' | 'child' | 'persistent' | 'recursive';

interface Row {
  readonly watcher: bigint;
  readonly path: string;
  readonly kind: ReferenceKind;
}

export interface ReferenceStat {
  readonly mzxid: bigint;
  readonly pzxid: bigint;
}

export interface ReferenceSetWatches {
  readonly dataWatches: readonly string[];
  readonly existWatches: readonly string[];
  readonly childWatches: readonly string[];
  readonly persistentWatches: readonly string[];
  readonly persistentRecursiveWatches: readonly string[];
}

/** Kinds that make a watcher's (path) count as a watch in the data table, and in the child table. */
const DATA_TABLE_KINDS: readonly ReferenceKind[] = ['data', 'persistent', 'recursive'];
const CHILD_TABLE_KINDS: readonly ReferenceKind[] = ['child', 'persistent'];

function isStrictAncestor(ancestor: string, path: string): boolean {
  if (ancestor === path) return false;
  if (ancestor === '/') return true;
  return path.startsWith(`${ancestor}/`);
}

export class ReferenceWatches {
  private rows: Row[] = [];

  constructor(
    private readonly maxPerWatcher: number,
    private readonly maxTotal: number,
  ) {}

  private has(watcher: bigint, path: string, kind: ReferenceKind): boolean {
    return this.rows.some((r) => r.watcher === watcher && r.path === path && r.kind === kind);
  }

  private countIn(rows: readonly Row[], watcher?: bigint): number {
    const keys = new Set<string>();
    for (const row of rows) {
      if (watcher !== undefined && row.watcher !== watcher) continue;
      if (DATA_TABLE_KINDS.includes(row.kind)) keys.add(`data ${row.watcher} ${row.path}`);
      if (CHILD_TABLE_KINDS.includes(row.kind)) keys.add(`child ${row.watcher} ${row.path}`);
    }
    return keys.size;
  }

  watchCount(): number {
    return this.countIn(this.rows);
  }

  watchCountOf(watcher: bigint): number {
    return this.countIn(this.rows, watcher);
  }

  /** Adds rows; 'QUOTAEXCEEDED' (and no change) when the counts after would pass a limit. */
  add(watcher: bigint, additions: readonly { path: string; kind: ReferenceKind }[]): boolean | 'QUOTAEXCEEDED' {
    const next = [...this.rows];
    let anything = false;
    for (const { path, kind } of additions) {
      if (next.some((r) => r.watcher === watcher && r.path === path && r.kind === kind)) continue;
      next.push({ watcher, path, kind });
      anything = true;
    }
    if (this.countIn(next, watcher) > this.maxPerWatcher || this.countIn(next) > this.maxTotal) return 'QUOTAEXCEEDED';
    this.rows = next;
    return anything;
  }

  /** Deliveries as "watcher type path zxid", in trigger order, then ascending watcher. */
  trigger(triggers: readonly WatchTrigger[], zxid: bigint): string[] {
    const out: string[] = [];
    for (const { path, type } of triggers) {
      const fires = (row: Row): boolean => {
        switch (type) {
          case 'NodeCreated':
          case 'NodeDataChanged':
            return (
              (row.path === path && DATA_TABLE_KINDS.includes(row.kind)) ||
              (row.kind === 'recursive' && isStrictAncestor(row.path, path))
            );
          case 'NodeDeleted':
            return (
              (row.path === path && (DATA_TABLE_KINDS.includes(row.kind) || row.kind === 'child')) ||
              (row.kind === 'recursive' && isStrictAncestor(row.path, path))
            );
          case 'NodeChildrenChanged':
            return row.path === path && CHILD_TABLE_KINDS.includes(row.kind);
        }
      };
      const consumed = (row: Row): boolean => {
        if (row.path !== path) return false;
        if (type === 'NodeChildrenChanged') return row.kind === 'child';
        if (type === 'NodeDeleted') return row.kind === 'data' || row.kind === 'child';
        return row.kind === 'data';
      };
      const watchers = [...new Set(this.rows.filter(fires).map((r) => r.watcher))].sort((a, b) => (a < b ? -1 : 1));
      this.rows = this.rows.filter((r) => !consumed(r));
      for (const watcher of watchers) out.push(`${watcher} ${type} ${path} ${zxid}`);
    }
    return out;
  }

  /** Removal events as strings, or 'NOWATCHER' (and no change). */
  remove(watcher: bigint, path: string, type: WatcherTypeName): string[] | 'NOWATCHER' {
    const kinds: Record<WatcherTypeName, readonly ReferenceKind[]> = {
      Children: ['child'],
      Data: ['data'],
      Persistent: ['persistent'],
      PersistentRecursive: ['recursive'],
      Any: ['child', 'data', 'persistent', 'recursive'],
    };
    const matches = (r: Row): boolean => r.watcher === watcher && r.path === path && kinds[type].includes(r.kind);
    const removed = this.rows.filter(matches);
    if (removed.length === 0) return 'NOWATCHER';
    this.rows = this.rows.filter((r) => !matches(r));
    const events: string[] = [];
    if (removed.some((r) => r.kind === 'child')) events.push(`${watcher} ChildWatchRemoved ${path} -1`);
    if (removed.some((r) => r.kind === 'data')) events.push(`${watcher} DataWatchRemoved ${path} -1`);
    if (removed.some((r) => r.kind === 'persistent' || r.kind === 'recursive')) {
      events.push(`${watcher} PersistentWatchRemoved ${path} -1`);
    }
    return events;
  }

  removeAll(watcher: bigint): void {
    this.rows = this.rows.filter((r) => r.watcher !== watcher);
  }

  hasWatch(watcher: bigint, path: string, type: WatcherTypeName): boolean {
    switch (type) {
      case 'Children':
        return this.has(watcher, path, 'child');
      case 'Data':
        return this.has(watcher, path, 'data');
      case 'Persistent':
        return this.has(watcher, path, 'persistent');
      case 'PersistentRecursive':
        return this.has(watcher, path, 'recursive');
      case 'Any':
        return this.rows.some((r) => r.watcher === watcher && r.path === path);
    }
  }

  /** wchp over the data table: path -> ascending watchers, paths sorted. */
  dataByPath(): { path: string; watchers: bigint[] }[] {
    const paths = [...new Set(this.rows.filter((r) => DATA_TABLE_KINDS.includes(r.kind)).map((r) => r.path))].sort();
    return paths.map((path) => ({
      path,
      watchers: [
        ...new Set(this.rows.filter((r) => r.path === path && DATA_TABLE_KINDS.includes(r.kind)).map((r) => r.watcher)),
      ].sort((a, b) => (a < b ? -1 : 1)),
    }));
  }

  setWatches(
    watcher: bigint,
    relativeZxid: bigint,
    lists: ReferenceSetWatches,
    nodes: ReadonlyMap<string, ReferenceStat>,
  ): string[] | 'QUOTAEXCEEDED' {
    const named = Object.values(lists).reduce((sum: number, list: readonly string[]) => sum + list.length, 0);
    if (named > this.maxPerWatcher) return 'QUOTAEXCEEDED';
    const events: string[] = [];
    const additions: { path: string; kind: ReferenceKind }[] = [];
    for (const path of lists.dataWatches) {
      const node = nodes.get(path);
      if (node === undefined) events.push(`${watcher} NodeDeleted ${path} -1`);
      else if (node.mzxid > relativeZxid) events.push(`${watcher} NodeDataChanged ${path} -1`);
      else additions.push({ path, kind: 'data' });
    }
    for (const path of lists.existWatches) {
      if (nodes.has(path)) events.push(`${watcher} NodeCreated ${path} -1`);
      else additions.push({ path, kind: 'data' });
    }
    for (const path of lists.childWatches) {
      const node = nodes.get(path);
      if (node === undefined) events.push(`${watcher} NodeDeleted ${path} -1`);
      else if (node.pzxid > relativeZxid) events.push(`${watcher} NodeChildrenChanged ${path} -1`);
      else additions.push({ path, kind: 'child' });
    }
    for (const path of lists.persistentWatches) additions.push({ path, kind: 'persistent' });
    for (const path of lists.persistentRecursiveWatches) additions.push({ path, kind: 'recursive' });
    if (this.add(watcher, additions) === 'QUOTAEXCEEDED') return 'QUOTAEXCEEDED';
    return events;
  }
}
