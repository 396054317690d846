import { describe, expect, it } from 'vitest';
import { formatWatchesByPath, formatWatchesByWatcher, formatWatchSummary } from '../../src/watch/watch-report.js';
import { WatchManager } from '../../src/watch/watch-manager.js';

function sample(): WatchManager {
  const watches = new WatchManager();
  watches.addDataWatch(0x1an, '/b');
  watches.addDataWatch(0x1an, '/a');
  watches.addDataWatch(0x2bn, '/a');
  watches.addChildWatch(0x3cn, '/c');
  return watches;
}

describe("the four-letter watch reports, in ZooKeeper's text", () => {
  it('wchs: "N connections watching M paths" then "Total watches:T"', () => {
    expect(formatWatchSummary(sample().summary())).toBe('2 connections watching 2 paths\nTotal watches:3\n');
  });

  it('wchc: each session in hex, then its paths after a tab', () => {
    expect(formatWatchesByWatcher(sample().byWatcher())).toBe('0x1a\n\t/a\n\t/b\n0x2b\n\t/a\n\n');
  });

  it('wchp: each path, then its sessions in hex after a tab', () => {
    expect(formatWatchesByPath(sample().byPath())).toBe('/a\n\t0x1a\n\t0x2b\n/b\n\t0x1a\n\n');
  });

  it('an empty manager reports no connections and empty listings', () => {
    const watches = new WatchManager();
    expect(formatWatchSummary(watches.summary())).toBe('0 connections watching 0 paths\nTotal watches:0\n');
    expect(formatWatchesByWatcher(watches.byWatcher())).toBe('\n');
    expect(formatWatchesByPath(watches.byPath())).toBe('\n');
  });
});
