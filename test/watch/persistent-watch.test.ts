import { describe, expect, it } from 'vitest';
import { WatchManager } from '../../src/watch/watch-manager.js';
import { created, dataSet, deleted, show } from './txn-triggers.js';

const A = 1n;
const B = 2n;

describe('PERSISTENT watches (addWatch)', () => {
  it("PERSISTENT fires its node's NodeCreated, NodeDataChanged, NodeChildrenChanged and NodeDeleted, and stays", () => {
    const watches = new WatchManager();
    expect(watches.addWatch(A, '/p', 'PERSISTENT')).toBe(true);
    const life = [...created('/p'), ...dataSet('/p'), ...dataSet('/p'), ...created('/p/c'), ...deleted('/p/c'), ...deleted('/p')];
    expect(show(watches.trigger(life, 7n))).toEqual([
      '1 NodeCreated /p 7',
      '1 NodeDataChanged /p 7',
      '1 NodeDataChanged /p 7',
      '1 NodeChildrenChanged /p 7',
      '1 NodeChildrenChanged /p 7',
      '1 NodeDeleted /p 7',
    ]);
    expect(watches.hasWatch(A, '/p', 'Persistent')).toBe(true);
  });

  it('PERSISTENT stays after its node is deleted and fires when the node is created again', () => {
    const watches = new WatchManager();
    watches.addWatch(A, '/p', 'PERSISTENT');
    watches.trigger(deleted('/p'), 3n);
    expect(show(watches.trigger(created('/p'), 4n))).toEqual(['1 NodeCreated /p 4']);
  });

  it("PERSISTENT does not fire for descendants' own events", () => {
    const watches = new WatchManager();
    watches.addWatch(A, '/p', 'PERSISTENT');
    expect(watches.trigger([...dataSet('/p/c'), ...created('/p/c/d'), ...deleted('/p/c/d')], 3n)).toEqual([]);
  });

  it('PERSISTENT on a deleted node gives one NodeDeleted, though both tables hold it', () => {
    const watches = new WatchManager();
    watches.addWatch(A, '/p', 'PERSISTENT');
    expect(watches.watchCount()).toBe(2);
    expect(show(watches.trigger(deleted('/p'), 3n))).toEqual(['1 NodeDeleted /p 3']);
    expect(watches.watchCount()).toBe(2);
  });

  it('a one-shot and a persistent watch of one watcher on one path give ONE event; the one-shot is consumed', () => {
    const watches = new WatchManager();
    watches.addWatch(A, '/p', 'PERSISTENT');
    watches.addDataWatch(A, '/p');
    watches.addChildWatch(A, '/p');
    expect(watches.watchCount()).toBe(2);
    expect(show(watches.trigger([...dataSet('/p'), ...created('/p/c')], 3n))).toEqual([
      '1 NodeDataChanged /p 3',
      '1 NodeChildrenChanged /p 3',
    ]);
    expect(watches.hasWatch(A, '/p', 'Data')).toBe(false);
    expect(watches.hasWatch(A, '/p', 'Children')).toBe(false);
    expect(watches.hasWatch(A, '/p', 'Persistent')).toBe(true);
    expect(show(watches.trigger(dataSet('/p'), 4n))).toEqual(['1 NodeDataChanged /p 4']);
  });

  it('addWatch of a mode already registered changes nothing and says so', () => {
    const watches = new WatchManager();
    expect(watches.addWatch(A, '/p', 'PERSISTENT')).toBe(true);
    expect(watches.addWatch(A, '/p', 'PERSISTENT')).toBe(false);
    expect(watches.watchCount()).toBe(2);
  });
});

describe('PERSISTENT_RECURSIVE watches (addWatch)', () => {
  it('PERSISTENT_RECURSIVE fires for the node and every descendant: created, changed, deleted', () => {
    const watches = new WatchManager();
    watches.addWatch(A, '/r', 'PERSISTENT_RECURSIVE');
    const txns = [...created('/r'), ...created('/r/a'), ...created('/r/a/b'), ...dataSet('/r/a/b'), ...deleted('/r/a/b'), ...dataSet('/r')];
    expect(show(watches.trigger(txns, 8n))).toEqual([
      '1 NodeCreated /r 8',
      '1 NodeCreated /r/a 8',
      '1 NodeCreated /r/a/b 8',
      '1 NodeDataChanged /r/a/b 8',
      '1 NodeDeleted /r/a/b 8',
      '1 NodeDataChanged /r 8',
    ]);
  });

  it('PERSISTENT_RECURSIVE never gets NodeChildrenChanged', () => {
    const watches = new WatchManager();
    watches.addWatch(A, '/r', 'PERSISTENT_RECURSIVE');
    const childEvents = [
      { path: '/r', type: 'NodeChildrenChanged' as const },
      { path: '/r/a', type: 'NodeChildrenChanged' as const },
    ];
    expect(watches.trigger(childEvents, 8n)).toEqual([]);
  });

  it('PERSISTENT_RECURSIVE does not fire outside its subtree, even for a sibling with a common prefix', () => {
    const watches = new WatchManager();
    watches.addWatch(A, '/r', 'PERSISTENT_RECURSIVE');
    expect(watches.trigger([...created('/rx'), ...dataSet('/'), ...created('/q/r')], 8n)).toEqual([]);
  });

  it("PERSISTENT_RECURSIVE on '/' sees every node", () => {
    const watches = new WatchManager();
    watches.addWatch(A, '/', 'PERSISTENT_RECURSIVE');
    expect(show(watches.trigger([...created('/x'), ...dataSet('/x/y/z'), ...dataSet('/')], 2n))).toEqual([
      '1 NodeCreated /x 2',
      '1 NodeDataChanged /x/y/z 2',
      '1 NodeDataChanged / 2',
    ]);
  });

  it('PERSISTENT_RECURSIVE stays: it fires again and again', () => {
    const watches = new WatchManager();
    watches.addWatch(A, '/r', 'PERSISTENT_RECURSIVE');
    for (let zxid = 1n; zxid <= 3n; zxid++) {
      expect(show(watches.trigger(dataSet('/r/a'), zxid))).toEqual([`1 NodeDataChanged /r/a ${zxid}`]);
    }
    expect(watches.watchCount()).toBe(1);
  });

  it('a recursive watch on an ancestor and a one-shot watch on the node give one event', () => {
    const watches = new WatchManager();
    watches.addWatch(A, '/r', 'PERSISTENT_RECURSIVE');
    watches.addDataWatch(A, '/r/a');
    expect(show(watches.trigger(dataSet('/r/a'), 3n))).toEqual(['1 NodeDataChanged /r/a 3']);
    expect(watches.hasWatch(A, '/r/a', 'Data')).toBe(false);
  });

  it('nested recursive watches of one watcher give one event', () => {
    const watches = new WatchManager();
    watches.addWatch(A, '/', 'PERSISTENT_RECURSIVE');
    watches.addWatch(A, '/r', 'PERSISTENT_RECURSIVE');
    watches.addWatch(A, '/r/a', 'PERSISTENT_RECURSIVE');
    expect(show(watches.trigger(dataSet('/r/a/b'), 3n))).toEqual(['1 NodeDataChanged /r/a/b 3']);
  });

  it('PERSISTENT and PERSISTENT_RECURSIVE of one watcher on one path give one event', () => {
    const watches = new WatchManager();
    watches.addWatch(A, '/r', 'PERSISTENT');
    watches.addWatch(A, '/r', 'PERSISTENT_RECURSIVE');
    expect(watches.watchCount()).toBe(2);
    expect(show(watches.trigger(deleted('/r'), 3n))).toEqual(['1 NodeDeleted /r 3']);
  });

  it("a descendant's delete reaches a recursive watcher once, and the parent's NodeChildrenChanged does not", () => {
    const watches = new WatchManager();
    watches.addWatch(A, '/r', 'PERSISTENT_RECURSIVE');
    watches.addChildWatch(B, '/r');
    expect(show(watches.trigger(deleted('/r/a'), 3n))).toEqual(['1 NodeDeleted /r/a 3', '2 NodeChildrenChanged /r 3']);
  });

  it('a standard child watch under a recursive watch still delivers NodeChildrenChanged to that session', () => {
    // The server delivers it for the child watch; ZooKeeper's client keeps it from its recursive watchers.
    const watches = new WatchManager();
    watches.addWatch(A, '/r', 'PERSISTENT_RECURSIVE');
    watches.addChildWatch(A, '/r/a');
    expect(show(watches.trigger(created('/r/a/b'), 3n))).toEqual([
      '1 NodeCreated /r/a/b 3',
      '1 NodeChildrenChanged /r/a 3',
    ]);
  });
});
