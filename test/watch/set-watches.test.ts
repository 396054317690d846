import { describe, expect, it } from 'vitest';
import { isKeeperError } from '../../src/errors/keeper-error.js';
import type { SetWatchesLists, WatchNodeStat, WatchTreeView } from '../../src/watch/set-watches.js';
import { WatchManager } from '../../src/watch/watch-manager.js';
import { created, dataSet, deleted, show } from './txn-triggers.js';

const A = 1n;

/** A tree view over a fixed table of nodes (what the replica's data tree answers). */
function treeOf(nodes: Record<string, WatchNodeStat>): WatchTreeView {
  return { stat: (path) => nodes[path] ?? null };
}

function lists(partial: Partial<SetWatchesLists>): SetWatchesLists {
  return {
    dataWatches: [],
    existWatches: [],
    childWatches: [],
    persistentWatches: [],
    persistentRecursiveWatches: [],
    ...partial,
  };
}

const tree = treeOf({
  '/old': { mzxid: 5n, pzxid: 5n },
  '/changed': { mzxid: 12n, pzxid: 5n },
  '/kids': { mzxid: 5n, pzxid: 12n },
  '/edge': { mzxid: 10n, pzxid: 10n },
});

describe('setWatches on reconnect (ZooKeeper DataTree.setWatches)', () => {
  it('a data watch whose node is gone gets NodeDeleted now', () => {
    const watches = new WatchManager();
    expect(show(watches.setWatches(A, 10n, lists({ dataWatches: ['/gone'] }), tree))).toEqual(['1 NodeDeleted /gone -1']);
    expect(watches.watchCount()).toBe(0);
  });

  it('a data watch whose node changed after relativeZxid (mzxid > relativeZxid) gets NodeDataChanged now', () => {
    const watches = new WatchManager();
    expect(show(watches.setWatches(A, 10n, lists({ dataWatches: ['/changed'] }), tree))).toEqual([
      '1 NodeDataChanged /changed -1',
    ]);
    expect(watches.watchCount()).toBe(0);
  });

  it('a data watch whose node has mzxid <= relativeZxid is re-registered and fires later', () => {
    const watches = new WatchManager();
    expect(watches.setWatches(A, 10n, lists({ dataWatches: ['/old', '/edge'] }), tree)).toEqual([]);
    expect(show(watches.trigger([...dataSet('/old'), ...dataSet('/edge')], 13n))).toEqual([
      '1 NodeDataChanged /old 13',
      '1 NodeDataChanged /edge 13',
    ]);
  });

  it('an exist watch whose node exists now gets NodeCreated now', () => {
    const watches = new WatchManager();
    expect(show(watches.setWatches(A, 10n, lists({ existWatches: ['/old'] }), tree))).toEqual(['1 NodeCreated /old -1']);
    expect(watches.watchCount()).toBe(0);
  });

  it('an exist watch whose node is still missing is re-registered and fires NodeCreated later', () => {
    const watches = new WatchManager();
    expect(watches.setWatches(A, 10n, lists({ existWatches: ['/later'] }), tree)).toEqual([]);
    expect(show(watches.trigger(created('/later'), 13n))).toEqual(['1 NodeCreated /later 13']);
  });

  it('a child watch whose node is gone gets NodeDeleted now', () => {
    const watches = new WatchManager();
    expect(show(watches.setWatches(A, 10n, lists({ childWatches: ['/gone'] }), tree))).toEqual(['1 NodeDeleted /gone -1']);
  });

  it('a child watch whose node has pzxid > relativeZxid gets NodeChildrenChanged now', () => {
    const watches = new WatchManager();
    expect(show(watches.setWatches(A, 10n, lists({ childWatches: ['/kids'] }), tree))).toEqual([
      '1 NodeChildrenChanged /kids -1',
    ]);
    expect(watches.watchCount()).toBe(0);
  });

  it('a child watch ignores mzxid and is re-registered while pzxid <= relativeZxid', () => {
    const watches = new WatchManager();
    expect(watches.setWatches(A, 10n, lists({ childWatches: ['/changed', '/edge'] }), tree)).toEqual([]);
    expect(show(watches.trigger([...created('/changed/x'), ...deleted('/edge/y')], 13n))).toEqual([
      '1 NodeChildrenChanged /changed 13',
      '1 NodeChildrenChanged /edge 13',
    ]);
  });

  it('persistent and recursive watches are re-registered; events they missed are not delivered', () => {
    const watches = new WatchManager();
    const sent = lists({ persistentWatches: ['/changed', '/gone'], persistentRecursiveWatches: ['/kids', '/gone2'] });
    expect(watches.setWatches(A, 10n, sent, tree)).toEqual([]);
    expect(watches.hasWatch(A, '/changed', 'Persistent')).toBe(true);
    expect(watches.hasWatch(A, '/gone', 'Persistent')).toBe(true);
    expect(watches.hasWatch(A, '/kids', 'PersistentRecursive')).toBe(true);
    expect(watches.watchCount()).toBe(6);
    expect(show(watches.trigger([...created('/gone'), ...dataSet('/kids/a')], 13n))).toEqual([
      '1 NodeCreated /gone 13',
      '1 NodeDataChanged /kids/a 13',
    ]);
  });

  it('immediate events carry zxid -1 and come in list order: data, exist, child', () => {
    const watches = new WatchManager();
    const sent = lists({ childWatches: ['/kids', '/gone'], existWatches: ['/edge'], dataWatches: ['/gone', '/changed'] });
    expect(show(watches.setWatches(A, 10n, sent, tree))).toEqual([
      '1 NodeDeleted /gone -1',
      '1 NodeDataChanged /changed -1',
      '1 NodeCreated /edge -1',
      '1 NodeChildrenChanged /kids -1',
      '1 NodeDeleted /gone -1',
    ]);
  });

  it('a path sent in two lists is handled once per list', () => {
    const watches = new WatchManager();
    expect(watches.setWatches(A, 10n, lists({ dataWatches: ['/old'], childWatches: ['/old'] }), tree)).toEqual([]);
    expect(watches.watchCount()).toBe(2);
    expect(show(watches.trigger(deleted('/old'), 11n))).toEqual(['1 NodeDeleted /old 11']);
  });

  it('a bad path anywhere rejects the whole setWatches with BADARGUMENTS, registering nothing', () => {
    const watches = new WatchManager();
    let code: string | undefined;
    try {
      watches.setWatches(A, 10n, lists({ dataWatches: ['/old'], persistentWatches: ['/p', 'bad'] }), tree);
    } catch (error) {
      code = isKeeperError(error) ? error.codeName : String(error);
    }
    expect(code).toBe('BADARGUMENTS');
    expect(watches.watchCount()).toBe(0);
  });
});
