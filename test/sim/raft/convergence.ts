import type { RaftStatus } from '../../../src/consensus/raft-node.js';
import type { SimCluster } from '../cluster.js';
import type { RaftSimMessage } from './messages.js';
import type { RaftReplicaNode } from './replica-node.js';

export interface LeaderView {
  readonly replica: RaftReplicaNode;
  readonly status: RaftStatus;
}

/** The running replica that leads in the highest term, or null. */
export function findLeader(replicas: readonly RaftReplicaNode[], cluster: SimCluster<RaftSimMessage>): LeaderView | null {
  let best: LeaderView | null = null;
  for (const replica of replicas) {
    if (!cluster.isRunning(replica.id)) continue;
    const status = replica.status();
    if (status?.role !== 'leader') continue;
    if (best === null || status.term > best.status.term) best = { replica, status };
  }
  return best;
}

/**
 * What keeps the replicas from having converged, or null when they have: a leader leads, it has
 * committed everything it appended, and every member of its configuration has applied all of it.
 */
export function describeLiveness(replicas: readonly RaftReplicaNode[], cluster: SimCluster<RaftSimMessage>): string | null {
  const leader = findLeader(replicas, cluster);
  if (leader === null) return 'no leader';
  const { status } = leader;
  if (status.commit < status.lastIndex) return `leader ${status.id} (term ${status.term}) has appended up to ${status.lastIndex} but committed ${status.commit}`;
  const members = [...status.confState.voters, ...status.confState.learners];
  const lagging: string[] = [];
  for (const id of members) {
    const replica = replicas.find((candidate) => candidate.id === id);
    const memberStatus = replica?.status() ?? null;
    if (replica === undefined || memberStatus === null) lagging.push(`${id} down`);
    else if (memberStatus.term !== status.term || memberStatus.lead !== status.id) lagging.push(`${id} in term ${memberStatus.term} follows ${memberStatus.lead ?? 'nobody'}`);
    else if (replica.appliedIndex < status.commit) lagging.push(`${id} applied ${replica.appliedIndex}`);
  }
  return lagging.length === 0 ? null : `leader ${status.id} (term ${status.term}, commit ${status.commit}); members behind: ${lagging.join(', ')}`;
}
