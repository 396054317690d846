import type { RaftStatus } from '../consensus/raft-node.js';
import type { RaftRole } from '../consensus/ready.js';
import type { ReplicaId } from '../consensus/types.js';
import type { Id } from '../tree/acl.js';
import type { WatchSummary } from '../watch/watch-report.js';
import { whoAmI } from './auth.js';
import type { ConnectionTable } from './client-connection.js';
import type { ConnectionId } from './core-effects.js';
import type { CoreState } from './core-state.js';
import type { LatencySummary } from './latency-stats.js';
import type { LeaderPipeline } from './leader-pipeline.js';

/** One follower or observer as the leader sees it (from Raft progress). */
export interface PeerLag {
  readonly id: ReplicaId;
  readonly matchIndex: number;
  /** Entries the peer is behind the leader's last index. */
  readonly lagEntries: number;
  readonly state: string;
  readonly recentActive: boolean;
  readonly isLearner: boolean;
}

/** One client connection, as ZooKeeper's cons lists it. */
export interface ConnectionStatus {
  readonly connectionId: ConnectionId;
  readonly sessionId: bigint;
  readonly timeoutMs: number;
  readonly fateShared: boolean;
  /** Requests received and not yet answered. */
  readonly queued: number;
  readonly forwarded: number;
  readonly received: number;
  readonly sent: number;
  readonly lastZxid: bigint;
  readonly lastLatencyMs: number;
  readonly authIds: readonly Id[];
}

/** The data of ZooKeeper's srvr, mntr, cons and wchs, as one value. */
export interface ReplicaStatus {
  readonly id: ReplicaId;
  /** 'observer' for a learner (ZooKeeper's observer), else Raft's role. */
  readonly role: RaftRole | 'observer';
  /** The Raft term: ZooKeeper's epoch (the high 32 bits of the zxids this leader makes). */
  readonly term: number;
  readonly leader: ReplicaId | null;
  /** Leader only: it has applied its predecessors' entries and preps requests. */
  readonly leaderReady: boolean;
  readonly lastZxid: bigint;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly lastIndex: number;
  /** The first index still in the log (entries before it are compacted into a snapshot). */
  readonly firstIndex: number;
  readonly snapshotIndex: number;
  readonly voters: readonly ReplicaId[];
  readonly learners: readonly ReplicaId[];
  /** Leader only: every other member's replication progress. */
  readonly peers: readonly PeerLag[];
  readonly nodeCount: number;
  readonly digest: bigint;
  readonly sessionCount: number;
  /** Leader only: sessions its tracker watches for expiry. */
  readonly trackedSessions: number;
  readonly connections: readonly ConnectionStatus[];
  readonly watches: WatchSummary & { readonly total: number };
  readonly latency: LatencySummary;
  /** Client requests received here and not answered yet (all connections). */
  readonly outstandingRequests: number;
  readonly forwardedInFlight: number;
  readonly pendingConnects: number;
  readonly pendingSyncs: number;
  /** Leader only: forwarded requests waiting to be prepped, and txns proposed but not applied. */
  readonly leaderQueue: number;
  readonly uncommittedTxns: number;
}

export interface StatusInputs {
  readonly state: CoreState;
  readonly raft: RaftStatus;
  readonly role: RaftRole;
  readonly leaderReady: boolean;
  readonly pipeline: LeaderPipeline | null;
  readonly connections: ConnectionTable;
  readonly latency: LatencySummary;
  readonly forwardedInFlight: number;
  readonly pendingConnects: number;
  readonly pendingSyncs: number;
  readonly trackedSessions: number;
  readonly lastSnapshotIndex: number;
}

export function buildReplicaStatus(inputs: StatusInputs): ReplicaStatus {
  const { state, raft } = inputs;
  const peers: PeerLag[] = [];
  for (const [id, progress] of raft.progress) {
    if (id === state.id) continue;
    peers.push({
      id,
      matchIndex: progress.match,
      lagEntries: Math.max(0, raft.lastIndex - progress.match),
      state: progress.state,
      recentActive: progress.recentActive,
      isLearner: progress.isLearner,
    });
  }
  peers.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const connections: ConnectionStatus[] = [];
  let outstanding = 0;
  for (const connection of inputs.connections.all()) {
    outstanding += connection.queue.length;
    connections.push({
      connectionId: connection.id,
      sessionId: connection.sessionId,
      timeoutMs: connection.timeoutMs,
      fateShared: connection.fateShared,
      queued: connection.queue.length,
      forwarded: connection.queue.forwarded,
      received: connection.received,
      sent: connection.sent,
      lastZxid: connection.lastZxid,
      lastLatencyMs: connection.lastLatencyMs,
      authIds: whoAmI(connection.session?.authIds ?? []),
    });
  }
  return {
    id: state.id,
    role: raft.confState.learners.includes(state.id) ? 'observer' : inputs.role,
    term: raft.term,
    leader: state.leaderId,
    leaderReady: inputs.leaderReady,
    lastZxid: state.tree.lastZxid,
    commitIndex: raft.commit,
    appliedIndex: state.appliedIndex,
    lastIndex: raft.lastIndex,
    firstIndex: raft.firstIndex,
    snapshotIndex: inputs.lastSnapshotIndex,
    voters: raft.confState.voters,
    learners: raft.confState.learners,
    peers,
    nodeCount: state.tree.nodeCount,
    digest: state.tree.digest(),
    sessionCount: state.sessions.size,
    trackedSessions: inputs.trackedSessions,
    connections,
    watches: { ...state.watches.summary('all'), total: state.watches.watchCount() },
    latency: inputs.latency,
    outstandingRequests: outstanding,
    forwardedInFlight: inputs.forwardedInFlight,
    pendingConnects: inputs.pendingConnects,
    pendingSyncs: inputs.pendingSyncs,
    leaderQueue: inputs.pipeline?.queued ?? 0,
    uncommittedTxns: inputs.pipeline?.uncommittedTxns ?? 0,
  };
}
