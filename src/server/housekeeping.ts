import type { RaftNode } from '../consensus/raft-node.js';
import type { ReplicaId } from '../consensus/types.js';
import type { CoreState } from './core-state.js';
import type { LeaderPipeline } from './leader-pipeline.js';
import type { LeaderSessions } from './leader-sessions.js';
import { encodeStateImage } from './state-snapshot.js';

/**
 * The periodic work of a replica (DESIGN.md, "Housekeeping"): on the ready leader, expiring
 * sessions (and the fate-sharing rule) and, every sweepIntervalMs, deleting due containers and
 * TTL nodes — all as txns; on every replica, a snapshot and log compaction every
 * snapshotEveryEntries applied entries.
 */
export class Housekeeping {
  private nextSweepMs = 0;
  /** The index of the last snapshot taken or installed. */
  snapshotIndex: number;

  constructor(
    private readonly state: CoreState,
    snapshotIndex: number,
  ) {
    this.snapshotIndex = snapshotIndex;
  }

  /** The leader became ready: its first sweep is one interval away. */
  leaderReady(): void {
    this.nextSweepMs = this.state.nowMs + this.state.options.sweepIntervalMs;
  }

  leaderTick(pipeline: LeaderPipeline, leaderSessions: LeaderSessions, links: ReadonlySet<ReplicaId>): void {
    const { state } = this;
    const now = state.nowMs;
    for (const sessionId of leaderSessions.due(now, state.sessions, state.id, links)) {
      pipeline.closeSession(sessionId, state.sessions, now);
    }
    if (now >= this.nextSweepMs) {
      this.nextSweepMs = now + state.options.sweepIntervalMs;
      pipeline.sweep(state.tree, now);
    }
  }

  /** Takes a snapshot (tree + session table) and compacts the log when enough entries were applied. */
  maybeSnapshot(raft: RaftNode): void {
    const { state } = this;
    if (state.appliedIndex - this.snapshotIndex < state.options.snapshotEveryEntries) return;
    const data = encodeStateImage(state.tree, state.sessions);
    if (raft.compact(state.appliedIndex, data).ok) this.snapshotIndex = state.appliedIndex;
  }
}
