import type { ConfChange } from '../consensus/conf-change.js';
import type { ConfState, ReplicaId } from '../consensus/types.js';
import { assert } from '../errors/keeper-error.js';

/** What the leader knows of one replica of the room (from presence and from Raft's progress). */
export interface MemberInfo {
  readonly replicaId: ReplicaId;
  /** The browser profile (device) hosting it: voters on distinct devices survive a device going away. */
  readonly deviceId: string;
  /** Currently linked / announced in the room's presence. */
  readonly present: boolean;
  /** When it was last present, by the leader's clock. */
  readonly lastSeenMs: number;
  /** The highest log index the leader knows it holds (Raft progress `match`), 0 if unknown. */
  readonly matchIndex: number;
}

export interface EnsemblePolicyOptions {
  /** Voters wanted: 1, 3, 5 or 7. */
  readonly targetVoters: number;
  /** A voter absent this long is removed (and a healthy observer promoted in its place). */
  readonly voterGraceMs: number;
  /** An observer absent this long is removed from the configuration. */
  readonly learnerGraceMs: number;
  /** An observer is caught up when it is at most this many entries behind the leader. */
  readonly catchUpLagEntries: number;
}

export const DEFAULT_ENSEMBLE_POLICY: EnsemblePolicyOptions = {
  targetVoters: 3,
  voterGraceMs: 10_000,
  learnerGraceMs: 60_000,
  catchUpLagEntries: 100,
};

export const ALLOWED_VOTER_TARGETS: readonly number[] = [1, 3, 5, 7];

export interface EnsembleState {
  readonly nowMs: number;
  readonly leaderId: ReplicaId;
  readonly leaderLastIndex: number;
  readonly confState: ConfState;
  /** Every replica the leader has heard of, members of the configuration or not. */
  readonly members: ReadonlyMap<ReplicaId, MemberInfo>;
  /** A membership change is proposed and not yet committed: propose nothing else. */
  readonly changePending: boolean;
}

const byId = (a: ReplicaId, b: ReplicaId) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Ensemble management without an operator, as one pure decision: the single membership change
 * the leader should propose now, or null. Run on the leader every few ticks; Raft allows one
 * change at a time, so this returns at most one. Priorities:
 * 1. remove a voter gone longer than the grace period (never the leader);
 * 2. add every present replica that is not in the configuration as an observer (learner);
 * 3. promote a caught-up, present observer while voters are fewer than the target, preferring
 *    devices that host no voter yet, then the least lag, then the smallest id;
 * 4. demote a surplus voter (more than the target) to observer, preferring a device that hosts
 *    two voters, never the leader: it stays in the configuration, so its tab's clients keep their
 *    connections (a removal would drop its writes in flight until it is added back);
 * 5. remove an observer gone longer than its grace period.
 */
export function nextMembershipChange(state: EnsembleState, options: EnsemblePolicyOptions = DEFAULT_ENSEMBLE_POLICY): ConfChange | null {
  assert(ALLOWED_VOTER_TARGETS.includes(options.targetVoters), `targetVoters must be one of ${ALLOWED_VOTER_TARGETS.join(', ')}`);
  if (state.changePending) return null;
  const { confState, members, nowMs, leaderId } = state;
  const voters = [...confState.voters].sort(byId);
  const learners = [...confState.learners].sort(byId);
  const inConfig = new Set([...voters, ...learners]);
  const absentFor = (id: ReplicaId): number => {
    const member = members.get(id);
    if (member === undefined) return Number.POSITIVE_INFINITY;
    return member.present ? 0 : nowMs - member.lastSeenMs;
  };

  const deadVoter = voters.find((id) => id !== leaderId && absentFor(id) > options.voterGraceMs);
  if (deadVoter !== undefined) return { type: 'remove-node', replicaId: deadVoter };

  const newcomer = [...members.values()]
    .filter((member) => member.present && !inConfig.has(member.replicaId))
    .map((member) => member.replicaId)
    .sort(byId)[0];
  if (newcomer !== undefined) return { type: 'add-learner', replicaId: newcomer };

  if (voters.length < options.targetVoters) {
    const voterDevices = new Set(voters.map((id) => members.get(id)?.deviceId).filter((d) => d !== undefined));
    const candidates = learners
      .map((id) => members.get(id))
      .filter((member): member is MemberInfo => member !== undefined && member.present)
      .filter((member) => state.leaderLastIndex - member.matchIndex <= options.catchUpLagEntries)
      .sort(
        (a, b) =>
          Number(voterDevices.has(a.deviceId)) - Number(voterDevices.has(b.deviceId)) ||
          b.matchIndex - a.matchIndex ||
          byId(a.replicaId, b.replicaId),
      );
    const chosen = candidates[0];
    if (chosen !== undefined) return { type: 'promote-learner', replicaId: chosen.replicaId };
  }

  if (voters.length > options.targetVoters) {
    const perDevice = new Map<string, number>();
    for (const id of voters) {
      const device = members.get(id)?.deviceId ?? `unknown:${id}`;
      perDevice.set(device, (perDevice.get(device) ?? 0) + 1);
    }
    const surplus = voters
      .filter((id) => id !== leaderId)
      .sort(
        (a, b) =>
          (perDevice.get(members.get(b)?.deviceId ?? `unknown:${b}`) ?? 0) -
            (perDevice.get(members.get(a)?.deviceId ?? `unknown:${a}`) ?? 0) ||
          absentFor(b) - absentFor(a) ||
          byId(b, a),
      )[0];
    if (surplus !== undefined) return { type: 'demote-voter', replicaId: surplus };
  }

  const goneLearner = learners.find((id) => absentFor(id) > options.learnerGraceMs);
  if (goneLearner !== undefined) return { type: 'remove-node', replicaId: goneLearner };
  return null;
}
