import { describe, expect, it } from 'vitest';
import { WatchRegistry, type RemovedWatchers } from '../../src/client/watch-registry.js';
import type { Watcher } from '../../src/client/watcher.js';

const w = (name: string): Watcher => Object.assign(() => {}, { displayName: name });

describe('WatchRegistry.materialize (which watchers an event goes to)', () => {
  const a = w('a');
  const b = w('b');
  const c = w('c');

  it('NodeDataChanged and NodeCreated take the data and exist watches of the path, once each', () => {
    const registry = new WatchRegistry();
    registry.add('data', '/x', a);
    registry.add('exist', '/x', a);
    registry.add('exist', '/x', b);
    registry.add('child', '/x', c);
    expect([...registry.materialize('NodeDataChanged', '/x')]).toEqual([a, b]);
    expect(registry.materialize('NodeCreated', '/x').size).toBe(0);
    expect(registry.paths('child')).toEqual(['/x']);
  });

  it('NodeChildrenChanged takes the child watches only', () => {
    const registry = new WatchRegistry();
    registry.add('data', '/x', a);
    registry.add('child', '/x', b);
    expect([...registry.materialize('NodeChildrenChanged', '/x')]).toEqual([b]);
    expect(registry.paths('data')).toEqual(['/x']);
  });

  it('NodeDeleted takes data, exist and child watches', () => {
    const registry = new WatchRegistry();
    registry.add('data', '/x', a);
    registry.add('child', '/x', b);
    registry.add('exist', '/x', c);
    expect(new Set(registry.materialize('NodeDeleted', '/x'))).toEqual(new Set([a, b, c]));
    expect(registry.size).toBe(0);
  });

  it('persistent watches stay and get every event of their own path only', () => {
    const registry = new WatchRegistry();
    registry.add('persistent', '/x', a);
    for (const type of ['NodeCreated', 'NodeDataChanged', 'NodeChildrenChanged', 'NodeDeleted'] as const) {
      expect([...registry.materialize(type, '/x')]).toEqual([a]);
    }
    expect(registry.materialize('NodeDataChanged', '/x/y').size).toBe(0);
    expect(registry.size).toBe(1);
  });

  it('recursive watches get events of the path and all descendants, never NodeChildrenChanged', () => {
    const registry = new WatchRegistry();
    registry.add('persistentRecursive', '/x', a);
    registry.add('persistentRecursive', '/', b);
    expect([...registry.materialize('NodeCreated', '/x/y/z')]).toEqual([a, b]);
    expect([...registry.materialize('NodeDeleted', '/x')]).toEqual([a, b]);
    expect([...registry.materialize('NodeDataChanged', '/other')]).toEqual([b]);
    expect(registry.materialize('NodeChildrenChanged', '/x').size).toBe(0);
    expect(registry.size).toBe(2);
  });

  it('events nobody watches, and session or removal events, reach nobody', () => {
    const registry = new WatchRegistry();
    registry.add('data', '/x', a);
    expect(registry.materialize('NodeDataChanged', '/y').size).toBe(0);
    expect(registry.materialize('None', '/x').size).toBe(0);
    expect(registry.materialize('DataWatchRemoved', '/x').size).toBe(0);
    expect(registry.size).toBe(1);
  });
});

describe('WatchRegistry removal', () => {
  const a = w('a');
  const b = w('b');

  it('contains follows ZooKeeper: Data covers data and exist watches, Any every kind', () => {
    const registry = new WatchRegistry();
    registry.add('exist', '/x', a);
    registry.add('persistentRecursive', '/y', b);
    expect(registry.contains('/x', a, 'Data')).toBe(true);
    expect(registry.contains('/x', b, 'Data')).toBe(false);
    expect(registry.contains('/x', null, 'Children')).toBe(false);
    expect(registry.contains('/y', null, 'Any')).toBe(true);
    expect(registry.contains('/y', b, 'Persistent')).toBe(false);
    expect(registry.contains('/y', b, 'PersistentRecursive')).toBe(true);
  });

  it('a server watch is emptied only when no other watcher still needs it', () => {
    const registry = new WatchRegistry();
    registry.add('data', '/x', a);
    registry.add('exist', '/x', b);
    registry.add('child', '/x', a);
    expect(registry.serverTypesEmptiedBy('/x', a, 'Any')).toEqual(['Children']);
    expect(registry.serverTypesEmptiedBy('/x', b, 'Data')).toEqual([]);
    expect(registry.serverTypesEmptiedBy('/x', null, 'Any')).toEqual(['Data', 'Children']);
  });

  it('remove takes one watcher or all, and says which removal event each is owed', () => {
    const registry = new WatchRegistry();
    registry.add('data', '/x', a);
    registry.add('data', '/x', b);
    registry.add('persistent', '/x', a);
    const removed: RemovedWatchers = new Map();
    expect(registry.remove('/x', a, 'Data', removed)).toBe(true);
    expect(registry.remove('/x', null, 'Persistent', removed)).toBe(true);
    expect(registry.remove('/x', a, 'Children', removed)).toBe(false);
    expect(removed).toEqual(
      new Map([
        ['DataWatchRemoved', new Set([a])],
        ['PersistentWatchRemoved', new Set([a])],
      ]),
    );
    expect([...registry.watchersOf('data', '/x')]).toEqual([b]);
  });

  it('lists name every watched path per kind, for setWatches', () => {
    const registry = new WatchRegistry();
    registry.add('data', '/d', a);
    registry.add('data', '/d', b);
    registry.add('exist', '/e', a);
    registry.add('child', '/c', a);
    registry.add('persistent', '/p', a);
    registry.add('persistentRecursive', '/r', a);
    expect(registry.lists()).toEqual({
      dataWatches: ['/d'],
      existWatches: ['/e'],
      childWatches: ['/c'],
      persistentWatches: ['/p'],
      persistentRecursiveWatches: ['/r'],
    });
    registry.clear();
    expect(registry.size).toBe(0);
  });
});
