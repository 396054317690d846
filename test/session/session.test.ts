import { describe, expect, it } from 'vitest';
import { SessionTable } from '../../src/session/session-table.js';
import { SessionTracker } from '../../src/session/session-tracker.js';
import { DEFAULT_SESSION_TIMEOUT_BOUNDS, negotiateSessionTimeout } from '../../src/session/session-timeout.js';

const record = (sessionId: bigint, ownerReplica = 'r1', fateShared = false) => ({
  sessionId,
  timeoutMs: 4000,
  passwordDigest: new Uint8Array(20),
  ownerReplica,
  fateShared,
});

describe('session timeout negotiation', () => {
  it('the requested timeout is clamped into [min, max]', () => {
    const bounds = { minSessionTimeoutMs: 400, maxSessionTimeoutMs: 4000 };
    expect(negotiateSessionTimeout(100, bounds)).toBe(400);
    expect(negotiateSessionTimeout(2000, bounds)).toBe(2000);
    expect(negotiateSessionTimeout(90_000, bounds)).toBe(4000);
    expect(() => negotiateSessionTimeout(0, DEFAULT_SESSION_TIMEOUT_BOUNDS)).toThrow(/BADARGUMENTS/);
    expect(() => negotiateSessionTimeout(Number.NaN, DEFAULT_SESSION_TIMEOUT_BOUNDS)).toThrow(/BADARGUMENTS/);
  });
});

describe('session tracker (leader-side expiry)', () => {
  it('a session expires only after its timeout without activity', () => {
    const tracker = new SessionTracker(100);
    tracker.add(1n, 1000, 0);
    expect(tracker.expired(999)).toEqual([]);
    expect(tracker.expired(1000)).toEqual([1n]);
  });

  it('activity pushes the deadline out', () => {
    const tracker = new SessionTracker(100);
    tracker.add(1n, 1000, 0);
    expect(tracker.touch(1n, 800)).toBe(true);
    expect(tracker.expired(1500)).toEqual([]);
    expect(tracker.expired(1800)).toEqual([1n]);
  });

  it('deadlines round up to the bucket, never down', () => {
    const tracker = new SessionTracker(100);
    tracker.add(1n, 1000, 50);
    expect(tracker.expired(1050)).toEqual([]);
    expect(tracker.expired(1100)).toEqual([1n]);
  });

  it('removed and unknown sessions are neither expired nor touchable', () => {
    const tracker = new SessionTracker(100);
    tracker.add(1n, 1000, 0);
    tracker.add(2n, 1000, 0);
    tracker.remove(1n);
    expect(tracker.touch(1n, 10)).toBe(false);
    expect(tracker.touch(3n, 10)).toBe(false);
    expect(tracker.expired(5000)).toEqual([2n]);
    expect(tracker.sessions()).toEqual([2n]);
  });

  it('expired sessions are reported in deadline order until removed', () => {
    const tracker = new SessionTracker(10);
    tracker.add(5n, 300, 0);
    tracker.add(4n, 100, 0);
    tracker.add(6n, 100, 0);
    expect(tracker.expired(1000)).toEqual([4n, 6n, 5n]);
    expect(tracker.expired(1000)).toEqual([4n, 6n, 5n]);
    tracker.remove(4n);
    expect(tracker.expired(1000)).toEqual([6n, 5n]);
  });
});

describe('replicated session table', () => {
  it('create, move and close change the table the same way on every replica', () => {
    const table = new SessionTable();
    table.create(record(7n, 'r1', true));
    expect(table.get(7n)?.ownerReplica).toBe('r1');
    expect(table.move(7n, 'r2')).toBe(true);
    expect(table.get(7n)).toMatchObject({ ownerReplica: 'r2', fateShared: false });
    expect(table.close(7n)).toBe(true);
    expect(table.close(7n)).toBe(false);
    expect(table.move(7n, 'r3')).toBe(false);
  });

  it('fate-shared sessions are found by their replica', () => {
    const table = SessionTable.fromRecords([record(3n, 'r1', true), record(1n, 'r1', true), record(2n, 'r1', false), record(4n, 'r2', true)]);
    expect(table.fateSharedWith('r1')).toEqual([1n, 3n]);
    expect(table.fateSharedWith('r2')).toEqual([4n]);
    expect(table.list().map((r) => r.sessionId)).toEqual([1n, 2n, 3n, 4n]);
  });

  it('creating a live session id twice is a programmer error', () => {
    const table = new SessionTable();
    table.create(record(1n));
    expect(() => table.create(record(1n))).toThrow(/assertion/);
  });
});
