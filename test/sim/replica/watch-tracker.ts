import type { Stat } from '../../../src/tree/stat.js';
import type { WatchedEvent } from '../../../src/tree/watch-event.js';

/** What a reply tells a client about one path: absent, present (stat unknown), or its stat. */
export type Observation = { readonly exists: false } | { readonly exists: true; readonly stat?: Stat };

interface DataWatch {
  /** exists(watch) on a missing node leaves a watch for its creation (setWatches' existWatches). */
  readonly existed: boolean;
  readonly czxid: bigint;
  readonly mzxid: bigint;
}

interface ChildWatch {
  readonly czxid: bigint;
  readonly pzxid: bigint;
}

const hex = (zxid: bigint): string => `0x${zxid.toString(16)}`;

/**
 * One session's one-shot watches as its client knows them (ZooKeeper's client-side watch
 * registrations), and the checks of the watch guarantees:
 * - a client sees a watch event before any reply showing data newer than the change that fired it
 *   (a reply revealing that a watched path changed since the watch was set, while the watch has
 *   not fired, is a violation);
 * - one-shot watches fire at most once (an event with no watch left to fire is a violation);
 * - an event is of a kind the watch can fire (NodeCreated only for a creation watch, ...).
 * Watches stay across reconnects (the client re-registers them with setWatches) and die with the
 * session.
 */
export class WatchTracker {
  private readonly data = new Map<string, DataWatch>();
  private readonly child = new Map<string, ChildWatch>();
  /**
   * Events the current setWatches delivered (zxid -1), by path. ZooKeeper's setWatches handles a
   * path once per list, so a path in the data and the child list that is gone gets NodeDeleted
   * twice (its client drops the second: no watch is left); meshkeeper does the same.
   */
  private readonly setWatchesFired = new Map<string, string>();

  get size(): number {
    return this.data.size + this.child.size;
  }

  /** The lists of a SetWatches request. */
  lists(): { dataWatches: string[]; existWatches: string[]; childWatches: string[] } {
    const dataWatches: string[] = [];
    const existWatches: string[] = [];
    for (const [path, watch] of this.data) (watch.existed ? dataWatches : existWatches).push(path);
    return { dataWatches, existWatches, childWatches: [...this.child.keys()] };
  }

  /** getData(watch) or exists(watch) succeeded: stat null for exists on a missing node. */
  registerData(path: string, stat: Stat | null): void {
    this.data.set(path, stat === null ? { existed: false, czxid: 0n, mzxid: 0n } : { existed: true, czxid: stat.czxid, mzxid: stat.mzxid });
  }

  registerChild(path: string, stat: Stat): void {
    this.child.set(path, { czxid: stat.czxid, pzxid: stat.pzxid });
  }

  /** A reply arrived: the events of an earlier setWatches are over. */
  replyArrived(): void {
    this.setWatchesFired.clear();
  }

  /** A watch event arrived: consume the watches it fires; answers a violation or null. */
  onEvent(event: WatchedEvent): string | null {
    const { path, type } = event;
    if (event.zxid === -1n) {
      if (this.setWatchesFired.get(path) === type && !this.data.has(path) && !this.child.has(path)) return null;
      this.setWatchesFired.set(path, type);
    }
    const data = this.data.get(path);
    const child = this.child.get(path);
    const what = `${type} ${path} (zxid ${hex(event.zxid)})`;
    switch (type) {
      case 'NodeCreated':
        if (data === undefined) return `event ${what} with no watch on the path left to fire (a one-shot watch fired twice?)`;
        if (data.existed) return `event ${what} fired a watch set while the node existed (no NodeDeleted came before)`;
        this.data.delete(path);
        return null;
      case 'NodeDataChanged':
        if (data === undefined) return `event ${what} with no data watch on the path left to fire (a one-shot watch fired twice?)`;
        if (!data.existed) return `event ${what} fired a watch set while the node was missing (NodeCreated expected first)`;
        this.data.delete(path);
        return null;
      case 'NodeDeleted':
        if (data === undefined && child === undefined) return `event ${what} with no watch on the path left to fire (a one-shot watch fired twice?)`;
        if (data !== undefined && !data.existed && child === undefined) return `event ${what} fired a watch set while the node was missing`;
        this.data.delete(path);
        this.child.delete(path);
        return null;
      case 'NodeChildrenChanged':
        if (child === undefined) return `event ${what} with no child watch on the path left to fire (a one-shot watch fired twice?)`;
        this.child.delete(path);
        return null;
      default:
        return null;
    }
  }

  /**
   * A reply showed the path's state now. If the path changed since a watch on it was set and that
   * watch has not fired, the event was not delivered before this reply: answers the violation.
   */
  reveal(path: string, seen: Observation, where: string): string | null {
    const data = this.data.get(path);
    if (data !== undefined) {
      let changed: string | null = null;
      if (data.existed && !seen.exists) changed = 'the node is gone';
      else if (!data.existed && seen.exists) changed = 'the node exists now';
      else if (data.existed && seen.exists && seen.stat !== undefined && (seen.stat.czxid !== data.czxid || seen.stat.mzxid !== data.mzxid)) {
        changed = `czxid/mzxid ${hex(seen.stat.czxid)}/${hex(seen.stat.mzxid)}, watch set at ${hex(data.czxid)}/${hex(data.mzxid)}`;
      }
      if (changed !== null) return `${where} shows ${path} changed (${changed}) but the data watch on it never fired`;
    }
    const child = this.child.get(path);
    if (child !== undefined) {
      let changed: string | null = null;
      if (!seen.exists) changed = 'the node is gone';
      else if (seen.stat !== undefined && (seen.stat.czxid !== child.czxid || seen.stat.pzxid !== child.pzxid)) {
        changed = `pzxid ${hex(seen.stat.pzxid)}, watch set at ${hex(child.pzxid)}`;
      }
      if (changed !== null) return `${where} shows the children of ${path} changed (${changed}) but the child watch on it never fired`;
    }
    return null;
  }

  /** A reply showed that a child of `parent` was created or deleted by the txn at `zxid`. */
  revealChildChange(parent: string, zxid: bigint, where: string): string | null {
    const child = this.child.get(parent);
    if (child === undefined || zxid <= child.pzxid) return null;
    return `${where} shows a child of ${parent} changed at ${hex(zxid)} (after the child watch set at pzxid ${hex(child.pzxid)}) but the watch never fired`;
  }
}
