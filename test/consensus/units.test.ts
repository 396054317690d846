import { describe, it, expect } from 'vitest';
import { ConfHistory } from '../../src/consensus/conf-history.js';
import { applyConfChange, decodeConfChange, encodeConfChange } from '../../src/consensus/conf-change.js';
import { createRaftConfig, DEFAULT_RAFT_CONFIG } from '../../src/consensus/config.js';
import { Inflights } from '../../src/consensus/inflights.js';
import { Progress } from '../../src/consensus/progress.js';
import { RaftLog } from '../../src/consensus/raft-log.js';
import { EntryType, type Entry } from '../../src/consensus/types.js';
import { isKeeperError } from '../../src/errors/keeper-error.js';
import { Network } from './harness.js';

const entry = (index: number, term: number, type: 0 | 1 = EntryType.Normal, data: Uint8Array = new Uint8Array(0)): Entry => ({ index, term, type, data });

describe('config', () => {
  it('fills defaults', () => {
    expect(createRaftConfig({ id: 'a' })).toEqual({ id: 'a', ...DEFAULT_RAFT_CONFIG });
  });

  it('refuses values that cannot work, naming the field', () => {
    const bad = (input: object, field: string) => {
      try {
        createRaftConfig({ id: 'a', ...input });
        throw new Error('accepted');
      } catch (error) {
        expect(isKeeperError(error, 'BADARGUMENTS')).toBe(true);
        expect((error as Error).message).toContain(field);
      }
    };
    bad({ electionTicks: 0 }, 'electionTicks');
    bad({ maxInflightMsgs: 1.5 }, 'maxInflightMsgs');
    bad({ heartbeatTicks: 10, electionTicks: 10 }, 'heartbeatTicks');
    bad({ snapshotChunkBytes: 10, maxSnapshotBytes: 5 }, 'snapshotChunkBytes');
    bad({ id: '' }, 'replica id');
    bad({ maxSizePerMsg: 16 * 1024 * 1024 }, 'maxSizePerMsg');
    bad({ snapshotChunkBytes: 16 * 1024 * 1024 }, 'snapshotChunkBytes');
    bad({ maxEntriesPerMsg: 100_001 }, 'maxEntriesPerMsg');
  });
});

describe('inflights', () => {
  it('fills to capacity and frees by acknowledged index', () => {
    const inflights = new Inflights(3);
    inflights.add(2);
    inflights.add(5);
    inflights.add(9);
    expect(inflights.full()).toBe(true);
    inflights.freeLE(5);
    expect(inflights.size).toBe(1);
    inflights.add(12);
    inflights.add(13);
    expect(inflights.full()).toBe(true);
    inflights.freeFirst();
    expect(inflights.size).toBe(2);
    inflights.freeLE(100);
    expect(inflights.size).toBe(0);
  });
});

describe('progress', () => {
  it('a stale rejection changes nothing; a fresh one moves next back to the hint', () => {
    const pr = new Progress(11, 4, false);
    pr.probeSent = true;
    expect(pr.maybeDecrTo(5, 3)).toBe(false);
    expect(pr.maybeDecrTo(10, 3)).toBe(true);
    expect(pr).toMatchObject({ next: 4, probeSent: false });
  });

  it('in replicate state a rejection above match falls back to match + 1', () => {
    const pr = new Progress(1, 4, false);
    pr.maybeUpdate(6);
    pr.becomeReplicate();
    pr.sentEntries(9, 3);
    expect(pr.next).toBe(10);
    expect(pr.maybeDecrTo(9, 2)).toBe(true);
    expect(pr.next).toBe(7);
  });
});

describe('raft log', () => {
  it('finds the first conflict and truncates from it', () => {
    const log = new RaftLog(0, 0, [entry(1, 1), entry(2, 1), entry(3, 2)], 0);
    expect(log.findConflict([entry(2, 1), entry(3, 3)])).toBe(3);
    expect(log.append([entry(3, 3), entry(4, 3)])).toBe(3);
    expect([log.lastIndex(), log.lastTerm(), log.stableIndex]).toEqual([4, 3, 2]);
  });

  it('refuses to overwrite a committed entry', () => {
    const log = new RaftLog(0, 0, [entry(1, 1), entry(2, 1)], 2);
    expect(() => log.append([entry(2, 2)])).toThrow(/committed/);
  });

  it('findConflictByTerm returns the largest index with a term not above the given one', () => {
    const log = new RaftLog(0, 0, [entry(1, 1), entry(2, 1), entry(3, 3), entry(4, 3), entry(5, 5)], 0);
    expect(log.findConflictByTerm(5, 4)).toEqual({ index: 4, term: 3 });
    expect(log.findConflictByTerm(5, 2)).toEqual({ index: 2, term: 1 });
    expect(log.findConflictByTerm(9, 9)).toEqual({ index: 5, term: 5 });
    expect(log.findConflictByTerm(5, 0)).toEqual({ index: 0, term: 0 });
  });

  it('slices within size and count limits and reports compacted ranges', () => {
    const data = new Uint8Array(84); // 100 bytes with overhead
    const log = new RaftLog(3, 1, [4, 5, 6, 7].map((i) => entry(i, 1, 0, data)), 3);
    expect(log.slice(4, 8, 250, 10)?.map((e) => e.index)).toEqual([4, 5]);
    expect(log.slice(4, 8, 10, 10)?.map((e) => e.index)).toEqual([4]);
    expect(log.slice(4, 8, 1000, 3)?.map((e) => e.index)).toEqual([4, 5, 6]);
    expect(log.slice(3, 8, 1000, 3)).toBeUndefined();
    expect(log.term(3)).toBe(1);
    expect(log.term(2)).toBeUndefined();
  });
});

describe('configuration history', () => {
  const learner4 = entry(5, 1, EntryType.ConfChange, encodeConfChange({ type: 'add-learner', replicaId: '4' }));
  const promote4 = entry(7, 2, EntryType.ConfChange, encodeConfChange({ type: 'promote-learner', replicaId: '4' }));

  it('takes each change when appended and reverts it when truncated', () => {
    const history = new ConfHistory(0, { voters: ['1', '2', '3'], learners: [] });
    history.appended([learner4, promote4]);
    expect(history.current()).toEqual({ voters: ['1', '2', '3', '4'], learners: [] });
    expect(history.at(6)).toEqual({ voters: ['1', '2', '3'], learners: ['4'] });
    expect(history.truncatedFrom(7)).toBe(true);
    expect(history.current()).toEqual({ voters: ['1', '2', '3'], learners: ['4'] });
    history.compactedTo(6);
    expect(history.lastChangeIndex()).toBe(0);
    expect(history.current()).toEqual({ voters: ['1', '2', '3'], learners: ['4'] });
  });

  it('encodes and decodes a change; garbage is a marshalling error', () => {
    const change = { type: 'remove-node', replicaId: 'tab-ü' } as const;
    expect(decodeConfChange(encodeConfChange(change))).toEqual(change);
    expect(() => decodeConfChange(new Uint8Array([9, 9, 9]))).toThrow(/MARSHALLINGERROR/);
    expect(() => applyConfChange({ voters: ['1'], learners: [] }, { type: 'remove-node', replicaId: '1' })).toThrow(/last voter/);
  });

  it('demotes a voter to a learner: it stays a member; a learner or the last voter cannot be demoted', () => {
    const change = { type: 'demote-voter', replicaId: '2' } as const;
    expect(decodeConfChange(encodeConfChange(change))).toEqual(change);
    expect(applyConfChange({ voters: ['1', '2', '3'], learners: ['4'] }, change)).toEqual({ voters: ['1', '3'], learners: ['2', '4'] });
    expect(() => applyConfChange({ voters: ['1', '3'], learners: ['2'] }, change)).toThrow(/not a voter/);
    expect(() => applyConfChange({ voters: ['2'], learners: [] }, change)).toThrow(/last voter/);
  });
});

describe('message validation', () => {
  it('refuses a MsgApp whose entries do not follow its index or outrun its term, and changes nothing', () => {
    const net = new Network({ voters: ['1', '2', '3'] });
    const node = net.node('2');
    const base = { type: 'MsgApp', from: '1', to: '2', term: 2, index: 0, logTerm: 0, commit: 0 } as const;
    expect(node.step({ ...base, entries: [entry(2, 1)] })).toMatchObject({ ok: false, reason: expect.stringContaining('expected 1') });
    expect(node.step({ ...base, entries: [entry(1, 3)] })).toMatchObject({ ok: false, reason: expect.stringContaining('term 3') });
    expect(node.step({ ...base, term: -1, entries: [] })).toMatchObject({ ok: false });
    expect(node.status()).toMatchObject({ term: 0, lastIndex: 0, lead: null });
    expect(node.step({ ...base, entries: [entry(1, 2)] })).toEqual({ ok: true });
    expect(node.status()).toMatchObject({ term: 2, lastIndex: 1, lead: '1' });
  });
});
