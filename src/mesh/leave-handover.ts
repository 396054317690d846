import type { ReplicaId } from '../consensus/types.js';
import type { ReplicaStatus } from '../server/replica-status.js';

/**
 * Whom a leading replica whose tab goes away hands leadership to first: the linked voter with the
 * longest log (Raft progress), ties to the smallest id; null when it does not lead or no voter is
 * linked. The tab may be gone a few milliseconds after pagehide, so the handover goes before
 * anything else: the sessions of the tab then end with its links (they are fate-shared), and the
 * other replicas need not wait out an election timeout.
 */
export function leaveTransferee(status: ReplicaStatus, linked: ReadonlySet<ReplicaId>): ReplicaId | null {
  if (status.role !== 'leader') return null;
  let best: { id: ReplicaId; match: number } | null = null;
  for (const peer of status.peers) {
    if (peer.isLearner || peer.id === status.id || !status.voters.includes(peer.id) || !linked.has(peer.id)) continue;
    if (best === null || peer.matchIndex > best.match || (peer.matchIndex === best.match && peer.id < best.id)) best = { id: peer.id, match: peer.matchIndex };
  }
  return best?.id ?? null;
}
