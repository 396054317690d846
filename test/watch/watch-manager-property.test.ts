import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isKeeperError } from '../../src/errors/keeper-error.js';
import type { WatchTrigger } from '../../src/tree/watch-event.js';
import { WatchManager } from '../../src/watch/watch-manager.js';
import type { WatcherTypeName } from '../../src/watch/watcher-type.js';
import { ReferenceWatches, type ReferenceKind, type ReferenceStat } from './reference-watches.js';
import { show } from './txn-triggers.js';

const PATHS = ['/', '/a', '/a/b', '/a/b/c', '/ab', '/b', '/b/a'] as const;
const WATCHERS = [1n, 2n, 3n] as const;
const TYPES: readonly WatcherTypeName[] = ['Children', 'Data', 'Any', 'Persistent', 'PersistentRecursive'];
const KINDS: readonly ReferenceKind[] = ['data', 'child', 'persistent', 'recursive'];
const MAX_PER_WATCHER = 6;
const MAX_TOTAL = 14;

const path = fc.constantFrom(...PATHS);
const watcher = fc.constantFrom(...WATCHERS);
const trigger: fc.Arbitrary<WatchTrigger> = fc.record({
  path,
  type: fc.constantFrom('NodeCreated', 'NodeDeleted', 'NodeDataChanged', 'NodeChildrenChanged'),
});
const zxid = fc.bigInt({ min: 0n, max: 20n });

type Command =
  | { readonly op: 'register'; readonly watcher: bigint; readonly path: string; readonly kind: ReferenceKind }
  | { readonly op: 'trigger'; readonly triggers: WatchTrigger[]; readonly zxid: bigint }
  | { readonly op: 'remove'; readonly watcher: bigint; readonly path: string; readonly type: WatcherTypeName }
  | { readonly op: 'removeAll'; readonly watcher: bigint }
  | {
      readonly op: 'setWatches';
      readonly watcher: bigint;
      readonly relativeZxid: bigint;
      readonly nodes: [string, ReferenceStat][];
      readonly lists: {
        dataWatches: string[];
        existWatches: string[];
        childWatches: string[];
        persistentWatches: string[];
        persistentRecursiveWatches: string[];
      };
    };

const paths = fc.array(path, { maxLength: 2 });
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('register' as const), watcher, path, kind: fc.constantFrom(...KINDS) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('trigger' as const), triggers: fc.array(trigger, { minLength: 1, maxLength: 5 }), zxid }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('remove' as const), watcher, path, type: fc.constantFrom(...TYPES) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('removeAll' as const), watcher }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('setWatches' as const),
      watcher,
      relativeZxid: zxid,
      nodes: fc.array(fc.tuple(path, fc.record({ mzxid: zxid, pzxid: zxid })), { maxLength: 5 }),
      lists: fc.record({
        dataWatches: paths,
        existWatches: paths,
        childWatches: paths,
        persistentWatches: paths,
        persistentRecursiveWatches: paths,
      }),
    }),
  },
);

function outcome(fn: () => string[] | boolean): string[] | boolean | string {
  try {
    return fn();
  } catch (error) {
    if (isKeeperError(error)) return error.codeName;
    throw error;
  }
}

function run(manager: WatchManager, c: Command): string[] | boolean | string {
  switch (c.op) {
    case 'register':
      return outcome(() => {
        if (c.kind === 'data') return manager.addDataWatch(c.watcher, c.path);
        if (c.kind === 'child') return manager.addChildWatch(c.watcher, c.path);
        return manager.addWatch(c.watcher, c.path, c.kind === 'persistent' ? 'PERSISTENT' : 'PERSISTENT_RECURSIVE');
      });
    case 'trigger':
      return show(manager.trigger(c.triggers, c.zxid));
    case 'remove':
      return outcome(() => show(manager.removeWatches(c.watcher, c.path, c.type)));
    case 'removeAll':
      manager.removeAllWatches(c.watcher);
      return true;
    case 'setWatches': {
      const nodes = new Map(c.nodes);
      return outcome(() => show(manager.setWatches(c.watcher, c.relativeZxid, c.lists, { stat: (p) => nodes.get(p) })));
    }
  }
}

function runReference(reference: ReferenceWatches, c: Command): string[] | boolean | string {
  switch (c.op) {
    case 'register':
      return reference.add(c.watcher, [{ path: c.path, kind: c.kind }]);
    case 'trigger':
      return reference.trigger(c.triggers, c.zxid);
    case 'remove':
      return reference.remove(c.watcher, c.path, c.type);
    case 'removeAll':
      reference.removeAll(c.watcher);
      return true;
    case 'setWatches':
      return reference.setWatches(c.watcher, c.relativeZxid, c.lists, new Map(c.nodes));
  }
}

describe('the watch manager against a flat-list reference model', () => {
  it('agrees with the reference on every delivery, removal, error, count and report over random sequences', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 40 }), (commands) => {
        const manager = new WatchManager({ maxWatchesPerWatcher: MAX_PER_WATCHER, maxWatchesTotal: MAX_TOTAL });
        const reference = new ReferenceWatches(MAX_PER_WATCHER, MAX_TOTAL);
        for (const [step, c] of commands.entries()) {
          expect(run(manager, c), `step ${step}: ${JSON.stringify(c, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`).toEqual(
            runReference(reference, c),
          );
          expect(manager.watchCount()).toBe(reference.watchCount());
          for (const w of WATCHERS) {
            expect(manager.watchCountOf(w)).toBe(reference.watchCountOf(w));
            for (const p of PATHS) {
              for (const type of TYPES) expect(manager.hasWatch(w, p, type), `${w} ${p} ${type}`).toBe(reference.hasWatch(w, p, type));
            }
          }
          expect(manager.byPath()).toEqual(reference.dataByPath());
        }
      }),
      { numRuns: 300, seed: 20240917 },
    );
  });
});
