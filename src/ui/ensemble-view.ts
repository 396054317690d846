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
  /** The last zxid it applied, hex (presence is refreshed every few seconds); null if unknown. */
  readonly lastZxid: string | null;
  /**
   * How far behind the leader: entries (Raft progress, exact) when this tab leads; otherwise txns
   * behind the highest zxid heard of (from presence, approximate); null if unknown.
   */
  readonly lag: number | null;
  readonly lagSource: 'raft' | 'presence' | null;
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

/** A hex zxid as a bigint; null when it is not one. */
function parseZxid(hex: string): bigint | null {
  return /^[0-9a-f]{1,16}$/.test(hex) ? BigInt(`0x${hex}`) : null;
}

/** Txns between two zxids of the same epoch (a new epoch restarts the counter); null across epochs. */
function txnsBehind(ahead: bigint, behind: bigint): number | null {
  if (ahead >> 32n !== behind >> 32n) return null;
  const gap = (ahead & 0xffffffffn) - (behind & 0xffffffffn);
  return gap > 0n ? Number(gap) : 0;
}

const ROLE_ORDER: Record<ReplicaRoleView, number> = { leader: 0, candidate: 1, follower: 2, observer: 3, joining: 4, unknown: 5 };

/** The rows and summary `<mk-ensemble>` renders, from one replica's status. Pure. */
export function ensembleView(status: EnsembleStatus): EnsembleView {
  const self = status.replicaId;
  const selfLeads = status.role === 'leader';
  const presence = new Map(status.presence.map((peer) => [peer.replicaId, peer]));
  const links = new Map(status.links.map((link) => [link.peer, link.kind]));
  const progress = new Map(status.peers.map((peer) => [peer.id, peer]));
  const ids = new Set<string>([self, ...status.voters, ...status.learners, ...presence.keys(), ...links.keys()]);

  // The freshest zxid this tab has heard of: the yardstick of presence-based lag.
  let freshest = parseZxid(status.lastZxid) ?? 0n;
  for (const peer of presence.values()) {
    const zxid = parseZxid(peer.appliedZxid);
    if (zxid !== null && zxid > freshest) freshest = zxid;
  }

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
        lag: selfLeads ? 0 : status.phase === 'running' ? txnsBehind(freshest, parseZxid(status.lastZxid) ?? 0n) : null,
        lagSource: selfLeads ? 'raft' : status.phase === 'running' ? 'presence' : null,
        link: null,
        live: status.phase === 'running' && !status.frozen,
        frozen: status.frozen,
      });
      continue;
    }
    const announced = presence.get(id);
    const peerProgress = progress.get(id);
    const zxid = announced === undefined ? null : parseZxid(announced.appliedZxid);
    let lag: number | null = null;
    let lagSource: ReplicaView['lagSource'] = null;
    if (selfLeads && peerProgress !== undefined) {
      lag = peerProgress.lagEntries;
      lagSource = 'raft';
    } else if (zxid !== null) {
      lag = id === status.leader ? 0 : txnsBehind(freshest, zxid);
      lagSource = 'presence';
    }
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
      lagSource,
      link: linked,
      // The leader knows best (Raft's recent activity); others go by links and presence.
      live: selfLeads && peerProgress !== undefined ? peerProgress.recentActive && linked !== null : linked !== null || announced !== undefined,
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
