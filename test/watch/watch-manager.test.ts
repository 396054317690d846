import { describe, expect, it } from 'vitest';
import { isKeeperError } from '../../src/errors/keeper-error.js';
import type { WatchTrigger } from '../../src/tree/watch-event.js';
import { WatchManager } from '../../src/watch/watch-manager.js';
import { created, dataSet, deleted, show } from './txn-triggers.js';

const A = 1n;
const B = 2n;
const C = 3n;

describe('one-shot watches (getData, exists, getChildren)', () => {
  it('exists(watch) on an existing node fires on NodeDataChanged', () => {
    const watches = new WatchManager();
    expect(watches.registerForRead(A, 'exists', '/a', true)).toBe('data');
    expect(show(watches.trigger(dataSet('/a'), 5n))).toEqual(['1 NodeDataChanged /a 5']);
  });

  it('exists(watch) on an existing node fires on NodeDeleted', () => {
    const watches = new WatchManager();
    watches.registerForRead(A, 'exists', '/a', true);
    expect(show(watches.trigger(deleted('/a'), 5n))).toEqual(['1 NodeDeleted /a 5']);
  });

  it('exists(watch) on a missing node fires on NodeCreated', () => {
    const watches = new WatchManager();
    expect(watches.registerForRead(A, 'exists', '/a', false)).toBe('data');
    expect(show(watches.trigger(created('/a'), 5n))).toEqual(['1 NodeCreated /a 5']);
  });

  it('an exists-watch on a missing node fires NodeCreated once; a later delete fires nothing', () => {
    const watches = new WatchManager();
    watches.registerForRead(A, 'exists', '/a', false);
    expect(show(watches.trigger(created('/a'), 5n))).toEqual(['1 NodeCreated /a 5']);
    expect(watches.trigger(dataSet('/a'), 6n)).toEqual([]);
    expect(watches.trigger(deleted('/a'), 7n)).toEqual([]);
    expect(watches.watchCount()).toBe(0);
  });

  it('getData(watch) fires on NodeDataChanged and on NodeDeleted', () => {
    const watches = new WatchManager();
    watches.registerForRead(A, 'getData', '/a', true);
    expect(show(watches.trigger(dataSet('/a'), 5n))).toEqual(['1 NodeDataChanged /a 5']);
    watches.registerForRead(A, 'getData', '/a', true);
    expect(show(watches.trigger(deleted('/a'), 6n))).toEqual(['1 NodeDeleted /a 6']);
  });

  it('getData and getChildren on a missing node register nothing (the read fails NONODE)', () => {
    const watches = new WatchManager();
    expect(watches.registerForRead(A, 'getData', '/a', false)).toBeNull();
    expect(watches.registerForRead(A, 'getChildren', '/a', false)).toBeNull();
    expect(watches.watchCount()).toBe(0);
    expect(watches.trigger([...created('/a'), ...created('/a/b'), ...deleted('/a/b')], 5n)).toEqual([]);
  });

  it('getChildren(watch) fires NodeChildrenChanged when a child is created', () => {
    const watches = new WatchManager();
    expect(watches.registerForRead(A, 'getChildren', '/a', true)).toBe('child');
    expect(show(watches.trigger(created('/a/b'), 5n))).toEqual(['1 NodeChildrenChanged /a 5']);
  });

  it('getChildren(watch) fires NodeChildrenChanged when a child is deleted', () => {
    const watches = new WatchManager();
    watches.registerForRead(A, 'getChildren', '/a', true);
    expect(show(watches.trigger(deleted('/a/b'), 5n))).toEqual(['1 NodeChildrenChanged /a 5']);
  });

  it('getChildren(watch) fires NodeDeleted when its node is deleted', () => {
    const watches = new WatchManager();
    watches.registerForRead(A, 'getChildren', '/a', true);
    expect(show(watches.trigger(deleted('/a'), 5n))).toEqual(['1 NodeDeleted /a 5']);
  });

  it('getChildren(watch) does not fire on setData of its node or on a grandchild', () => {
    const watches = new WatchManager();
    watches.registerForRead(A, 'getChildren', '/a', true);
    expect(watches.trigger([...dataSet('/a'), ...created('/a/b/c'), ...dataSet('/a/b')], 5n)).toEqual([]);
    expect(watches.hasWatch(A, '/a', 'Children')).toBe(true);
  });

  it('a data watch does not fire when a child is created or deleted', () => {
    const watches = new WatchManager();
    watches.addDataWatch(A, '/a');
    expect(watches.trigger([...created('/a/b'), ...deleted('/a/b')], 5n)).toEqual([]);
    expect(watches.hasWatch(A, '/a', 'Data')).toBe(true);
  });

  it('create fires data watches on the node and a child watch on the parent', () => {
    const watches = new WatchManager();
    watches.registerForRead(A, 'exists', '/a/b', false);
    watches.registerForRead(B, 'getChildren', '/a', true);
    watches.registerForRead(C, 'getData', '/a', true);
    expect(show(watches.trigger(created('/a/b'), 9n))).toEqual([
      '1 NodeCreated /a/b 9',
      '2 NodeChildrenChanged /a 9',
    ]);
    expect(watches.hasWatch(C, '/a', 'Data')).toBe(true);
  });

  it('delete fires data and child watches on the node and a child watch on the parent', () => {
    const watches = new WatchManager();
    watches.addDataWatch(A, '/a/b');
    watches.addChildWatch(B, '/a/b');
    watches.addChildWatch(C, '/a');
    expect(show(watches.trigger(deleted('/a/b'), 9n))).toEqual([
      '1 NodeDeleted /a/b 9',
      '2 NodeDeleted /a/b 9',
      '3 NodeChildrenChanged /a 9',
    ]);
  });

  it('setData fires data watches only', () => {
    const watches = new WatchManager();
    watches.addDataWatch(A, '/a');
    watches.addChildWatch(B, '/a');
    watches.addChildWatch(C, '/');
    expect(show(watches.trigger(dataSet('/a'), 9n))).toEqual(['1 NodeDataChanged /a 9']);
  });

  it("a top-level create fires the root's child watch", () => {
    const watches = new WatchManager();
    watches.addChildWatch(A, '/');
    expect(show(watches.trigger(created('/x'), 3n))).toEqual(['1 NodeChildrenChanged / 3']);
  });

  it('standard watches fire once, then are gone', () => {
    const watches = new WatchManager();
    watches.addDataWatch(A, '/a');
    watches.addChildWatch(A, '/a');
    expect(show(watches.trigger([...dataSet('/a'), ...created('/a/b')], 5n))).toEqual([
      '1 NodeDataChanged /a 5',
      '1 NodeChildrenChanged /a 5',
    ]);
    expect(watches.trigger([...dataSet('/a'), ...created('/a/c'), ...deleted('/a')], 6n)).toEqual([]);
    expect(watches.watchCount()).toBe(0);
  });

  it('setData with identical data still fires: the trigger alone decides, data is never compared', () => {
    const watches = new WatchManager();
    watches.addDataWatch(A, '/a');
    // The tree yields NodeDataChanged for every applied setData, identical bytes or not.
    expect(show(watches.trigger(dataSet('/a'), 5n))).toEqual(['1 NodeDataChanged /a 5']);
  });

  it('an exists-watch and a getData-watch on one node give one NodeDataChanged', () => {
    const watches = new WatchManager();
    expect(watches.registerForRead(A, 'exists', '/a', true)).toBe('data');
    expect(watches.registerForRead(A, 'getData', '/a', true)).toBe('data');
    expect(show(watches.trigger(dataSet('/a'), 5n))).toEqual(['1 NodeDataChanged /a 5']);
  });

  it('a data and a child watch on a deleted node give one NodeDeleted', () => {
    const watches = new WatchManager();
    watches.addDataWatch(A, '/a');
    watches.addChildWatch(A, '/a');
    expect(show(watches.trigger(deleted('/a'), 5n))).toEqual(['1 NodeDeleted /a 5']);
  });

  it('the child watch a NodeDeleted was not sent for (already sent by the data watch) is consumed too', () => {
    const watches = new WatchManager();
    watches.addDataWatch(A, '/a');
    watches.addChildWatch(A, '/a');
    watches.trigger(deleted('/a'), 5n);
    expect(watches.hasWatch(A, '/a', 'Any')).toBe(false);
    expect(watches.trigger([...created('/a'), ...created('/a/b')], 6n)).toEqual([]);
  });

  it('a multi that creates, sets and deletes a watched node delivers only NodeCreated', () => {
    const watches = new WatchManager();
    watches.registerForRead(A, 'exists', '/m', false);
    const multi = [...created('/m'), ...dataSet('/m'), ...deleted('/m')];
    expect(show(watches.trigger(multi, 12n))).toEqual(['1 NodeCreated /m 12']);
  });

  it("closing a session delivers NodeDeleted per ephemeral and NodeChildrenChanged per parent", () => {
    const watches = new WatchManager();
    watches.addDataWatch(A, '/locks/e1');
    watches.addDataWatch(A, '/locks/e2');
    watches.addChildWatch(B, '/locks');
    watches.addWatch(C, '/locks', 'PERSISTENT');
    const closeSession = [...deleted('/locks/e1'), ...deleted('/locks/e2')];
    expect(show(watches.trigger(closeSession, 20n))).toEqual([
      '1 NodeDeleted /locks/e1 20',
      '2 NodeChildrenChanged /locks 20',
      '3 NodeChildrenChanged /locks 20',
      '1 NodeDeleted /locks/e2 20',
      '3 NodeChildrenChanged /locks 20',
    ]);
  });

  it('deliveries come in trigger order, then ascending watcher id', () => {
    const watches = new WatchManager();
    for (const watcher of [30n, 10n, 20n]) {
      watches.addDataWatch(watcher, '/b');
      watches.addDataWatch(watcher, '/a');
    }
    const triggers: WatchTrigger[] = [...dataSet('/b'), ...dataSet('/a')];
    expect(show(watches.trigger(triggers, 4n))).toEqual([
      '10 NodeDataChanged /b 4',
      '20 NodeDataChanged /b 4',
      '30 NodeDataChanged /b 4',
      '10 NodeDataChanged /a 4',
      '20 NodeDataChanged /a 4',
      '30 NodeDataChanged /a 4',
    ]);
  });

  it("one watcher's watch firing leaves another watcher's watch on the same path", () => {
    const watches = new WatchManager();
    watches.addDataWatch(A, '/a');
    watches.trigger(dataSet('/a'), 4n);
    watches.addDataWatch(B, '/a');
    watches.addDataWatch(A, '/a');
    watches.removeWatches(A, '/a', 'Data');
    expect(show(watches.trigger(dataSet('/a'), 5n))).toEqual(['2 NodeDataChanged /a 5']);
  });

  it('registering the same one-shot watch twice is one watch', () => {
    const watches = new WatchManager();
    expect(watches.addDataWatch(A, '/a')).toBe(true);
    expect(watches.addDataWatch(A, '/a')).toBe(false);
    expect(watches.watchCount()).toBe(1);
  });

  it('the ACL filter drops a delivery, and the one-shot watch is consumed anyway', () => {
    const watches = new WatchManager();
    watches.addDataWatch(A, '/secret');
    watches.addDataWatch(B, '/secret');
    const canRead = (watcher: bigint, trigger: WatchTrigger): boolean => !(watcher === A && trigger.path === '/secret');
    expect(show(watches.trigger(dataSet('/secret'), 5n, canRead))).toEqual(['2 NodeDataChanged /secret 5']);
    expect(watches.hasWatch(A, '/secret', 'Data')).toBe(false);
  });

  it('a bad path is BADARGUMENTS and registers nothing', () => {
    const watches = new WatchManager();
    for (const path of ['', 'a', '/a/', '/a//b', '/a/./b']) {
      let code: string | undefined;
      try {
        watches.addDataWatch(A, path);
      } catch (error) {
        code = isKeeperError(error) ? error.codeName : String(error);
      }
      expect(code, path).toBe('BADARGUMENTS');
    }
    expect(watches.watchCount()).toBe(0);
  });
});
