import type { RaftNode } from '../consensus/raft-node.js';
import type { ReplicaId } from '../consensus/types.js';
import type { CoreState } from './core-state.js';
import type { Housekeeping } from './housekeeping.js';
import { LeaderPipeline, type LeaderWork } from './leader-pipeline.js';
import { LeaderSessions } from './leader-sessions.js';
import type { ForwardedRequest } from './peer-message.js';

/**
 * What exists only while this replica leads: the pipeline (prep and proposals) and, once ready,
 * the session tracker. Created when a Ready says this replica leads, dropped when it does not.
 */
export class LeaderRole {
  pipeline: LeaderPipeline | null = null;
  sessions: LeaderSessions | null = null;
  /** While a leadership transfer may be under way, Raft refuses proposals: requests wait instead. */
  private holdProposalsUntilMs = 0;

  constructor(
    private readonly state: CoreState,
    private readonly raft: RaftNode,
    private readonly housekeeping: Housekeeping,
  ) {}

  get ready(): boolean {
    return this.pipeline?.ready ?? false;
  }

  start(term: number): void {
    this.holdProposalsUntilMs = 0;
    this.pipeline = new LeaderPipeline(term, this.raft.status().lastIndex, this.state.tree, this.state.options);
  }

  /** Leadership ended: the requests that were not prepped, to refuse. */
  stop(): LeaderWork[] {
    const pipeline = this.pipeline;
    this.pipeline = null;
    this.sessions = null;
    return pipeline === null ? [] : pipeline.stop();
  }

  /** Queues forwarded requests; false when this replica does not lead or its queue is full. */
  accept(origin: ReplicaId, requests: readonly ForwardedRequest[]): boolean {
    return this.pipeline?.accept(origin, requests) ?? false;
  }

  touch(sessionIds: Iterable<bigint>): void {
    this.sessions?.touch(sessionIds, this.state.nowMs);
  }

  /** Preps and proposes the turn's work; returns the work of a refused proposal. */
  endTurn(): LeaderWork[] {
    const pipeline = this.pipeline;
    if (pipeline === null || this.state.nowMs < this.holdProposalsUntilMs) return [];
    pipeline.prepQueued(this.state.tree, this.state.sessions, this.state.nowMs);
    const lost = pipeline.flush(this.raft);
    if (lost.length > 0) pipeline.readyIndex = this.raft.status().lastIndex;
    return lost;
  }

  hasWork(): boolean {
    return this.state.nowMs >= this.holdProposalsUntilMs && (this.pipeline?.hasWork() ?? false);
  }

  /** Hands leadership to `transferee`; proposals wait for up to two election timeouts meanwhile. */
  transferTo(transferee: ReplicaId): boolean {
    const accepted = this.raft.transferLeadership(transferee).ok;
    if (accepted && this.pipeline !== null) {
      const { options } = this.state;
      this.holdProposalsUntilMs = this.state.nowMs + 2 * options.electionTicks * options.tickMs;
    }
    return accepted;
  }

  /** After an apply: the leader is ready once it applied its term's first entry. */
  checkReady(): void {
    const pipeline = this.pipeline;
    if (pipeline === null || pipeline.ready || this.state.appliedIndex < pipeline.readyIndex) return;
    pipeline.becomeReady(this.state.tree);
    const { options } = this.state;
    this.sessions ??= new LeaderSessions(this.state.sessions, this.state.nowMs, options.tickMs, options.fateShareGraceMs);
    this.housekeeping.leaderReady();
  }

  /** The ready leader's periodic work: expiry, the fate-sharing rule, sweeps. */
  tick(links: ReadonlySet<ReplicaId>): void {
    const pipeline = this.pipeline;
    if (pipeline === null || !pipeline.ready || this.sessions === null) return;
    this.housekeeping.leaderTick(pipeline, this.sessions, links);
  }

  /** A replica left: its fate-shared sessions end now. */
  replicaLeft(peer: ReplicaId): void {
    const pipeline = this.pipeline;
    if (pipeline === null || !pipeline.ready) return;
    for (const sessionId of this.state.sessions.fateSharedWith(peer)) pipeline.closeSession(sessionId, this.state.sessions, this.state.nowMs);
  }

  /** Hands leadership to the most caught-up voter (a leaving replica). */
  handOver(): void {
    const status = this.raft.status();
    if (status.role !== 'leader' || status.leadTransferee !== null) return;
    let best: { id: ReplicaId; match: number } | null = null;
    for (const [id, progress] of status.progress) {
      if (id === this.state.id || progress.isLearner) continue;
      if (best === null || progress.match > best.match) best = { id, match: progress.match };
    }
    if (best !== null) this.transferTo(best.id);
  }
}
