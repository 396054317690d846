import { describe, expect, it } from 'vitest';
import { isKeeperError } from '../../src/errors/keeper-error.js';
import { DEFAULT_WATCH_LIMITS, formatWatcher } from '../../src/watch/watch-limits.js';
import { WatchManager } from '../../src/watch/watch-manager.js';
import type { SetWatchesLists } from '../../src/watch/set-watches.js';

const A = 1n;
const B = 2n;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return isKeeperError(error) ? error.codeName : `not a KeeperError: ${String(error)}`;
  }
}

const noWatches: SetWatchesLists = {
  dataWatches: [],
  existWatches: [],
  childWatches: [],
  persistentWatches: [],
  persistentRecursiveWatches: [],
};

describe('watch limits (a deliberate difference: ZooKeeper has none)', () => {
  it('the defaults are 65,536 watches per watcher and 1,048,576 in all', () => {
    expect(new WatchManager().limits).toEqual(DEFAULT_WATCH_LIMITS);
    expect(DEFAULT_WATCH_LIMITS).toEqual({ maxWatchesPerWatcher: 65_536, maxWatchesTotal: 1_048_576 });
  });

  it('a watcher past maxWatchesPerWatcher gets QUOTAEXCEEDED naming the limit, and nothing changes', () => {
    const watches = new WatchManager({ maxWatchesPerWatcher: 2 });
    watches.addDataWatch(A, '/a');
    watches.addChildWatch(A, '/a');
    let error: unknown;
    try {
      watches.addDataWatch(A, '/b');
    } catch (caught) {
      error = caught;
    }
    expect(isKeeperError(error, 'QUOTAEXCEEDED')).toBe(true);
    expect(String(error)).toContain('maxWatchesPerWatcher');
    expect(watches.watchCountOf(A)).toBe(2);
    expect(watches.addDataWatch(B, '/b')).toBe(true);
  });

  it('a PERSISTENT watch needs room for two watches, or registers nothing', () => {
    const watches = new WatchManager({ maxWatchesPerWatcher: 2 });
    watches.addDataWatch(A, '/a');
    expect(codeOf(() => watches.addWatch(A, '/p', 'PERSISTENT'))).toBe('QUOTAEXCEEDED');
    expect(watches.hasWatch(A, '/p', 'Any')).toBe(false);
    expect(watches.watchCountOf(A)).toBe(1);
  });

  it('a mode added to a watch that exists takes no room, so it passes at the limit', () => {
    const watches = new WatchManager({ maxWatchesPerWatcher: 2 });
    watches.addWatch(A, '/p', 'PERSISTENT');
    expect(watches.addDataWatch(A, '/p')).toBe(true);
    expect(watches.addChildWatch(A, '/p')).toBe(true);
    expect(watches.addWatch(A, '/p', 'PERSISTENT_RECURSIVE')).toBe(true);
    expect(watches.watchCountOf(A)).toBe(2);
  });

  it('the replica past maxWatchesTotal gets QUOTAEXCEEDED naming the limit', () => {
    const watches = new WatchManager({ maxWatchesTotal: 2 });
    watches.addDataWatch(A, '/a');
    watches.addDataWatch(B, '/a');
    let error: unknown;
    try {
      watches.addDataWatch(3n, '/a');
    } catch (caught) {
      error = caught;
    }
    expect(isKeeperError(error, 'QUOTAEXCEEDED')).toBe(true);
    expect(String(error)).toContain('maxWatchesTotal');
    expect(watches.watchCount()).toBe(2);
  });

  it('a watch that fired, or was removed, frees its room', () => {
    const watches = new WatchManager({ maxWatchesPerWatcher: 1 });
    watches.addDataWatch(A, '/a');
    watches.trigger([{ path: '/a', type: 'NodeDataChanged' }], 2n);
    expect(watches.addDataWatch(A, '/b')).toBe(true);
    watches.removeWatches(A, '/b', 'Data');
    expect(watches.addChildWatch(A, '/c')).toBe(true);
  });

  it('setWatches past the limit registers nothing and delivers nothing', () => {
    const watches = new WatchManager({ maxWatchesPerWatcher: 3 });
    watches.addDataWatch(A, '/before');
    const tree = { stat: (path: string) => (path === '/x' ? { mzxid: 1n, pzxid: 1n } : null) };
    const sent = { ...noWatches, dataWatches: ['/gone', '/x'], persistentWatches: ['/p'] };
    expect(codeOf(() => watches.setWatches(A, 5n, sent, tree))).toBe('QUOTAEXCEEDED');
    expect(watches.watchCount()).toBe(1);
    const fits = { ...noWatches, dataWatches: ['/gone', '/x'], existWatches: ['/x'] };
    expect(watches.setWatches(A, 5n, fits, tree).map((d) => d.event.type)).toEqual(['NodeDeleted', 'NodeCreated']);
    expect(watches.watchCount()).toBe(2);
  });

  it('setWatches naming more paths than maxWatchesPerWatcher is QUOTAEXCEEDED, even if they all fire now', () => {
    const watches = new WatchManager({ maxWatchesPerWatcher: 2 });
    const tree = { stat: () => null };
    const sent = { ...noWatches, dataWatches: ['/g1', '/g2'], childWatches: ['/g3'] };
    expect(codeOf(() => watches.setWatches(A, 5n, sent, tree))).toBe('QUOTAEXCEEDED');
    expect(watches.setWatches(A, 5n, { ...sent, childWatches: [] }, tree)).toHaveLength(2);
  });

  it('limits that are not positive integers are BADARGUMENTS', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(codeOf(() => new WatchManager({ maxWatchesPerWatcher: bad }))).toBe('BADARGUMENTS');
      expect(codeOf(() => new WatchManager({ maxWatchesTotal: bad }))).toBe('BADARGUMENTS');
    }
  });
});

describe('admin counts (mntr watch_count, wchs, wchc, wchp)', () => {
  function sample(): WatchManager {
    const watches = new WatchManager();
    watches.addDataWatch(0x20n, '/b');
    watches.addDataWatch(0x10n, '/b');
    watches.addDataWatch(0x10n, '/a');
    watches.addChildWatch(0x10n, '/a');
    watches.addChildWatch(0x30n, '/c');
    watches.addWatch(0x20n, '/p', 'PERSISTENT');
    watches.addWatch(0x20n, '/r', 'PERSISTENT_RECURSIVE');
    return watches;
  }

  it('watchCount is data-table plus child-table watches (mntr zk_watch_count); PERSISTENT counts twice', () => {
    const watches = sample();
    expect(watches.watchCount()).toBe(8);
    expect(watches.watchCountOf(0x10n)).toBe(3);
    expect(watches.watchCountOf(0x20n)).toBe(4);
    expect(watches.watchCountOf(0x30n)).toBe(1);
    expect(watches.watchCountOf(0x99n)).toBe(0);
  });

  it("wchs, wchc and wchp cover the data table only, as ZooKeeper's do", () => {
    const watches = sample();
    expect(watches.summary()).toEqual({ watchers: 2, paths: 4, watches: 5 });
    expect(watches.byWatcher()).toEqual([
      { watcher: 0x10n, paths: ['/a', '/b'] },
      { watcher: 0x20n, paths: ['/b', '/p', '/r'] },
    ]);
    expect(watches.byPath()).toEqual([
      { path: '/a', watchers: [0x10n] },
      { path: '/b', watchers: [0x10n, 0x20n] },
      { path: '/p', watchers: [0x20n] },
      { path: '/r', watchers: [0x20n] },
    ]);
  });

  it("scope 'child' and 'all' report the child table and both", () => {
    const watches = sample();
    expect(watches.summary('child')).toEqual({ watchers: 3, paths: 3, watches: 3 });
    expect(watches.summary('all')).toEqual({ watchers: 3, paths: 5, watches: 8 });
    expect(watches.byWatcher('all').map((w) => [w.watcher, w.paths])).toEqual([
      [0x10n, ['/a', '/b']],
      [0x20n, ['/b', '/p', '/r']],
      [0x30n, ['/c']],
    ]);
    expect(watches.byPath('child')).toEqual([
      { path: '/a', watchers: [0x10n] },
      { path: '/c', watchers: [0x30n] },
      { path: '/p', watchers: [0x20n] },
    ]);
  });

  it('reports are sorted whatever the registration order', () => {
    const forward = new WatchManager();
    const backward = new WatchManager();
    const rows: [bigint, string][] = [
      [5n, '/z'],
      [1n, '/m'],
      [3n, '/a'],
      [1n, '/z'],
    ];
    for (const [w, p] of rows) forward.addDataWatch(w, p);
    for (const [w, p] of [...rows].reverse()) backward.addDataWatch(w, p);
    expect(forward.byWatcher()).toEqual(backward.byWatcher());
    expect(forward.byPath()).toEqual(backward.byPath());
  });

  it('session ids print as ZooKeeper prints them (Long.toHexString)', () => {
    expect(formatWatcher(0x10n)).toBe('0x10');
    expect(formatWatcher(0x1000000abcn)).toBe('0x1000000abc');
    expect(formatWatcher(-1n)).toBe('0xffffffffffffffff');
  });
});
