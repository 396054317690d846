import { describe, expect, it } from 'vitest';
import type { ConfChange } from '../../src/consensus/conf-change.js';
import { applyConfChange } from '../../src/consensus/conf-change.js';
import type { ConfState } from '../../src/consensus/types.js';
import { DEFAULT_ENSEMBLE_POLICY, nextMembershipChange, type EnsembleState, type MemberInfo } from '../../src/membership/ensemble-policy.js';
import { createPrng } from '../../src/util/prng.js';

const member = (replicaId: string, deviceId: string, overrides: Partial<MemberInfo> = {}): MemberInfo => ({
  replicaId,
  deviceId,
  present: true,
  lastSeenMs: 1000,
  matchIndex: 100,
  ...overrides,
});

function state(confState: ConfState, members: MemberInfo[], overrides: Partial<EnsembleState> = {}): EnsembleState {
  return {
    nowMs: 1000,
    leaderId: confState.voters[0] ?? 'none',
    leaderLastIndex: 100,
    confState,
    members: new Map(members.map((m) => [m.replicaId, m])),
    changePending: false,
    ...overrides,
  };
}

describe('ensemble management policy', () => {
  it('new replicas join as observers first', () => {
    const s = state({ voters: ['a'], learners: [] }, [member('a', 'd1'), member('c', 'd2'), member('b', 'd3')]);
    expect(nextMembershipChange(s)).toEqual({ type: 'add-learner', replicaId: 'b' });
  });

  it('caught-up observers are promoted while voters are fewer than the target', () => {
    const s = state({ voters: ['a'], learners: ['b'] }, [member('a', 'd1'), member('b', 'd2')]);
    expect(nextMembershipChange(s)).toEqual({ type: 'promote-learner', replicaId: 'b' });
  });

  it('an observer that has not caught up is not promoted', () => {
    const s = state({ voters: ['a'], learners: ['b'] }, [member('a', 'd1'), member('b', 'd2', { matchIndex: 10 })], { leaderLastIndex: 500 });
    expect(nextMembershipChange(s)).toBeNull();
  });

  it('promotion prefers a device that hosts no voter yet', () => {
    const s = state({ voters: ['a'], learners: ['a2', 'z'] }, [member('a', 'd1'), member('a2', 'd1', { matchIndex: 100 }), member('z', 'd2', { matchIndex: 95 })]);
    expect(nextMembershipChange(s)).toEqual({ type: 'promote-learner', replicaId: 'z' });
  });

  it('a second voter on the same device is still better than too few voters', () => {
    const s = state({ voters: ['a'], learners: ['a2'] }, [member('a', 'd1'), member('a2', 'd1')]);
    expect(nextMembershipChange(s)).toEqual({ type: 'promote-learner', replicaId: 'a2' });
  });

  it('no promotion past the target', () => {
    const s = state({ voters: ['a', 'b', 'c'], learners: ['d'] }, [member('a', 'd1'), member('b', 'd2'), member('c', 'd3'), member('d', 'd4')]);
    expect(nextMembershipChange(s)).toBeNull();
    expect(nextMembershipChange(s, { ...DEFAULT_ENSEMBLE_POLICY, targetVoters: 5 })).toEqual({ type: 'promote-learner', replicaId: 'd' });
  });

  it('a voter gone longer than the grace period is removed, never the leader', () => {
    const members = [member('a', 'd1'), member('b', 'd2', { present: false, lastSeenMs: 0 }), member('c', 'd3')];
    expect(nextMembershipChange(state({ voters: ['a', 'b', 'c'], learners: [] }, members, { nowMs: 5_000 }))).toBeNull();
    expect(nextMembershipChange(state({ voters: ['a', 'b', 'c'], learners: [] }, members, { nowMs: 20_000 }))).toEqual({ type: 'remove-node', replicaId: 'b' });
    const leaderGone = [member('a', 'd1', { present: false, lastSeenMs: 0 })];
    expect(nextMembershipChange(state({ voters: ['a'], learners: [] }, leaderGone, { nowMs: 99_000 }))).toBeNull();
  });

  it('surplus voters are demoted to observers (they stay members), a doubled device first', () => {
    const members = [member('a', 'd1'), member('b', 'd2'), member('b2', 'd2'), member('c', 'd3')];
    expect(nextMembershipChange(state({ voters: ['a', 'b', 'b2', 'c'], learners: [] }, members))).toEqual({ type: 'demote-voter', replicaId: 'b2' });
    // Demoted, it is a present observer of a full ensemble: nothing more to change.
    expect(nextMembershipChange(state({ voters: ['a', 'b', 'c'], learners: ['b2'] }, members))).toBeNull();
  });

  it('an observer gone past its grace period is removed', () => {
    const members = [member('a', 'd1'), member('o', 'd2', { present: false, lastSeenMs: 0 })];
    expect(nextMembershipChange(state({ voters: ['a'], learners: ['o'] }, members, { nowMs: 30_000 }))).toBeNull();
    expect(nextMembershipChange(state({ voters: ['a'], learners: ['o'] }, members, { nowMs: 70_000 }))).toEqual({ type: 'remove-node', replicaId: 'o' });
  });

  it('nothing while a change is pending', () => {
    const s = state({ voters: ['a'], learners: [] }, [member('a', 'd1'), member('b', 'd2')], { changePending: true });
    expect(nextMembershipChange(s)).toBeNull();
  });

  it('applied repeatedly, a room converges to the target with every present replica in the configuration', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const prng = createPrng(seed);
      const count = prng.nextIntBetween(1, 12);
      const target = [1, 3, 5, 7][prng.nextInt(4)]!;
      const members = Array.from({ length: count }, (_, i) => member(`r${i}`, `d${prng.nextInt(4)}`));
      let conf: ConfState = { voters: ['r0'], learners: [] };
      let change: ConfChange | null;
      let steps = 0;
      while ((change = nextMembershipChange(state(conf, members, { leaderId: 'r0' }), { ...DEFAULT_ENSEMBLE_POLICY, targetVoters: target })) !== null) {
        conf = applyConfChange(conf, change);
        steps += 1;
        expect(steps, `seed ${seed}`).toBeLessThan(100);
      }
      expect(conf.voters.length, `seed ${seed}`).toBe(Math.min(target, count));
      expect(conf.voters.length + conf.learners.length, `seed ${seed}`).toBe(count);
      const devices = new Set(members.map((m) => m.deviceId));
      const voterDevices = new Set(conf.voters.map((id) => members.find((m) => m.replicaId === id)?.deviceId));
      expect(voterDevices.size, `seed ${seed}: voters spread over devices`).toBe(Math.min(devices.size, conf.voters.length));
    }
  });
});
