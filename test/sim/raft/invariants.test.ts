import { describe, expect, it } from 'vitest';
import { EntryType, type Entry } from '../../../src/consensus/types.js';
import { InvariantViolation, RaftInvariants } from './invariants.js';
import { LogMirror } from './log-mirror.js';

const data = (text: string) => new TextEncoder().encode(text);
const entry = (index: number, term: number, text = `${term}/${index}`): Entry => ({ index, term, type: EntryType.Normal, data: data(text) });

/** A mirror holding `entries` (from index 1), its positions recorded with `invariants`. */
function log(invariants: RaftInvariants, replica: string, entries: Entry[]): LogMirror {
  const mirror = new LogMirror();
  invariants.recordPositions(replica, mirror.append(entries));
  return mirror;
}

describe('log mirror', () => {
  it('equal prefixes give equal hashes; a different entry anywhere before changes every later hash', () => {
    const a = new LogMirror();
    const b = new LogMirror();
    a.append([entry(1, 1), entry(2, 1), entry(3, 2)]);
    b.append([entry(1, 1), entry(2, 1, 'other'), entry(3, 2)]);
    expect(a.hashAt(1)).toBe(b.hashAt(1));
    expect(a.hashAt(2)).not.toBe(b.hashAt(2));
    expect(a.hashAt(3)).not.toBe(b.hashAt(3));
  });

  it('appending at a held index replaces it and everything after; compaction keeps the prefix hash', () => {
    const mirror = new LogMirror();
    mirror.append([entry(1, 1), entry(2, 1), entry(3, 1)]);
    const hash1 = mirror.hashAt(1);
    mirror.append([entry(2, 2)]);
    expect(mirror.lastIndex()).toBe(2);
    expect(mirror.termAt(2)).toBe(2);
    const hash2 = mirror.hashAt(2);
    mirror.compactTo(2);
    expect({ index: mirror.snapshotIndex, term: mirror.snapshotTerm, hash: mirror.snapshotHash }).toEqual({ index: 2, term: 2, hash: hash2 });
    expect(mirror.hashAt(1)).toBeUndefined();
    expect(hash1).not.toBe(hash2);
  });

  it('refuses entries that leave a gap', () => {
    const mirror = new LogMirror();
    expect(() => mirror.append([entry(2, 1)])).toThrow(/do not attach/);
  });
});

describe('raft invariants', () => {
  it('election safety: a second leader in a term is a violation, the same one again is not', () => {
    const invariants = new RaftInvariants();
    invariants.recordLeaderTerm('r1', 3);
    invariants.recordLeaderTerm('r1', 3);
    expect(() => invariants.recordLeaderTerm('r2', 3)).toThrow(new InvariantViolation('election safety: two leaders in term 3: r1 and r2'));
  });

  it('log matching: the same (index, term) after different prefixes is a violation', () => {
    const invariants = new RaftInvariants();
    log(invariants, 'r1', [entry(1, 1), entry(2, 2)]);
    expect(() => log(invariants, 'r2', [entry(1, 1, 'forged'), entry(2, 2)])).toThrow(/^log matching: r2 holds entry 1 of term 1 after a different prefix/);
  });

  it('committed entries agree: a replica reporting another entry committed at an index is a violation', () => {
    const invariants = new RaftInvariants();
    invariants.recordCommit('r1', 2, 0, 2, log(invariants, 'r1', [entry(1, 1), entry(2, 2)]));
    const other = log(invariants, 'r2', [entry(1, 1), entry(2, 3)]);
    expect(() => invariants.recordCommit('r2', 3, 0, 2, other)).toThrow(/^committed entries disagree: r2 reports index 2 committed with term 3, but the entry committed there earlier has term 2/);
  });

  it('leader completeness: a new leader lacking an entry committed in an earlier term is a violation', () => {
    const invariants = new RaftInvariants();
    invariants.recordCommit('r1', 2, 0, 3, log(invariants, 'r1', [entry(1, 1), entry(2, 2), entry(3, 2)]));
    const short = log(invariants, 'r2', [entry(1, 1), entry(2, 2)]);
    expect(() => invariants.recordRole('r2', true, 3, short)).toThrow(/^leader completeness: r2, leader of term 3, lacks committed entry 3 \(its log ends at 2\)/);
    // A leader of the same term as the commit report is not held to it (it may be the stale one).
    invariants.recordRole('r2', true, 2, short);
  });

  it('leader completeness: a leader elected before a commit is reported still must hold it if the commit came from an earlier term', () => {
    const invariants = new RaftInvariants();
    const leaderLog = log(invariants, 'r3', [entry(1, 1)]);
    invariants.recordRole('r3', true, 5, leaderLog);
    const follower = log(invariants, 'r1', [entry(1, 1), entry(2, 4)]);
    expect(() => invariants.recordCommit('r1', 4, 0, 2, follower)).toThrow(/^leader completeness: r3, leader of term 5, lacks committed entry 2/);
  });

  it('state machine safety: different digests at the same applied index are a violation, and so is applying past the commit', () => {
    const invariants = new RaftInvariants();
    invariants.recordApplied('r1', 4, 1234, 4, 'entry');
    expect(() => invariants.recordApplied('r2', 4, 999, 4, 'snapshot')).toThrow(/^state machines diverge: r2's state at applied index 4 \(snapshot\) has digest 999, another replica's had 1234/);
    expect(() => invariants.recordApplied('r3', 5, 1, 4, 'entry')).toThrow(/^applied before committed: r3 applied entry 5 while its commit index is 4/);
  });

  it('durability: a restart below the durable commit, or with a log differing from the committed entries, is a violation', () => {
    const invariants = new RaftInvariants();
    const mirror = log(invariants, 'r1', [entry(1, 1), entry(2, 1)]);
    invariants.recordCommit('r1', 1, 0, 2, mirror);
    expect(() => invariants.recordRecovery('r1', 1, 2, mirror)).toThrow(/^committed entry lost: r1 restarted with commit 1, below the commit 2/);
    expect(() => invariants.recordRecovery('r2', 2, 0, log(new RaftInvariants(), 'r2', [entry(1, 1), entry(2, 1, 'other')]))).toThrow(/^committed entry lost: r2 restarted with a log that differs/);
    invariants.recordRecovery('r1', 2, 2, mirror);
  });

  it('durable quorum: a commit held on disk by a minority of the voters is a violation', () => {
    const invariants = new RaftInvariants();
    const full = log(invariants, 'r1', [entry(1, 1), entry(2, 1)]);
    const short = log(invariants, 'r2', [entry(1, 1)]);
    invariants.registerDurableLog('r1', () => full);
    invariants.registerDurableLog('r2', () => short);
    invariants.registerDurableLog('r3', () => short);
    invariants.recordCommit('r1', 1, 0, 2, full);
    const conf = { voters: ['r1', 'r2', 'r3'], learners: [] };
    expect(() => invariants.recordLeaderCommit('r1', 2, [conf])).toThrow(/^commit without a durable quorum: r1 committed 2, but of the voters r1,r2,r3 only r1 hold it on disk/);
    // Counted in the configuration before a change (r1, r2 of r1..r2) it is fine.
    invariants.registerDurableLog('r2', () => full);
    invariants.recordLeaderCommit('r1', 2, [{ voters: ['r1', 'r2'], learners: [] }, conf]);
  });
});
