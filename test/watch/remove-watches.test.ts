import { describe, expect, it } from 'vitest';
import { isKeeperError } from '../../src/errors/keeper-error.js';
import { WatchManager } from '../../src/watch/watch-manager.js';
import { watcherTypeFromNumber, type WatcherTypeName } from '../../src/watch/watcher-type.js';
import { created, dataSet, deleted, show } from './txn-triggers.js';

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

/** One watcher with every kind of watch on /w. */
function everyKind(): WatchManager {
  const watches = new WatchManager();
  watches.addDataWatch(A, '/w');
  watches.addChildWatch(A, '/w');
  watches.addWatch(A, '/w', 'PERSISTENT');
  watches.addWatch(A, '/w', 'PERSISTENT_RECURSIVE');
  return watches;
}

describe('removeWatches (ZooKeeper 3.9 WatcherType semantics)', () => {
  it('Children removes the getChildren watch and gives ChildWatchRemoved', () => {
    const watches = everyKind();
    expect(show(watches.removeWatches(A, '/w', 'Children'))).toEqual(['1 ChildWatchRemoved /w -1']);
    expect(watches.hasWatch(A, '/w', 'Children')).toBe(false);
    expect(watches.hasWatch(A, '/w', 'Data')).toBe(true);
    expect(watches.hasWatch(A, '/w', 'Persistent')).toBe(true);
  });

  it('Data removes the getData/exists watch and gives DataWatchRemoved', () => {
    const watches = everyKind();
    expect(show(watches.removeWatches(A, '/w', 'Data'))).toEqual(['1 DataWatchRemoved /w -1']);
    expect(watches.hasWatch(A, '/w', 'Data')).toBe(false);
    expect(watches.hasWatch(A, '/w', 'Children')).toBe(true);
  });

  it('Data leaves a persistent watch on the same path firing', () => {
    const watches = new WatchManager();
    watches.addWatch(A, '/w', 'PERSISTENT');
    watches.addDataWatch(A, '/w');
    watches.removeWatches(A, '/w', 'Data');
    expect(show(watches.trigger(dataSet('/w'), 4n))).toEqual(['1 NodeDataChanged /w 4']);
    expect(show(watches.trigger(dataSet('/w'), 5n))).toEqual(['1 NodeDataChanged /w 5']);
  });

  it('Persistent removes a PERSISTENT watch from both tables and gives PersistentWatchRemoved', () => {
    const watches = new WatchManager();
    watches.addWatch(A, '/w', 'PERSISTENT');
    expect(show(watches.removeWatches(A, '/w', 'Persistent'))).toEqual(['1 PersistentWatchRemoved /w -1']);
    expect(watches.watchCount()).toBe(0);
    expect(watches.trigger([...dataSet('/w'), ...created('/w/c')], 4n)).toEqual([]);
  });

  it('Persistent leaves one-shot and recursive watches on the same path', () => {
    const watches = everyKind();
    watches.removeWatches(A, '/w', 'Persistent');
    expect(watches.hasWatch(A, '/w', 'Data')).toBe(true);
    expect(watches.hasWatch(A, '/w', 'Children')).toBe(true);
    expect(watches.hasWatch(A, '/w', 'PersistentRecursive')).toBe(true);
  });

  it('PersistentRecursive removes the recursive watch and gives PersistentWatchRemoved', () => {
    const watches = new WatchManager();
    watches.addWatch(A, '/w', 'PERSISTENT_RECURSIVE');
    expect(show(watches.removeWatches(A, '/w', 'PersistentRecursive'))).toEqual(['1 PersistentWatchRemoved /w -1']);
    expect(watches.trigger(dataSet('/w/x'), 4n)).toEqual([]);
  });

  it('Any removes every watch of the watcher on the path and gives one event per kind removed', () => {
    const watches = everyKind();
    expect(show(watches.removeWatches(A, '/w', 'Any'))).toEqual([
      '1 ChildWatchRemoved /w -1',
      '1 DataWatchRemoved /w -1',
      '1 PersistentWatchRemoved /w -1',
    ]);
    expect(watches.watchCount()).toBe(0);
    expect(watches.trigger(deleted('/w'), 4n)).toEqual([]);
  });

  it('Any on a path with only a data watch gives only DataWatchRemoved', () => {
    const watches = new WatchManager();
    watches.addDataWatch(A, '/w');
    expect(show(watches.removeWatches(A, '/w', 'Any'))).toEqual(['1 DataWatchRemoved /w -1']);
  });

  it('NOWATCHER when no watch matched, and nothing changes', () => {
    const cases: [setUp: (watches: WatchManager) => void, type: WatcherTypeName][] = [
      [() => {}, 'Any'],
      [(w) => w.addDataWatch(A, '/w'), 'Children'],
      [(w) => w.addChildWatch(A, '/w'), 'Data'],
      [(w) => w.addWatch(A, '/w', 'PERSISTENT'), 'Data'],
      [(w) => w.addWatch(A, '/w', 'PERSISTENT'), 'Children'],
      [(w) => w.addWatch(A, '/w', 'PERSISTENT'), 'PersistentRecursive'],
      [(w) => w.addWatch(A, '/w', 'PERSISTENT_RECURSIVE'), 'Persistent'],
      [(w) => w.addDataWatch(A, '/w/x'), 'Any'],
      [(w) => w.addDataWatch(B, '/w'), 'Any'],
    ];
    for (const [setUp, type] of cases) {
      const watches = new WatchManager();
      setUp(watches);
      const before = watches.byPath('all');
      expect(codeOf(() => watches.removeWatches(A, '/w', type)), `${setUp.toString()} ${type}`).toBe('NOWATCHER');
      expect(watches.byPath('all')).toEqual(before);
    }
  });

  it("removing one watcher's watch leaves another watcher's watches", () => {
    const watches = new WatchManager();
    watches.addDataWatch(A, '/w');
    watches.addDataWatch(B, '/w');
    watches.removeWatches(A, '/w', 'Any');
    expect(show(watches.trigger(dataSet('/w'), 3n))).toEqual(['2 NodeDataChanged /w 3']);
  });

  it('a bad path is BADARGUMENTS', () => {
    expect(codeOf(() => new WatchManager().removeWatches(A, 'w', 'Any'))).toBe('BADARGUMENTS');
  });

  it('removeAllWatches drops every watch of one watcher and reports how many', () => {
    const watches = everyKind();
    watches.addDataWatch(A, '/other');
    watches.addDataWatch(B, '/w');
    expect(watches.removeAllWatches(A)).toBe(3); // /w in the data table, /w in the child table, /other
    expect(watches.watchCountOf(A)).toBe(0);
    expect(watches.removeAllWatches(A)).toBe(0);
    expect(show(watches.trigger([...dataSet('/w'), ...dataSet('/other'), ...dataSet('/w/x')], 3n))).toEqual([
      '2 NodeDataChanged /w 3',
    ]);
  });

  it('hasWatch (checkWatches) answers for the same kinds removeWatches removes', () => {
    const watches = new WatchManager();
    watches.addWatch(A, '/p', 'PERSISTENT');
    expect(watches.hasWatch(A, '/p', 'Persistent')).toBe(true);
    expect(watches.hasWatch(A, '/p', 'Any')).toBe(true);
    expect(watches.hasWatch(A, '/p', 'Data')).toBe(false);
    expect(watches.hasWatch(A, '/p', 'Children')).toBe(false);
    expect(watches.hasWatch(A, '/p', 'PersistentRecursive')).toBe(false);
    expect(watches.hasWatch(B, '/p', 'Any')).toBe(false);
  });

  it("watcherTypeFromNumber maps ZooKeeper's numbers (Children 1, Data 2, Any 3, Persistent 4, PersistentRecursive 5)", () => {
    expect([1, 2, 3, 4, 5].map(watcherTypeFromNumber)).toEqual([
      'Children',
      'Data',
      'Any',
      'Persistent',
      'PersistentRecursive',
    ]);
    for (const bad of [0, 6, -1, 1.5]) expect(codeOf(() => watcherTypeFromNumber(bad))).toBe('BADARGUMENTS');
  });
});
