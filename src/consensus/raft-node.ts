import { MAX_READ_CONTEXT_BYTES } from '../wire/limits.js';
import { assert } from '../errors/keeper-error.js';
import type { RecoveredState } from '../storage/durable-storage.js';
import type { Prng } from '../util/prng.js';
import { createRaftConfig, type RaftConfig, type RaftConfigInput } from './config.js';
import { confChangeProblem, encodeConfChange, sameConfState, type ConfChange } from './conf-change.js';
import * as leader from './leader.js';
import { messageProblem, type Message } from './message.js';
import type { ProgressState } from './progress.js';
import { Raft } from './raft.js';
import { entrySizeBytes, type PersistToken } from './raft-log.js';
import type { Ready, RaftRole, SoftState } from './ready.js';
import { EntryType, type ConfState, type HardState, type ReplicaId, type Snapshot } from './types.js';

export type ProposeRefusal =
  | 'not-leader'
  | 'transferring-leadership'
  | 'empty-batch'
  | 'batch-too-large'
  | 'entry-too-large'
  | 'too-many-uncommitted-bytes'
  | 'conf-change-pending'
  | 'leader-not-ready'
  | 'invalid-conf-change';

/**
 * What became of a proposal. Accepted entries sit at [firstIndex, lastIndex] in `term`; they are
 * committed when committed entries with those indexes and that term come out of a Ready. If entries
 * of another term show up there instead, the proposal was lost to a leader change.
 */
export type ProposeResult =
  | { readonly ok: true; readonly term: number; readonly firstIndex: number; readonly lastIndex: number }
  | { readonly ok: false; readonly reason: ProposeRefusal; readonly leader: ReplicaId | null; readonly message: string };

export type RequestRefusal = 'no-leader' | 'too-many-pending-reads' | 'invalid-transferee' | 'invalid-snapshot' | 'context-too-large';

export type RequestResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: RequestRefusal; readonly leader: ReplicaId | null; readonly message: string };

export type StepResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface PeerStatus {
  readonly match: number;
  readonly next: number;
  readonly state: ProgressState;
  readonly inflight: number;
  /**
   * Heard from within the current CheckQuorum round or the one before. (The current round alone
   * would read false just after each round starts, before the heartbeats' answers arrive: a
   * reader polling in step with the rounds would never see the peer active.)
   */
  readonly recentActive: boolean;
  readonly isLearner: boolean;
}

export interface RaftStatus {
  readonly id: ReplicaId;
  readonly role: RaftRole;
  readonly term: number;
  readonly vote: ReplicaId | null;
  readonly lead: ReplicaId | null;
  readonly commit: number;
  readonly applied: number;
  readonly firstIndex: number;
  readonly lastIndex: number;
  readonly confState: ConfState;
  readonly leadTransferee: ReplicaId | null;
  /** Leader only: one row per member. */
  readonly progress: ReadonlyMap<ReplicaId, PeerStatus>;
}

interface Outstanding {
  readonly snapshot: Snapshot | null;
  readonly localSnapshot: boolean;
  readonly appliedTo: number;
  /** The Ready's entries, handed out to be persisted (null when it had none). */
  readonly write: PersistToken | null;
}

/**
 * One replica's consensus, sans I/O (etcd-raft's RawNode). Drive it with `step` (messages from
 * peers), `tick` (time), `propose`/`proposeConfChange`/`transferLeadership`/`readIndex` (requests),
 * and the Ready cycle: `hasReady()`, `ready()`, handle it (see Ready), `advance()`.
 *
 * Pipelined writes (etcd's async storage writes, without its local messages): instead of waiting
 * for a Ready's write before `advance()`, a driver may submit the write, send the messages, apply
 * the committed entries and call `accept()`, then take the next Ready while the write is in flight;
 * once the write is durable it calls `persisted(token)` (in submission order) and only then sends
 * that Ready's `messagesAfterDurable`. Entries committed by a quorum of others may be applied
 * before this replica's own copy is durable: committed means a majority holds them durably. A Ready
 * that carries a snapshot is not accepted: its write must be durable first, then `advance()`.
 */
export class RaftNode {
  readonly config: RaftConfig;
  private readonly raft: Raft;
  private prevSoft: SoftState;
  private prevHard: HardState;
  private prevConf: ConfState;
  private outstanding: Outstanding | null = null;

  constructor(config: RaftConfigInput, recovered: RecoveredState, prng: Prng) {
    this.config = createRaftConfig(config);
    this.raft = new Raft(this.config, recovered, prng);
    this.prevSoft = this.softState();
    this.prevHard = recovered.hardState;
    this.prevConf = this.raft.conf();
  }

  /**
   * Takes a message from a peer. A message that breaks Raft's rules (see `messageProblem`) is
   * refused, changes nothing, and the reason comes back; anything else is accepted (which includes
   * messages Raft ignores, such as ones from a stale term).
   */
  step(message: Message): StepResult {
    const problem = messageProblem(message);
    if (problem !== null) return { ok: false, reason: problem };
    this.raft.step(message);
    return { ok: true };
  }

  tick(): void {
    this.raft.tick();
  }

  /** Starts an election now (tests, or a replica that knows the leader is gone). */
  campaign(): void {
    this.raft.campaign(this.config.preVote ? 'pre-vote' : 'election');
  }

  /**
   * The leader `leaving` is going away for good (its link closed saying so): this follower stops
   * honouring its lease, and the other voters campaign a few ticks later in id order unless a new
   * leader shows up first (Raft.leaderLeft). Returns whether this replica is the first in line.
   */
  leaderLeft(leaving: ReplicaId): boolean {
    return this.raft.leaderLeft(leaving);
  }

  /** Appends a batch of commands (leader only). Refusals say why and who leads. */
  propose(data: readonly Uint8Array[]): ProposeResult {
    const r = this.raft;
    const refusal = this.refuseProposal();
    if (refusal !== null) return refusal;
    if (data.length === 0) return this.refused('empty-batch', 'a proposal needs at least one entry');
    if (data.length > this.config.maxProposalBatch) {
      return this.refused('batch-too-large', `${data.length} entries exceed maxProposalBatch ${this.config.maxProposalBatch}`);
    }
    let bytes = 0;
    for (const item of data) {
      const size = entrySizeBytes({ term: 0, index: 0, type: EntryType.Normal, data: item });
      if (size > this.config.maxSizePerMsg) {
        return this.refused('entry-too-large', `an entry of ${item.byteLength} bytes exceeds maxSizePerMsg ${this.config.maxSizePerMsg}`);
      }
      bytes += size;
    }
    if (r.uncommittedBytes > 0 && r.uncommittedBytes + bytes > this.config.maxUncommittedBytes) {
      return this.refused('too-many-uncommitted-bytes', `${r.uncommittedBytes} uncommitted bytes already; limit ${this.config.maxUncommittedBytes}`);
    }
    const firstIndex = leader.appendEntries(r, data.map((item) => ({ type: EntryType.Normal, data: item })));
    return { ok: true, term: r.term, firstIndex, lastIndex: firstIndex + data.length - 1 };
  }

  /**
   * Proposes one membership change (§4.1). Refused while another change is uncommitted, and until
   * this leader has committed an entry of its term (the fix to single-server changes, §4.1 note).
   */
  proposeConfChange(change: ConfChange): ProposeResult {
    const r = this.raft;
    const refusal = this.refuseProposal();
    if (refusal !== null) return refusal;
    if (r.log.term(r.log.committed) !== r.term) {
      return this.refused('leader-not-ready', 'the leader has not committed an entry of its term yet');
    }
    if (r.confHistory.lastChangeIndex() > r.log.committed) {
      return this.refused('conf-change-pending', `configuration change at ${r.confHistory.lastChangeIndex()} is not committed yet`);
    }
    const problem = confChangeProblem(r.conf(), change);
    if (problem !== null) return this.refused('invalid-conf-change', problem);
    const firstIndex = leader.appendEntries(r, [{ type: EntryType.ConfChange, data: encodeConfChange(change) }]);
    return { ok: true, term: r.term, firstIndex, lastIndex: firstIndex };
  }

  /** Hands leadership to `transferee` once it is caught up (§3.10); a follower forwards to the leader. */
  transferLeadership(transferee: ReplicaId): RequestResult {
    const r = this.raft;
    if (r.role === 'leader') {
      const problem = leader.transferLeadership(r, transferee);
      return problem === null ? { ok: true } : this.requestRefused('invalid-transferee', problem);
    }
    if (r.lead === null) return this.requestRefused('no-leader', 'no known leader to transfer from');
    r.send({ type: 'MsgTransferLeader', to: r.lead, transferee });
    return { ok: true };
  }

  /**
   * Asks for a linearizable read point (§6.4) without writing to the log. The answer comes as a
   * ReadState carrying `requestContext` in a later Ready; if leadership changes first it never
   * comes, and the caller retries (contexts should be unique).
   */
  readIndex(requestContext: Uint8Array): RequestResult {
    const r = this.raft;
    if (requestContext.byteLength > MAX_READ_CONTEXT_BYTES) {
      return this.requestRefused('context-too-large', `a read context holds at most ${MAX_READ_CONTEXT_BYTES} bytes`);
    }
    if (r.role === 'leader') {
      return leader.handleReadIndex(r, requestContext, null)
        ? { ok: true }
        : this.requestRefused('too-many-pending-reads', `${this.config.maxPendingReads} reads are pending`);
    }
    if (r.lead === null) return this.requestRefused('no-leader', 'no known leader to confirm a read index');
    r.send({ type: 'MsgReadIndex', to: r.lead, context: requestContext });
    return { ok: true };
  }

  /**
   * The application's snapshot of its state at `index` (<= applied): the log up to it is dropped,
   * and the snapshot is persisted through the next Ready (`localSnapshot`) and sent to followers
   * that fall behind it.
   */
  compact(index: number, data: Uint8Array): RequestResult {
    const r = this.raft;
    if (!Number.isSafeInteger(index) || index > r.log.applied || index <= r.log.snapshotIndex) {
      return this.requestRefused('invalid-snapshot', `snapshot index ${index} must be in (${r.log.snapshotIndex}, ${r.log.applied}]`);
    }
    const term = r.log.term(index);
    assert(term !== undefined, `no term for applied index ${index}`);
    const snapshot: Snapshot = { metadata: { index, term, confState: r.confHistory.at(index) }, data };
    r.log.compactTo(index, term);
    r.confHistory.compactedTo(index);
    r.snapshot = snapshot;
    r.pendingLocalSnapshot = snapshot;
    return { ok: true };
  }

  hasReady(): boolean {
    if (this.outstanding !== null) return false;
    const r = this.raft;
    return (
      r.msgs.length > 0 ||
      r.msgsAfterDurable.length > 0 ||
      r.readStates.length > 0 ||
      r.log.pendingSnapshot !== null ||
      r.pendingLocalSnapshot !== null ||
      r.log.hasCommittedToApply() ||
      r.log.lastIndex() > r.log.handedIndex() ||
      !sameSoftState(this.softState(), this.prevSoft) ||
      !sameHardState(this.hardState(), this.prevHard) ||
      this.raft.conf() !== this.prevConf
    );
  }

  ready(): Ready {
    assert(this.outstanding === null, 'ready() called again before advance()');
    const r = this.raft;
    const soft = this.softState();
    const hard = this.hardState();
    const conf = r.conf();
    const entries = r.log.unstableEntries();
    const snapshot = r.log.pendingSnapshot;
    const localSnapshot = snapshot === null ? r.pendingLocalSnapshot : null;
    const committedEntries = r.log.committedToApply(this.config.maxCommittedBytesPerReady);
    const lastEntry = entries[entries.length - 1];
    const write = lastEntry === undefined ? null : r.log.handOut(lastEntry.index);
    const termOrVoteChanged = hard.term !== this.prevHard.term || hard.vote !== this.prevHard.vote;
    const ready: Ready = {
      ...(sameSoftState(soft, this.prevSoft) ? {} : { softState: soft }),
      ...(sameHardState(hard, this.prevHard) ? {} : { hardState: hard }),
      ...(conf === this.prevConf || sameConfState(conf, this.prevConf) ? {} : { confState: conf }),
      entries,
      ...(snapshot === null ? {} : { snapshot }),
      ...(localSnapshot === null ? {} : { localSnapshot }),
      committedEntries,
      messages: r.msgs,
      messagesAfterDurable: r.msgsAfterDurable,
      readStates: r.readStates,
      mustSync: entries.length > 0 || snapshot !== null || localSnapshot !== null || termOrVoteChanged,
    };
    r.msgs = [];
    r.msgsAfterDurable = [];
    r.readStates = [];
    r.pendingLocalSnapshot = null;
    this.prevSoft = soft;
    this.prevHard = hard;
    this.prevConf = conf;
    const lastCommitted = committedEntries[committedEntries.length - 1];
    this.outstanding = {
      snapshot,
      localSnapshot: localSnapshot !== null,
      appliedTo: lastCommitted === undefined ? r.log.applied : lastCommitted.index,
      write,
    };
    return ready;
  }

  /** The last Ready was persisted, sent and applied. */
  advance(): void {
    const outstanding = this.outstanding;
    assert(outstanding !== null, 'advance() without an outstanding ready()');
    this.outstanding = null;
    const log = this.raft.log;
    if (outstanding.snapshot !== null && log.pendingSnapshot === outstanding.snapshot) {
      log.pendingSnapshot = null;
      log.applied = outstanding.snapshot.metadata.index;
      log.stableIndex = Math.max(log.stableIndex, outstanding.snapshot.metadata.index);
    }
    if (outstanding.write !== null) log.persisted(outstanding.write);
    if (log.pendingSnapshot === null && outstanding.appliedTo > log.applied) log.applied = outstanding.appliedTo;
    if (this.raft.role === 'leader') leader.selfPersisted(this.raft);
  }

  /**
   * The last Ready was handed on without waiting for its write: the write is submitted, the
   * messages sent, the committed entries applied; `messagesAfterDurable` wait for the write. Returns
   * the token to pass to `persisted()` once the write is durable (null when the Ready had no
   * entries: its write, if any, carries only the hard state). Not for a Ready with a snapshot.
   */
  accept(): PersistToken | null {
    const outstanding = this.outstanding;
    assert(outstanding !== null, 'accept() without an outstanding ready()');
    assert(outstanding.snapshot === null && !outstanding.localSnapshot, 'a Ready with a snapshot is advanced once durable, not accepted');
    this.outstanding = null;
    const log = this.raft.log;
    if (outstanding.appliedTo > log.applied) log.applied = outstanding.appliedTo;
    return outstanding.write;
  }

  /** The write of an accepted Ready, and every write before it, is durable. */
  persisted(token: PersistToken): void {
    this.raft.log.persisted(token);
    if (this.raft.role === 'leader') leader.selfPersisted(this.raft);
  }

  /** Writes of accepted Readys not reported durable yet. */
  get writesInProgress(): number {
    return this.raft.log.writesInProgress;
  }

  status(): RaftStatus {
    const r = this.raft;
    const progress = new Map<ReplicaId, PeerStatus>();
    for (const [id, pr] of r.progress) {
      progress.set(id, {
        match: pr.match,
        next: pr.next,
        state: pr.state,
        inflight: pr.inflights.size,
        recentActive: pr.recentActive || pr.activeLastRound,
        isLearner: pr.isLearner,
      });
    }
    return {
      id: r.id,
      role: r.role,
      term: r.term,
      vote: r.vote,
      lead: r.lead,
      commit: r.log.committed,
      applied: r.log.applied,
      firstIndex: r.log.firstIndex(),
      lastIndex: r.log.lastIndex(),
      confState: r.conf(),
      leadTransferee: r.leadTransferee,
      progress,
    };
  }

  private softState(): SoftState {
    return { lead: this.raft.lead, role: this.raft.role };
  }

  private hardState(): HardState {
    return { term: this.raft.term, vote: this.raft.vote, commit: this.raft.log.committed };
  }

  private refuseProposal(): ProposeResult | null {
    const r = this.raft;
    if (r.role !== 'leader') {
      return this.refused('not-leader', r.lead === null ? 'no leader is known' : `the leader is ${r.lead}`);
    }
    if (r.leadTransferee !== null) return this.refused('transferring-leadership', `handing leadership to ${r.leadTransferee}`);
    return null;
  }

  private refused(reason: ProposeRefusal, message: string): ProposeResult {
    return { ok: false, reason, leader: this.raft.lead, message };
  }

  private requestRefused(reason: RequestRefusal, message: string): RequestResult {
    return { ok: false, reason, leader: this.raft.lead, message };
  }
}

function sameSoftState(a: SoftState, b: SoftState): boolean {
  return a.lead === b.lead && a.role === b.role;
}

function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}
