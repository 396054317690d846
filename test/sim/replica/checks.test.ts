import { describe, expect, it } from 'vitest';
import type { Stat } from '../../../src/tree/stat.js';
import { createPrng } from '../../../src/util/prng.js';
import { PeerLinks, type LinkWorld } from './peer-links.js';
import { SequentialNames } from './sequential-names.js';
import { Violations } from './violations.js';
import { WatchTracker } from './watch-tracker.js';

function stat(czxid: bigint, mzxid = czxid, pzxid = czxid): Stat {
  return { czxid, mzxid, pzxid, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n, dataLength: 0, numChildren: 0 };
}

describe('watch tracker', () => {
  it('a reply showing a watched node changed before its event arrived is a violation', () => {
    const watches = new WatchTracker();
    watches.registerData('/a', stat(5n));
    expect(watches.reveal('/a', { exists: true, stat: stat(5n) }, 'reply')).toBeNull();
    expect(watches.reveal('/a', { exists: true, stat: stat(5n, 9n) }, 'reply')).toMatch(/never fired/);
    expect(watches.onEvent({ type: 'NodeDataChanged', path: '/a', zxid: 9n })).toBeNull();
    expect(watches.reveal('/a', { exists: true, stat: stat(5n, 9n) }, 'reply')).toBeNull();
  });

  it('a one-shot watch fires at most once', () => {
    const watches = new WatchTracker();
    watches.registerChild('/p', stat(3n));
    expect(watches.onEvent({ type: 'NodeChildrenChanged', path: '/p', zxid: 7n })).toBeNull();
    expect(watches.onEvent({ type: 'NodeChildrenChanged', path: '/p', zxid: 8n })).toMatch(/fired twice/);
  });

  it('an exists watch on a missing node fires NodeCreated, not NodeDataChanged', () => {
    const watches = new WatchTracker();
    watches.registerData('/a', null);
    expect(watches.onEvent({ type: 'NodeDataChanged', path: '/a', zxid: 4n })).toMatch(/missing/);
    watches.registerData('/b', null);
    expect(watches.onEvent({ type: 'NodeCreated', path: '/b', zxid: 4n })).toBeNull();
  });

  it('a child created after the child watch was set shows the watch should have fired', () => {
    const watches = new WatchTracker();
    watches.registerChild('/p', stat(3n, 3n, 6n));
    expect(watches.revealChildChange('/p', 6n, 'reply')).toBeNull();
    expect(watches.revealChildChange('/p', 7n, 'reply')).toMatch(/never fired/);
  });

  it('setWatches may deliver NodeDeleted once per list for a path in both (as ZooKeeper does)', () => {
    const watches = new WatchTracker();
    watches.registerData('/a', stat(2n));
    watches.registerChild('/a', stat(2n));
    expect(watches.onEvent({ type: 'NodeDeleted', path: '/a', zxid: -1n })).toBeNull();
    expect(watches.onEvent({ type: 'NodeDeleted', path: '/a', zxid: -1n })).toBeNull();
    watches.replyArrived();
    expect(watches.onEvent({ type: 'NodeDeleted', path: '/a', zxid: -1n })).toMatch(/fired twice/);
  });
});

describe('sequential names', () => {
  it('a name given twice is a violation', () => {
    const violations = new Violations(() => 0, () => {});
    const names = new SequentialNames(violations);
    names.record('/q/s-', '/q/s-0000000001', 10n);
    names.record('/q/s-', '/q/s-0000000001', 12n);
    expect(violations.first).toMatch(/given twice/);
  });

  it('counters must increase in creation order', () => {
    const violations = new Violations(() => 0, () => {});
    const names = new SequentialNames(violations);
    names.record('/q/s-', '/q/s-0000000003', 10n);
    names.record('/q/s-', '/q/s-0000000002', 12n);
    names.checkOrder();
    expect(violations.first).toMatch(/go back/);
  });
});

describe('peer links', () => {
  function world(): LinkWorld & { now: number; cut: boolean } {
    return { now: 0, cut: false, isUp: () => true, isRunning: () => true, isBlocked(): boolean { return this.cut; } };
  }
  const options = { delay: { kind: 'uniform', minTicks: 1, maxTicks: 9 } as const, breakChancePerMessage: 0, maxQueued: 100, detectTicks: 5, reconnectTicks: 3 };

  it('a live link delivers every frame once, in order', () => {
    const w = world();
    const links = new PeerLinks(['a', 'b'], options, createPrng(1), w);
    const seen: number[] = [];
    links.reconcile('a', () => {});
    links.reconcile('b', () => {});
    for (let i = 0; i < 50; i++) links.send('a', 'b', new Uint8Array([i]));
    for (w.now = 1; w.now < 100; w.now++) links.deliver('b', (_, bytes) => seen.push(bytes[0]!));
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('a cut that lasts closes the link at both ends; healed, it comes back as a new connection', () => {
    const w = world();
    const links = new PeerLinks(['a', 'b'], options, createPrng(1), w);
    const events: string[] = [];
    const report = (node: string) => (peer: string, up: boolean) => events.push(`${node}:${peer}:${up ? 'up' : 'down'}`);
    links.reconcile('a', report('a'));
    links.reconcile('b', report('b'));
    w.cut = true;
    for (w.now = 1; w.now <= 10; w.now++) links.update();
    links.reconcile('a', report('a'));
    w.cut = false;
    for (; w.now <= 20; w.now++) links.update();
    links.reconcile('a', report('a'));
    links.reconcile('b', report('b'));
    expect(events).toEqual(['a:b:up', 'b:a:up', 'a:b:down', 'a:b:up', 'b:a:down', 'b:a:up']);
  });
});
