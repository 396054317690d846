import type { ReplicaId } from '../consensus/types.js';
import { plannedLinks, type RosterMember, type RosterRole } from '../transport/topology.js';
import type { PresenceState } from '../transport/room-presence.js';

/**
 * Which peers this replica links to, and over what (topology.ts's rule, fed from what a tab's
 * replica knows): the roster is every replica it has heard of — the signaling room's roster,
 * the tabs present on this profile's BroadcastChannel, the peers it is linked to, and the members
 * of its configuration — each with the role its own configuration gives it, else the role its
 * presence announces, else 'joining'. A replica that knows no voter yet (a new, empty tab) links
 * to everyone it heard of; once its log or its peers' presence names the voters, it keeps the
 * links topology.ts plans. The known leader is always wanted (it must reach every replica).
 */

export interface RosterInputs {
  readonly self: ReplicaId;
  readonly selfDeviceId: string;
  /** Replicas heard of by any means (duplicates and self are fine). */
  readonly heardOf: Iterable<ReplicaId>;
  /** This replica's configuration (latest in its log). */
  readonly voters: readonly ReplicaId[];
  readonly learners: readonly ReplicaId[];
  readonly leader: ReplicaId | null;
  /** What linked peers announce about themselves. */
  readonly presence: ReadonlyMap<ReplicaId, PresenceState>;
}

export interface WantedLinks {
  /** Peers on this device: linked over BroadcastChannel. Sorted. */
  readonly broadcast: readonly ReplicaId[];
  /** Peers on other devices: linked over a WebRTC data channel. Sorted. */
  readonly webrtc: readonly ReplicaId[];
}

/**
 * The device (browser profile) of a replica: replica ids are `${deviceId}-${slot}`
 * (src/browser/replica-identity.ts); an id without a slot is its own device.
 */
export function deviceOfReplica(replicaId: ReplicaId): string {
  const dash = replicaId.lastIndexOf('-');
  return dash > 0 && /^[0-9]+$/.test(replicaId.slice(dash + 1)) ? replicaId.slice(0, dash) : replicaId;
}

function roleOf(id: ReplicaId, inputs: RosterInputs, voters: ReadonlySet<ReplicaId>, learners: ReadonlySet<ReplicaId>): RosterRole {
  if (voters.has(id) || id === inputs.leader) return 'voter';
  if (learners.has(id)) return 'observer';
  return inputs.presence.get(id)?.role ?? 'joining';
}

/** The roster as topology.ts takes it, and this replica's own entry. */
export function meshRoster(inputs: RosterInputs): { readonly roster: RosterMember[]; readonly self: RosterMember } {
  const voters = new Set(inputs.voters);
  const learners = new Set(inputs.learners);
  const ids = new Set<ReplicaId>([...inputs.heardOf, ...inputs.voters, ...inputs.learners, ...inputs.presence.keys()]);
  if (inputs.leader !== null) ids.add(inputs.leader);
  ids.delete(inputs.self);
  const roster = [...ids].map((id) => ({
    id,
    role: roleOf(id, inputs, voters, learners),
    deviceId: inputs.presence.get(id)?.deviceId ?? deviceOfReplica(id),
  }));
  const selfRole: RosterRole = voters.has(inputs.self) ? 'voter' : learners.has(inputs.self) ? 'observer' : 'joining';
  return { roster, self: { id: inputs.self, role: selfRole, deviceId: inputs.selfDeviceId } };
}

/** The links this replica should hold, split by medium. */
export function wantedLinks(inputs: RosterInputs): WantedLinks {
  const { roster, self } = meshRoster(inputs);
  const planned = plannedLinks(roster, self);
  const wanted = new Set(planned.map((link) => link.peer));
  const broadcast: ReplicaId[] = [];
  const webrtc: ReplicaId[] = [];
  for (const link of planned) (link.medium === 'broadcast' ? broadcast : webrtc).push(link.peer);
  const leader = inputs.leader;
  if (leader !== null && leader !== inputs.self && !wanted.has(leader)) {
    const leaderDevice = roster.find((member) => member.id === leader)?.deviceId ?? deviceOfReplica(leader);
    (leaderDevice === self.deviceId ? broadcast : webrtc).push(leader);
    broadcast.sort();
    webrtc.sort();
  }
  return { broadcast, webrtc };
}
