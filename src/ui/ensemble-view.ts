import type { MeshStatus } from '../mesh/mesh-node.js';

/** What `<mk-ensemble>` reads: a replica's status (BrowserMesh has it; so has a MeshNode). */
export interface EnsembleSource {
  status(): Promise<EnsembleStatus>;
}

/** A MeshStatus, with the page's extras when it comes from a BrowserMesh. */
export type EnsembleStatus = MeshStatus & {
  readonly signaling?: string;
  readonly slot?: number;
  readonly webrtcPeers?: readonly string[];
};

/** A replica's role as the view shows it. */
export type ReplicaRoleView = 'leader' | 'follower' | 'candidate' | 'observer' | 'joining' | 'unknown';

/** One row of the ensemble view. */
export interface ReplicaView {
  readonly id: string;
  readonly deviceId: string;
  /** This tab's own replica. */
  readonly self: boolean;
  readonly role: ReplicaRoleView;
  readonly membership: 'voter' | 'learner' | 'none';
  /** The term it last reported (its own status for self, presence for the others); null if unknown. */
  readonly term: number | null;
  /** The last zxid it applied, hex: its own for self, as last announced (presence) for the others; null if unknown. */
  readonly lastZxid: string | null;
  /**
   * Log entries behind the leader, from the leader's Raft progress: known on the leader's tab
   * (0 for the leader itself everywhere); null where this tab cannot know it.
   */
  readonly lag: number | null;
  /** How this tab's replica is linked to it ('broadcast', 'webrtc', ...), null if not linked. */
  readonly link: string | null;
  /** Alive as far as this tab can tell (running; answering the leader; linked or announced). */
  readonly live: boolean;
  readonly frozen: boolean;
}

/** The ensemble as one tab sees it. */
export interface EnsembleView {
  readonly self: string;
  readonly phase: MeshStatus['phase'];
  readonly leader: string | null;
  readonly term: number;
  readonly lastZxid: string;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly lastIndex: number;
  readonly nodeCount: number;
  readonly sessionCount: number;
  readonly voters: readonly string[];
  readonly learners: readonly string[];
  readonly frozen: boolean;
  /** The page's signaling connection state, when the status came from a BrowserMesh. */
  readonly signaling: string | null;
  readonly replicas: readonly ReplicaView[];
}

/** The most rows a view holds (presence is bounded too; this keeps a table readable). */
export const MAX_REPLICA_ROWS = 256;

const deviceOf = (replicaId: string): string => {
  const dash = replicaId.lastIndexOf('-');
  return dash > 0 ? replicaId.slice(0, dash) : replicaId;
};

/** A replica or device id short enough for a table cell: a long device part is cut to 8 characters. */
export function shortId(id: string): string {
  const dash = id.lastIndexOf('-');
  const device = dash > 0 ? id.slice(0, dash) : id;
  const rest = dash > 0 ? id.slice(dash) : '';
  return device.length > 12 ? `${device.slice(0, 8)}…${rest}` : id;
}

const ROLE_ORDER: Record<ReplicaRoleView, number> = { leader: 0, candidate: 1, follower: 2, observer: 3, joining: 4, unknown: 5 };

/**
 * When the leader last saw each peer active. Raft's status marks a peer active when it answered
 * within the current or the previous CheckQuorum round (an election timeout each), so a healthy
 * peer reads active at any moment; the grace here rides out a stalled tab that is merely slow:
 * a peer counts as active while it was seen active within `graceMs`.
 */
export interface PeerActivity {
  readonly nowMs: number;
  readonly lastActiveMs: ReadonlyMap<string, number>;
  readonly graceMs: number;
}

/** How long after the leader last saw a peer active it still counts as live (a few election timeouts). */
export const DEFAULT_ACTIVITY_GRACE_MS = 3_000;

/**
 * Records which peers the leader sees active now (the leader's status only); returns the activity
 * to pass to `ensembleView`. Peers not in the status are forgotten (bounded by the status).
 */
export function trackActivity(status: EnsembleStatus, lastActiveMs: Map<string, number>, nowMs: number, graceMs = DEFAULT_ACTIVITY_GRACE_MS): PeerActivity {
  if (status.role !== 'leader') lastActiveMs.clear();
  const known = new Set(status.peers.map((peer) => peer.id));
  for (const id of [...lastActiveMs.keys()]) if (!known.has(id)) lastActiveMs.delete(id);
  for (const peer of status.peers) if (peer.recentActive) lastActiveMs.set(peer.id, nowMs);
  return { nowMs, lastActiveMs, graceMs };
}

/** The rows and summary `<mk-ensemble>` renders, from one replica's status. Pure. */
export function ensembleView(status: EnsembleStatus, activity?: PeerActivity): EnsembleView {
  const self = status.replicaId;
  const selfLeads = status.role === 'leader';
  const presence = new Map(status.presence.map((peer) => [peer.replicaId, peer]));
  const links = new Map(status.links.map((link) => [link.peer, link.kind]));
  const progress = new Map(status.peers.map((peer) => [peer.id, peer]));
  const selfVoter = status.voters.includes(self);
  const ids = new Set<string>([self, ...status.voters, ...status.learners, ...presence.keys(), ...links.keys()]);

  const rows: ReplicaView[] = [];
  for (const id of ids) {
    if (rows.length >= MAX_REPLICA_ROWS) break;
    const membership = status.voters.includes(id) ? 'voter' : status.learners.includes(id) ? 'learner' : 'none';
    if (id === self) {
      rows.push({
        id,
        deviceId: status.deviceId,
        self: true,
        role: selfRole(status),
        membership,
        term: status.phase === 'running' ? status.term : null,
        lastZxid: status.phase === 'running' ? status.lastZxid : null,
        lag: selfLeads ? 0 : null,
        link: null,
        live: status.phase === 'running' && !status.frozen,
        frozen: status.frozen,
      });
      continue;
    }
    const announced = presence.get(id);
    const peerProgress = progress.get(id);
    const lag = selfLeads ? (peerProgress?.lagEntries ?? null) : id === status.leader ? 0 : null;
    const linked = links.get(id) ?? null;
    rows.push({
      id,
      deviceId: announced?.deviceId ?? deviceOf(id),
      self: false,
      role: peerRole(id, status, announced?.role),
      membership,
      term: announced?.term ?? null,
      lastZxid: announced?.appliedZxid ?? null,
      lag,
      link: linked,
      live: liveness(selfLeads, activeLately(id, peerProgress?.recentActive, activity), linked !== null, announced !== undefined, membership === 'voter' || selfVoter),
      frozen: false,
    });
  }
  rows.sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    self,
    phase: status.phase,
    leader: status.leader,
    term: status.term,
    lastZxid: status.lastZxid,
    commitIndex: status.commitIndex,
    appliedIndex: status.appliedIndex,
    lastIndex: status.lastIndex,
    nodeCount: status.nodeCount,
    sessionCount: status.sessionCount,
    voters: status.voters,
    learners: status.learners,
    frozen: status.frozen,
    signaling: status.signaling ?? null,
    replicas: rows,
  };
}

/** Whether the leader saw the peer active now, or within the grace period. */
function activeLately(id: string, recentActive: boolean | undefined, activity: PeerActivity | undefined): boolean | undefined {
  if (recentActive === undefined || recentActive || activity === undefined) return recentActive;
  const seen = activity.lastActiveMs.get(id);
  return seen !== undefined && activity.nowMs - seen <= activity.graceMs;
}

/**
 * Whether a peer is alive as far as this tab can tell. The leader knows best: Raft saw it answer
 * lately. Elsewhere: every replica links to every voter and voters link to everyone, so where a link
 * is expected, the link says; between two observers (no link), its presence does.
 */
function liveness(selfLeads: boolean, recentActive: boolean | undefined, linked: boolean, announced: boolean, linkExpected: boolean): boolean {
  if (selfLeads && recentActive !== undefined) return recentActive && linked;
  return linkExpected ? linked : linked || announced;
}

function selfRole(status: EnsembleStatus): ReplicaRoleView {
  switch (status.role) {
    case 'leader':
    case 'follower':
    case 'observer':
    case 'candidate':
      return status.role;
    case 'pre-candidate':
      return 'candidate';
    case 'none':
      return status.phase === 'waiting' ? 'joining' : 'unknown';
  }
}

function peerRole(id: string, status: EnsembleStatus, announced: 'voter' | 'observer' | 'joining' | undefined): ReplicaRoleView {
  if (id === status.leader) return 'leader';
  if (status.learners.includes(id)) return 'observer';
  if (status.voters.includes(id)) return 'follower';
  if (announced === 'voter') return 'follower';
  if (announced === 'observer') return 'observer';
  if (announced === 'joining') return 'joining';
  return 'unknown';
}
