import { describe, expect, it } from 'vitest';
import { EnsembleManager, type EnsembleStatus } from '../../src/mesh/ensemble-manager.js';
import type { PeerLag } from '../../src/server/replica-status.js';

const lag = (id: string, matchIndex: number, overrides: Partial<PeerLag> = {}): PeerLag => ({
  id,
  matchIndex,
  lagEntries: 0,
  state: 'replicate',
  recentActive: true,
  isLearner: false,
  ...overrides,
});

function leaderStatus(overrides: Partial<EnsembleStatus> = {}): EnsembleStatus {
  return { id: 'a-0', role: 'leader', term: 2, leader: 'a-0', leaderReady: true, lastIndex: 10, voters: ['a-0'], learners: [], peers: [], ...overrides };
}

const present = (...ids: string[]) => new Map(ids.map((id) => [id, id.slice(0, id.lastIndexOf('-'))]));

describe('ensemble manager', () => {
  it('only a ready leader changes the ensemble', () => {
    const manager = new EnsembleManager();
    expect(manager.decide(0, leaderStatus({ role: 'follower', leader: 'b-0' }), present('b-0'), 'a')).toBeNull();
    expect(manager.decide(0, leaderStatus({ leaderReady: false }), present('b-0'), 'a')).toBeNull();
    expect(manager.decide(0, leaderStatus(), present('b-0'), 'a')).toEqual({ type: 'add-learner', replicaId: 'b-0' });
  });

  it('a learner that is not replicating yet (its tab still starting) is never promoted, however short the log', () => {
    const manager = new EnsembleManager();
    const probing = leaderStatus({ learners: ['b-0'], peers: [lag('b-0', 0, { state: 'probe', isLearner: true })] });
    expect(manager.decide(0, probing, present('b-0'), 'a')).toBeNull();
    const silent = leaderStatus({ learners: ['b-0'], peers: [lag('b-0', 10, { recentActive: false, isLearner: true })] });
    expect(manager.decide(0, silent, present('b-0'), 'a')).toBeNull();
    const replicating = leaderStatus({ learners: ['b-0'], peers: [lag('b-0', 10, { isLearner: true })] });
    expect(manager.decide(0, replicating, present('b-0'), 'a')).toEqual({ type: 'promote-learner', replicaId: 'b-0' });
  });

  it('a voter absent for the grace period is removed; a new leader first gives every absent member the full grace period', () => {
    const manager = new EnsembleManager({ voterGraceMs: 1_000 });
    const status = leaderStatus({ voters: ['a-0', 'b-0', 'c-0'], peers: [lag('b-0', 10), lag('c-0', 10)] });
    expect(manager.decide(0, status, present('b-0', 'c-0'), 'a')).toBeNull();
    expect(manager.decide(500, status, present('b-0'), 'a')).toBeNull();
    expect(manager.decide(1_600, status, present('b-0'), 'a')).toEqual({ type: 'remove-node', replicaId: 'c-0' });
    // A new term of leadership: c-0 gets the grace period again from now.
    expect(manager.decide(1_700, { ...status, term: 3 }, present('b-0'), 'a')).toBeNull();
    expect(manager.decide(2_800, { ...status, term: 3 }, present('b-0'), 'a')).toEqual({ type: 'remove-node', replicaId: 'c-0' });
  });

  it('a member this leader never saw is not removed before its grace period', () => {
    const manager = new EnsembleManager({ voterGraceMs: 1_000 });
    const status = leaderStatus({ voters: ['a-0', 'b-0', 'c-0'], peers: [lag('b-0', 10), lag('c-0', 0, { state: 'probe' })] });
    expect(manager.decide(0, status, present('b-0'), 'a')).toBeNull();
    expect(manager.decide(1_001, status, present('b-0'), 'a')).toEqual({ type: 'remove-node', replicaId: 'c-0' });
  });

  it('voters are spread over devices: with two voters on one device, a caught-up learner of a voterless device is promoted', () => {
    const manager = new EnsembleManager();
    const status = leaderStatus({
      voters: ['a-0', 'a-1', 'a-2'],
      learners: ['b-0'],
      peers: [lag('a-1', 10), lag('a-2', 10), lag('b-0', 10, { isLearner: true })],
    });
    expect(manager.decide(0, status, present('a-1', 'a-2', 'b-0'), 'a')).toEqual({ type: 'promote-learner', replicaId: 'b-0' });
    // With four voters the policy demotes a surplus one on the device that hosts several (never the leader).
    const four = { ...status, voters: ['a-0', 'a-1', 'a-2', 'b-0'], learners: [] };
    expect(manager.decide(10, four, present('a-1', 'a-2', 'b-0'), 'a')).toMatchObject({ type: 'demote-voter' });
    expect(manager.decide(10, four, present('a-1', 'a-2', 'b-0'), 'a')?.replicaId).toMatch(/^a-[12]$/);
    // Voters already on distinct devices: nothing to do.
    const spread = leaderStatus({ voters: ['a-0', 'b-0', 'c-0'], learners: ['a-1'], peers: [lag('b-0', 10), lag('c-0', 10), lag('a-1', 10, { isLearner: true })] });
    expect(manager.decide(20, spread, present('b-0', 'c-0', 'a-1'), 'a')).toBeNull();
  });
});
