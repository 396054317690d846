import { describe, expect, it } from 'vitest';
import { leaveTransferee } from '../../src/mesh/leave-handover.js';
import type { PeerLag, ReplicaStatus } from '../../src/server/replica-status.js';

/** The fields of a leader's status the handover reads (the rest does not matter to it). */
function status(role: ReplicaStatus['role'], voters: string[], peers: Partial<PeerLag>[]): ReplicaStatus {
  const lags = peers.map((peer) => ({ id: '', matchIndex: 0, lagEntries: 0, state: 'replicate', recentActive: true, isLearner: false, ...peer }));
  return { id: 'a', role, voters, peers: lags } as Partial<ReplicaStatus> as ReplicaStatus;
}

describe('leave handover', () => {
  it('a leaving leader hands over to the linked voter with the longest log, ties to the smallest id', () => {
    const leader = status('leader', ['a', 'b', 'c', 'd'], [{ id: 'b', matchIndex: 9 }, { id: 'c', matchIndex: 10 }, { id: 'd', matchIndex: 10 }]);
    expect(leaveTransferee(leader, new Set(['b', 'c', 'd']))).toBe('c');
    expect(leaveTransferee(leader, new Set(['b', 'd']))).toBe('d');
  });

  it('never to a learner, an unlinked replica, or when it does not lead', () => {
    const leader = status('leader', ['a', 'b'], [{ id: 'b', matchIndex: 1 }, { id: 'e', matchIndex: 50, isLearner: true }]);
    expect(leaveTransferee(leader, new Set(['b', 'e']))).toBe('b');
    expect(leaveTransferee(leader, new Set(['e']))).toBe(null);
    expect(leaveTransferee(status('follower', ['a', 'b'], [{ id: 'b' }]), new Set(['b']))).toBe(null);
  });
});
