import type { ReplicaId } from '../consensus/types.js';
import { assert } from '../errors/keeper-error.js';

/**
 * Which peers a replica holds links to. Pure: a function of the roster and who I am.
 *
 * Raft traffic only flows between a voter and anyone (the leader is a voter and appends to every
 * replica; candidates ask voters), so:
 *   - every replica links to every voter;
 *   - voters link to everyone;
 *   - observers (and joining replicas) do not link to each other;
 *   - except while the roster has no voter yet (bootstrap): joining replicas link to each other so
 *     they can form the first configuration.
 * A room of 50 tabs with 5 voters: 5 links per observer, 49 per voter. The rule is symmetric, so
 * both ends of a link want it. Tabs on the same device (browser profile) use BroadcastChannel, the
 * others a WebRTC data channel.
 */

export type RosterRole = 'voter' | 'observer' | 'joining';

export interface RosterMember {
  readonly id: ReplicaId;
  readonly role: RosterRole;
  /** The browser profile hosting the replica; equal ids can reach each other over BroadcastChannel. */
  readonly deviceId: string;
}

export type LinkMedium = 'broadcast' | 'webrtc';

export interface PlannedLink {
  readonly peer: ReplicaId;
  readonly medium: LinkMedium;
}

/** Whether `first` and `second` should be linked; symmetric. `rosterHasVoter` says whether any voter exists. */
export function shouldLink(first: RosterMember, second: RosterMember, rosterHasVoter: boolean): boolean {
  if (first.id === second.id) return false;
  if (first.role === 'voter' || second.role === 'voter') return true;
  return !rosterHasVoter && first.role === 'joining' && second.role === 'joining';
}

export function linkMedium(first: RosterMember, second: RosterMember): LinkMedium {
  return first.deviceId === second.deviceId ? 'broadcast' : 'webrtc';
}

/**
 * The links `self` should hold, sorted by peer id. `self` need not be in the roster (a tab that has
 * not joined yet passes itself as 'joining'); a roster entry with self's id is ignored in favour of `self`.
 */
export function plannedLinks(roster: readonly RosterMember[], self: RosterMember): PlannedLink[] {
  const seen = new Set<ReplicaId>();
  for (const member of roster) {
    assert(!seen.has(member.id), `roster lists replica ${member.id} twice`);
    seen.add(member.id);
  }
  const others = roster.filter((member) => member.id !== self.id);
  const rosterHasVoter = self.role === 'voter' || others.some((member) => member.role === 'voter');
  return others
    .filter((member) => shouldLink(self, member, rosterHasVoter))
    .map((member) => ({ peer: member.id, medium: linkMedium(self, member) }))
    .sort((first, second) => (first.peer < second.peer ? -1 : first.peer > second.peer ? 1 : 0));
}
