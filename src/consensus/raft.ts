import { assert } from '../errors/keeper-error.js';
import type { Prng } from '../util/prng.js';
import type { RecoveredState } from '../storage/durable-storage.js';
import type { RaftConfig } from './config.js';
import { ConfHistory } from './conf-history.js';
import { normalizeConfState } from './conf-change.js';
import * as leader from './leader.js';
import { mustWaitForDurable, type Message, type MsgApp, type MsgHeartbeat, type MsgSnap, type MsgVote } from './message.js';
import { Progress } from './progress.js';
import { voteOutcome } from './quorum.js';
import { RaftLog } from './raft-log.js';
import { ReadOnlyQueue, type ReadState } from './read-only.js';
import type { RaftRole } from './ready.js';
import { SnapshotReceiver } from './snapshot-receiver.js';
import type { ConfState, Entry, HardState, ReplicaId, Snapshot } from './types.js';

type CampaignKind = 'pre-vote' | 'election' | 'transfer';

/** A message minus its envelope fields the sender fills in. */

/** Ticks between the campaigns of the voters in line after a leader left (see Raft.leaderLeft). */
export const LEADER_LEFT_GRACE_TICKS = 3;
export type Outgoing = Message extends infer M ? (M extends Message ? Omit<M, 'from' | 'term'> & { term?: number } : never) : never;

/**
 * The Raft state machine of one replica (etcd-raft's `raft` struct): role, term, vote, log,
 * configuration and, on a leader, the progress of every member. Pure: it changes only through
 * `step`, `tick` and the leader operations in leader.ts, and it collects outgoing messages in
 * `msgs`/`msgsAfterDurable` for RaftNode to hand out in a Ready.
 */
export class Raft {
  readonly id: ReplicaId;
  term: number;
  vote: ReplicaId | null;
  lead: ReplicaId | null = null;
  role: RaftRole = 'follower';
  readonly log: RaftLog;
  readonly confHistory: ConfHistory;
  /** Leader only: one Progress per member (voters and learners, itself included when a member). */
  readonly progress = new Map<ReplicaId, Progress>();
  readonly votes = new Map<ReplicaId, boolean>();
  electionElapsed = 0;
  heartbeatElapsed = 0;
  randomizedElectionTimeout = 0;
  leadTransferee: ReplicaId | null = null;
  readonly readOnly: ReadOnlyQueue;
  readStates: ReadState[] = [];
  msgs: Message[] = [];
  msgsAfterDurable: Message[] = [];
  /** Leader only: bytes of entries appended in this term and not yet committed. */
  uncommittedBytes = 0;
  readonly snapshotReceiver: SnapshotReceiver;
  /** The latest full snapshot this replica holds (recovered, taken, or received): what it sends. */
  snapshot: Snapshot | null;
  /** A snapshot the application took, to persist in the next Ready. */
  pendingLocalSnapshot: Snapshot | null = null;

  constructor(
    readonly config: RaftConfig,
    recovered: RecoveredState,
    private readonly prng: Prng,
  ) {
    this.id = config.id;
    const snapshot = recovered.snapshot;
    const snapshotIndex = snapshot?.metadata.index ?? 0;
    const snapshotTerm = snapshot?.metadata.term ?? 0;
    const { hardState } = recovered;
    // A torn write loses the hard state only with the write's tail: the durable commit is then just
    // lower than what was known, never beyond the log (entries above the commit are the only ones
    // ever replaced). A commit beyond the recovered log means the storage lost entries it had made
    // durable: RaftLog refuses it (as etcd-raft and the IndexedDB recovery do) rather than hide it.
    this.log = new RaftLog(snapshotIndex, snapshotTerm, recovered.entries, Math.max(hardState.commit, snapshotIndex));
    this.confHistory = new ConfHistory(snapshotIndex, normalizeConfState(snapshot?.metadata.confState ?? recovered.confState));
    this.confHistory.appended(recovered.entries);
    this.snapshot = snapshot;
    const recoveredTerm = recoveredTermAndVote(hardState, this.log.lastTerm());
    this.term = recoveredTerm.term;
    this.vote = recoveredTerm.vote;
    this.readOnly = new ReadOnlyQueue(config.maxPendingReads);
    this.snapshotReceiver = new SnapshotReceiver(config.maxSnapshotBytes);
    this.becomeFollower(this.term, null);
  }

  conf(): ConfState {
    return this.confHistory.current();
  }

  /** Whether this replica is a voter of the configuration in force (the latest in its log). */
  isVoter(): boolean {
    return this.conf().voters.includes(this.id);
  }

  /**
   * Whether this replica may campaign: it is a voter of the configuration in force, or (dissertation
   * §4.2.2) its own removal is the latest change in its log and not yet known committed, so it was a
   * voter of the configuration before it. Until that change commits, the others may still use the
   * previous configuration, in which this replica's vote (and its longer log) may be needed: a
   * two-voter cluster whose leader appended its own removal and then crashed elects nobody unless the
   * removed leader campaigns. Such a candidate does not count its own vote (voteOutcome counts the
   * voters of its configuration only) and, as leader, manages the change without counting itself.
   */
  mayCampaign(): boolean {
    if (this.isVoter()) return true;
    return this.confHistory.lastChangeIndex() > this.log.committed && this.confHistory.previous().voters.includes(this.id);
  }

  send(message: Outgoing): void {
    const full = { ...message, from: this.id, term: message.term ?? this.term } as Message;
    if (mustWaitForDurable(full.type)) this.msgsAfterDurable.push(full);
    else this.msgs.push(full);
  }

  // ---- role transitions ----

  becomeFollower(term: number, lead: ReplicaId | null): void {
    this.reset(term);
    this.role = 'follower';
    this.lead = lead;
  }

  private becomePreCandidate(): void {
    assert(this.role !== 'leader', 'a leader cannot become a pre-candidate');
    // PreVote (§9.6) changes neither term nor vote: a failed round leaves no trace.
    this.votes.clear();
    this.lead = null;
    this.role = 'pre-candidate';
  }

  private becomeCandidate(): void {
    assert(this.role !== 'leader', 'a leader cannot become a candidate');
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
  }

  becomeLeader(): void {
    assert(this.role === 'candidate', 'only a candidate becomes leader');
    this.reset(this.term);
    this.role = 'leader';
    this.lead = this.id;
    leader.initProgress(this);
    // §5.4.2 / §6.4: an empty entry of the new term, so earlier entries commit and ReadIndex works.
    leader.appendEntries(this, [{ type: 0, data: new Uint8Array(0) }]);
  }

  private reset(term: number): void {
    if (term !== this.term) {
      this.term = term;
      this.vote = null;
    }
    this.lead = null;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTimeout = this.config.electionTicks + this.prng.nextInt(this.config.electionTicks);
    this.leadTransferee = null;
    this.votes.clear();
    this.progress.clear();
    this.readOnly.clear();
    this.uncommittedBytes = 0;
  }

  // ---- time ----

  tick(): void {
    if (this.role === 'leader') {
      leader.tickLeader(this);
      return;
    }
    this.electionElapsed += 1;
    if (this.electionElapsed >= this.randomizedElectionTimeout && this.mayCampaign()) {
      this.electionElapsed = 0;
      this.campaign(this.config.preVote ? 'pre-vote' : 'election');
    }
  }

  // ---- elections ----

  /**
   * The leader `leaving` said it is going away (its tab closed): forget it, so this replica's lease
   * no longer refuses votes, and campaign soon instead of after a whole election timeout: the
   * other voters in id order, the first after LEADER_LEFT_GRACE_TICKS, the next after twice that,
   * and so on, so one is normally alone in campaigning, and when the first is gone too (a whole
   * browser quit) or its log is behind, the next follows a few ticks later. The grace also lets a
   * transfer the leaving leader started win first (its new leader's first message resets this
   * timer). Returns whether this replica is the first in line. Only liveness depends on this.
   */
  leaderLeft(leaving: ReplicaId): boolean {
    if (this.role !== 'follower' || this.lead !== leaving) return false;
    this.lead = null;
    const rank = this.conf()
      .voters.filter((id) => id !== leaving)
      .sort()
      .indexOf(this.id);
    if (rank < 0 || !this.mayCampaign()) return false;
    this.electionElapsed = Math.max(this.electionElapsed, this.randomizedElectionTimeout - (rank + 1) * LEADER_LEFT_GRACE_TICKS);
    return rank === 0;
  }

  campaign(kind: CampaignKind): void {
    if (!this.mayCampaign() || this.role === 'leader') return;
    const preVote = kind === 'pre-vote';
    if (preVote) this.becomePreCandidate();
    else this.becomeCandidate();
    this.votes.set(this.id, true);
    if (this.tallyVotes()) return;
    const voteTerm = preVote ? this.term + 1 : this.term;
    for (const voter of this.conf().voters) {
      if (voter === this.id) continue;
      this.send({
        type: preVote ? 'MsgPreVote' : 'MsgVote',
        to: voter,
        term: voteTerm,
        index: this.log.lastIndex(),
        logTerm: this.log.lastTerm(),
        transfer: kind === 'transfer',
      });
    }
  }

  /** Acts on the votes so far; returns whether the round is over. */
  private tallyVotes(): boolean {
    const outcome = voteOutcome(this.conf().voters, this.votes);
    if (outcome === 'won') {
      if (this.role === 'pre-candidate') this.campaign('election');
      else this.becomeLeader();
      return true;
    }
    if (outcome === 'lost') {
      this.becomeFollower(this.term, null);
      return true;
    }
    return false;
  }

  /**
   * §5.2/§5.4.1 plus PreVote: grant when this replica can vote for the sender and its log is current.
   *
   * The answer does not depend on this replica's own configuration (as in etcd-raft): the candidate's
   * configuration decides whose votes count. A learner promoted by an entry it has not received yet,
   * or a voter that appended its own removal while the others did not, may be needed for the
   * candidate's quorum (dissertation §4.1: servers process RPCs without consulting their
   * configuration); refusing would leave that configuration without a leader for ever. A vote from a
   * replica the candidate does not count as a voter is ignored by its tally (voteOutcome), and a
   * replica never counts its own vote unless it is a voter of its own configuration. A removed
   * replica cannot disrupt through this: within a leader's lease vote requests are ignored (stepTerm,
   * §4.2.3), which is what stops a removed replica that never learnt of its removal.
   */
  private handleVoteRequest(m: MsgVote): void {
    const isPreVote = m.type === 'MsgPreVote';
    const canVote =
      this.vote === m.from || (this.vote === null && this.lead === null) || (isPreVote && m.term > this.term);
    if (canVote && this.log.isUpToDate(m.index, m.logTerm)) {
      this.send({ type: isPreVote ? 'MsgPreVoteResp' : 'MsgVoteResp', to: m.from, term: m.term, reject: false });
      if (!isPreVote) {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.send({ type: isPreVote ? 'MsgPreVoteResp' : 'MsgVoteResp', to: m.from, reject: true });
    }
  }

  // ---- messages ----

  step(m: Message): void {
    if (m.to !== this.id || m.from === this.id) return;
    if (!this.stepTerm(m)) return;
    switch (m.type) {
      case 'MsgVote':
      case 'MsgPreVote':
        this.handleVoteRequest(m);
        return;
      default:
        break;
    }
    if (this.role === 'leader') leader.stepLeader(this, m);
    else if (this.role === 'follower') this.stepFollower(m);
    else this.stepCandidate(m);
  }

  /** Compares the message's term with ours (§5.1); returns whether the message goes on. */
  private stepTerm(m: Message): boolean {
    if (m.term > this.term) {
      if (m.type === 'MsgVote' || m.type === 'MsgPreVote') {
        // §4.2.3 / §9.6: a replica that heard from a live leader within the minimum election
        // timeout ignores the request, so a removed or partitioned replica cannot disrupt.
        const inLease = this.config.checkQuorum && this.lead !== null && this.electionElapsed < this.config.electionTicks;
        if (inLease && !m.transfer) return false;
      }
      if (m.type === 'MsgPreVote' || (m.type === 'MsgPreVoteResp' && !m.reject)) return true;
      const fromLeader = m.type === 'MsgApp' || m.type === 'MsgHeartbeat' || m.type === 'MsgSnap';
      this.becomeFollower(m.term, fromLeader ? m.from : null);
      return true;
    }
    if (m.term < this.term) {
      if ((this.config.checkQuorum || this.config.preVote) && (m.type === 'MsgApp' || m.type === 'MsgHeartbeat' || m.type === 'MsgSnap')) {
        // A stale leader (e.g. back from a partition) learns the newer term and steps down.
        this.send({ type: 'MsgAppResp', to: m.from, index: 0, reject: false, hintIndex: 0, hintTerm: 0 });
      } else if (m.type === 'MsgPreVote') {
        this.send({ type: 'MsgPreVoteResp', to: m.from, reject: true });
      }
      return false;
    }
    return true;
  }

  private stepFollower(m: Message): void {
    switch (m.type) {
      case 'MsgApp':
        this.heardFromLeader(m.from);
        this.handleAppend(m);
        return;
      case 'MsgHeartbeat':
        this.heardFromLeader(m.from);
        this.handleHeartbeat(m);
        return;
      case 'MsgSnap':
        this.heardFromLeader(m.from);
        this.handleSnapshotChunk(m);
        return;
      case 'MsgTransferLeader':
        if (this.lead !== null) this.send({ type: 'MsgTransferLeader', to: this.lead, transferee: m.transferee });
        return;
      case 'MsgTimeoutNow':
        // §3.10: the leader caught us up and asks us to campaign at once, skipping PreVote.
        this.campaign('transfer');
        return;
      case 'MsgReadIndexResp':
        this.readStates.push({ index: m.index, requestContext: m.context });
        return;
      default:
        return;
    }
  }

  private stepCandidate(m: Message): void {
    switch (m.type) {
      case 'MsgApp':
      case 'MsgHeartbeat':
      case 'MsgSnap':
        // A leader of our term exists (§5.2): return to follower and take the message.
        this.becomeFollower(m.term, m.from);
        this.stepFollower(m);
        return;
      case 'MsgVoteResp':
      case 'MsgPreVoteResp':
        if ((m.type === 'MsgPreVoteResp') !== (this.role === 'pre-candidate')) return;
        this.votes.set(m.from, !m.reject);
        this.tallyVotes();
        return;
      default:
        return;
    }
  }

  private heardFromLeader(from: ReplicaId): void {
    this.electionElapsed = 0;
    this.lead = from;
  }

  /** §5.3: accept entries after a matching (index, logTerm); otherwise reject with a backtracking hint. */
  private handleAppend(m: MsgApp): void {
    const log = this.log;
    if (m.index < log.committed) {
      this.send({ type: 'MsgAppResp', to: m.from, index: log.committed, reject: false, hintIndex: 0, hintTerm: 0 });
      return;
    }
    if (log.matchTerm(m.index, m.logTerm)) {
      const lastNew = m.index + m.entries.length;
      const conflict = log.findConflict(m.entries);
      if (conflict !== 0) {
        assert(conflict > log.committed, `entry ${conflict} conflicts with committed entry (commit ${log.committed})`);
        this.appendToLog(m.entries.slice(conflict - m.index - 1));
      }
      log.commitTo(Math.min(m.commit, lastNew));
      this.send({ type: 'MsgAppResp', to: m.from, index: lastNew, reject: false, hintIndex: 0, hintTerm: 0 });
      return;
    }
    // §5.3 optimisation: name the largest index <= m.index whose term is <= m.logTerm.
    const hint = log.findConflictByTerm(Math.min(m.index, log.lastIndex()), m.logTerm);
    this.send({ type: 'MsgAppResp', to: m.from, index: m.index, reject: true, hintIndex: hint.index, hintTerm: hint.term });
  }

  /** Appends to the log and keeps the configuration in step (it takes effect when appended). */
  appendToLog(entries: readonly Entry[]): void {
    const truncatedFrom = this.log.append(entries);
    if (truncatedFrom !== 0) this.confHistory.truncatedFrom(truncatedFrom);
    this.confHistory.appended(entries);
  }

  private handleHeartbeat(m: MsgHeartbeat): void {
    this.log.commitTo(Math.min(m.commit, this.log.lastIndex()));
    this.send({ type: 'MsgHeartbeatResp', to: m.from, readSeq: m.readSeq });
  }

  private handleSnapshotChunk(m: MsgSnap): void {
    if (m.metadata.index <= this.log.committed) {
      // Already have it all: tell the leader where we are.
      this.send({ type: 'MsgAppResp', to: m.from, index: this.log.committed, reject: false, hintIndex: 0, hintTerm: 0 });
      return;
    }
    const outcome = this.snapshotReceiver.accept({ leader: m.from, term: m.term }, m.metadata, m.totalBytes, m.offset, m.chunk);
    if (outcome.kind !== 'complete') {
      this.send({ type: 'MsgSnapResp', to: m.from, snapshotIndex: m.metadata.index, receivedBytes: outcome.receivedBytes, reject: outcome.kind === 'rejected' });
      return;
    }
    this.send({ type: 'MsgSnapResp', to: m.from, snapshotIndex: m.metadata.index, receivedBytes: m.totalBytes, reject: false });
    this.restore(outcome.snapshot);
    this.send({ type: 'MsgAppResp', to: m.from, index: this.log.lastIndex(), reject: false, hintIndex: 0, hintTerm: 0 });
  }

  private restore(snapshot: Snapshot): void {
    const { index, term, confState } = snapshot.metadata;
    if (this.log.matchTerm(index, term)) {
      // The log already holds the snapshot's last entry: only the commit index moves (§5.3 matching).
      this.log.commitTo(index);
      return;
    }
    this.log.restore(snapshot);
    this.confHistory.reset(index, normalizeConfState(confState));
    this.snapshot = snapshot;
    this.pendingLocalSnapshot = null;
  }
}

/**
 * The term and vote to restart with. A crash in the middle of a write (a torn write) may keep a
 * newer term's entries (or snapshot) and lose the hard state that raised the term in the same write.
 * Nothing was promised on the lost hard state: votes and acknowledgements leave only once their
 * write is durable. So the replica adopts the log's last term, with no vote: no hard state of that
 * term was ever durable (terms only grow, and the durable one is below it), so no vote in it left.
 */
export function recoveredTermAndVote(hardState: HardState, lastLogTerm: number): { term: number; vote: ReplicaId | null } {
  if (hardState.term >= lastLogTerm) return { term: hardState.term, vote: hardState.vote };
  return { term: lastLogTerm, vote: null };
}
