import type { ConfChange } from '../consensus/conf-change.js';
import type { ReplicaId } from '../consensus/types.js';
import {
  DEFAULT_ENSEMBLE_POLICY,
  nextMembershipChange,
  type EnsemblePolicyOptions,
  type MemberInfo,
} from '../membership/ensemble-policy.js';
import type { ReplicaStatus } from '../server/replica-status.js';
import { deviceOfReplica } from './mesh-roster.js';

/** The part of ReplicaStatus the ensemble manager reads. */
export type EnsembleStatus = Pick<ReplicaStatus, 'id' | 'role' | 'term' | 'leader' | 'leaderReady' | 'lastIndex' | 'voters' | 'learners' | 'peers'>;

/** The most replicas the manager remembers (configuration members are always kept). */
export const MAX_REMEMBERED_REPLICAS = 1024;

/** The match index given to a peer that is not replicating: never within any catch-up lag. */
const NOT_REPLICATING = Number.MIN_SAFE_INTEGER;

interface Seen {
  deviceId: string;
  lastSeenMs: number;
}

/**
 * Ensemble management without an operator, on the leader (src/membership/ensemble-policy.ts does
 * the deciding): it remembers when it last saw each replica (present = linked to this replica,
 * which as a voter links to everyone) and turns that, with Raft's progress, into the policy's
 * input. Its memory restarts whenever this replica starts leading a term, so a replica it never
 * saw, or last saw before, gets the full grace period from then on — a new leader does not remove
 * a voter that is merely still reconnecting.
 */
export class EnsembleManager {
  private readonly policy: EnsemblePolicyOptions;
  private readonly seen = new Map<ReplicaId, Seen>();
  private leadingTerm = -1;

  constructor(policy: Partial<EnsemblePolicyOptions> = {}) {
    this.policy = { ...DEFAULT_ENSEMBLE_POLICY, ...policy };
  }

  /**
   * The membership change to propose now, or null. `present` maps each linked replica to its
   * device; `selfDeviceId` is this replica's.
   */
  decide(nowMs: number, status: EnsembleStatus, present: ReadonlyMap<ReplicaId, string>, selfDeviceId: string): ConfChange | null {
    if (status.role !== 'leader' || status.leader !== status.id || !status.leaderReady) {
      this.leadingTerm = -1;
      return null;
    }
    if (this.leadingTerm !== status.term) {
      this.leadingTerm = status.term;
      for (const entry of this.seen.values()) entry.lastSeenMs = nowMs;
    }
    const members = new Set<ReplicaId>([...status.voters, ...status.learners]);
    for (const [id, deviceId] of present) this.note(id, deviceId, nowMs);
    this.note(status.id, selfDeviceId, nowMs);
    for (const id of members) if (!this.seen.has(id)) this.seen.set(id, { deviceId: deviceOfReplica(id), lastSeenMs: nowMs });
    this.forgetExcess(members);

    // A peer counts as caught up only while it replicates and answers: a learner that holds
    // nothing yet (its tab still starting) must never be promoted on a small log's small lag.
    const matchOf = new Map(
      status.peers.map((peer) => [peer.id, peer.state === 'replicate' && peer.recentActive && peer.matchIndex > 0 ? peer.matchIndex : NOT_REPLICATING]),
    );
    const infos = new Map<ReplicaId, MemberInfo>();
    for (const [id, entry] of this.seen) {
      const isPresent = id === status.id || present.has(id);
      infos.set(id, {
        replicaId: id,
        deviceId: entry.deviceId,
        present: isPresent,
        lastSeenMs: entry.lastSeenMs,
        matchIndex: id === status.id ? status.lastIndex : (matchOf.get(id) ?? NOT_REPLICATING),
      });
    }
    const state = {
      nowMs,
      leaderId: status.id,
      leaderLastIndex: status.lastIndex,
      confState: { voters: status.voters, learners: status.learners },
      members: infos,
      // Raft refuses a second change while one is uncommitted; the manager just asks again later.
      changePending: false,
    };
    return nextMembershipChange(state, this.policy) ?? this.rebalance(state.leaderLastIndex, status, infos);
  }

  /**
   * Spreads voters over devices (the policy only prefers voterless devices when it promotes):
   * when the voters are at the target but a device hosts two of them while a caught-up, present
   * learner sits on a device with none, promote that learner; the policy then demotes a surplus
   * voter, preferring one on a device that hosts two. So losing one browser takes fewer voters.
   */
  private rebalance(leaderLastIndex: number, status: EnsembleStatus, infos: ReadonlyMap<ReplicaId, MemberInfo>): ConfChange | null {
    if (status.voters.length !== this.policy.targetVoters) return null;
    const deviceOf = (id: ReplicaId) => infos.get(id)?.deviceId ?? deviceOfReplica(id);
    const voterDevices = status.voters.map(deviceOf);
    if (new Set(voterDevices).size === voterDevices.length) return null;
    const candidate = status.learners
      .map((id) => infos.get(id))
      .filter((member): member is MemberInfo => member !== undefined && member.present && !voterDevices.includes(member.deviceId))
      .filter((member) => leaderLastIndex - member.matchIndex <= this.policy.catchUpLagEntries)
      .sort((a, b) => b.matchIndex - a.matchIndex || (a.replicaId < b.replicaId ? -1 : 1))[0];
    return candidate === undefined ? null : { type: 'promote-learner', replicaId: candidate.replicaId };
  }

  private note(id: ReplicaId, deviceId: string, nowMs: number): void {
    const entry = this.seen.get(id);
    if (entry === undefined) this.seen.set(id, { deviceId, lastSeenMs: nowMs });
    else {
      entry.deviceId = deviceId;
      entry.lastSeenMs = nowMs;
    }
  }

  /** Forgets the longest-absent non-members beyond MAX_REMEMBERED_REPLICAS. */
  private forgetExcess(members: ReadonlySet<ReplicaId>): void {
    if (this.seen.size <= MAX_REMEMBERED_REPLICAS) return;
    const strangers = [...this.seen].filter(([id]) => !members.has(id)).sort((a, b) => a[1].lastSeenMs - b[1].lastSeenMs);
    for (const [id] of strangers.slice(0, this.seen.size - MAX_REMEMBERED_REPLICAS)) this.seen.delete(id);
  }
}
