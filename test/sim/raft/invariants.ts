import type { ConfState } from '../../../src/consensus/types.js';
import type { NodeId } from '../network.js';
import type { LogMirror, MirroredEntry } from './log-mirror.js';

/** A Raft safety property failed: the message says which, where and what was seen. */
export class InvariantViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvariantViolation';
  }
}

interface CommittedEntry {
  readonly term: number;
  readonly hash: number;
}

interface LeaderRecord {
  readonly term: number;
  readonly mirror: LogMirror;
}

export interface InvariantStats {
  /** Terms that had a leader. */
  readonly leaderTerms: number;
  readonly maxCommitted: number;
  readonly committedConfChanges: number;
  readonly snapshotsRestored: number;
  readonly recoveries: number;
}

/**
 * The cluster-wide safety properties of Raft, checked incrementally as replicas report what their
 * Readys carried (and each simulated tick, for leaders seen in `status()`):
 * - Election Safety: at most one leader per term, over the whole run;
 * - Log Matching: two logs holding (index, term) hold the same prefix up to it (rolling hashes);
 * - committed entries agree: every replica that reports commit >= i holds the same entry at i;
 * - Leader Completeness: a leader of term T holds every entry reported committed at a term < T;
 * - durable quorum: when a leader's commit moves to c, a majority of its voters hold c on disk;
 * - State Machine Safety: every replica's state at applied index i has the same digest;
 * - durability: a restarted replica's commit never falls below what it had made durable, and its
 *   recovered log agrees with the committed entries.
 * A failure throws InvariantViolation at once.
 */
export class RaftInvariants {
  private readonly prefixByPosition = new Map<number, Map<number, number>>();
  private readonly committed = new Map<number, CommittedEntry>();
  private maxCommitted = 0;
  /** For each reporting replica's term: the highest commit reported in that term. */
  private readonly maxCommitByTerm = new Map<number, number>();
  private readonly leaderByTerm = new Map<number, NodeId>();
  private readonly leaders = new Map<NodeId, LeaderRecord>();
  private readonly appliedDigest = new Map<number, number>();
  private readonly confChangeIndexes = new Set<number>();
  private readonly durableLogs = new Map<NodeId, () => LogMirror>();

  /** `checkDurableQuorum` false skips that one check (to show the others catching what it would). */
  constructor(private readonly checkDurableQuorum = true) {}
  private snapshotsRestored = 0;
  private recoveries = 0;

  get stats(): InvariantStats {
    return {
      leaderTerms: this.leaderByTerm.size,
      maxCommitted: this.maxCommitted,
      committedConfChanges: this.confChangeIndexes.size,
      snapshotsRestored: this.snapshotsRestored,
      recoveries: this.recoveries,
    };
  }

  /** The prefix hash every log holding (index, term) must have, once some log held it. */
  prefixHash(index: number, term: number): number | undefined {
    return this.prefixByPosition.get(index)?.get(term);
  }

  /** Log Matching, for positions a replica just appended. */
  recordPositions(replica: NodeId, positions: readonly MirroredEntry[]): void {
    for (const { index, term, hash } of positions) {
      let byTerm = this.prefixByPosition.get(index);
      if (byTerm === undefined) {
        byTerm = new Map();
        this.prefixByPosition.set(index, byTerm);
      }
      const known = byTerm.get(term);
      if (known === undefined) byTerm.set(term, hash);
      else if (known !== hash) {
        throw new InvariantViolation(`log matching: ${replica} holds entry ${index} of term ${term} after a different prefix than another log holding ${index}/${term}`);
      }
    }
  }

  /** Election Safety: `replica` is leader in `term` (seen in a Ready or in status()). */
  recordLeaderTerm(replica: NodeId, term: number): void {
    const known = this.leaderByTerm.get(term);
    if (known === undefined) this.leaderByTerm.set(term, replica);
    else if (known !== replica) throw new InvariantViolation(`election safety: two leaders in term ${term}: ${known} and ${replica}`);
  }

  /** What a replica's latest Ready says about its role; a new leader must hold every earlier commit. */
  recordRole(replica: NodeId, isLeader: boolean, term: number, mirror: LogMirror): void {
    if (!isLeader) {
      this.leaders.delete(replica);
      return;
    }
    this.recordLeaderTerm(replica, term);
    this.leaders.set(replica, { term, mirror });
    let mustHold = 0;
    for (const [reportTerm, commit] of this.maxCommitByTerm) if (reportTerm < term && commit > mustHold) mustHold = commit;
    this.checkLeaderHolds(replica, term, mirror, mustHold);
  }

  /** `replica` reported `commit` (in a Ready) while in `term`; its mirror holds the log it had then. */
  recordCommit(replica: NodeId, term: number, previousCommit: number, commit: number, mirror: LogMirror): void {
    if (commit <= previousCommit) return;
    if (commit > mirror.lastIndex()) {
      throw new InvariantViolation(`commit beyond log: ${replica} reports commit ${commit} but its log ends at ${mirror.lastIndex()}`);
    }
    for (let index = Math.max(previousCommit + 1, mirror.snapshotIndex); index <= commit; index++) {
      const entryTerm = mirror.termAt(index)!;
      const hash = mirror.hashAt(index)!;
      const known = this.committed.get(index);
      if (known === undefined) this.committed.set(index, { term: entryTerm, hash });
      else if (known.hash !== hash) {
        throw new InvariantViolation(
          `committed entries disagree: ${replica} reports index ${index} committed with term ${entryTerm}, but the entry committed there earlier has term ${known.term}${known.term === entryTerm ? ' and a different prefix' : ''}`,
        );
      }
    }
    this.maxCommitted = Math.max(this.maxCommitted, commit);
    this.maxCommitByTerm.set(term, Math.max(this.maxCommitByTerm.get(term) ?? 0, commit));
    for (const [leader, record] of this.leaders) if (record.term > term) this.checkLeaderHolds(leader, record.term, record.mirror, commit);
  }

  /** Where to find what `replica` holds on its disk (for the durable-quorum check). */
  registerDurableLog(replica: NodeId, log: () => LogMirror): void {
    this.durableLogs.set(replica, log);
  }

  /**
   * A leader's commit moved to `commit` (call after recordCommit). It counted acknowledgements in
   * one of `confs` (the configurations in force since its previous Ready); every acknowledgement
   * must stand for an entry on disk, so a majority of one of them must hold `commit` durably.
   */
  recordLeaderCommit(leader: NodeId, commit: number, confs: readonly ConfState[]): void {
    const known = this.committed.get(commit);
    if (known === undefined || !this.checkDurableQuorum) return;
    const holders = (conf: ConfState) =>
      conf.voters.filter((voter) => {
        const disk = this.durableLogs.get(voter)?.();
        return disk !== undefined && (commit <= disk.snapshotIndex || disk.hashAt(commit) === known.hash);
      });
    if (confs.some((conf) => holders(conf).length >= Math.floor(conf.voters.length / 2) + 1)) return;
    const conf = confs[confs.length - 1]!;
    throw new InvariantViolation(
      `commit without a durable quorum: ${leader} committed ${commit}, but of the voters ${conf.voters.join(',')} only ${holders(conf).join(',') || 'none'} hold it on disk`,
    );
  }

  /** A committed ConfChange entry was applied somewhere (counted once per index). */
  recordConfChangeApplied(index: number): void {
    this.confChangeIndexes.add(index);
  }

  /** State Machine Safety: the state after applying index `index` (or restoring a snapshot at it). */
  recordApplied(replica: NodeId, index: number, digest: number, commit: number, how: 'entry' | 'snapshot' | 'recovery'): void {
    if (how === 'entry' && index > commit) {
      throw new InvariantViolation(`applied before committed: ${replica} applied entry ${index} while its commit index is ${commit}`);
    }
    if (how === 'snapshot') this.snapshotsRestored += 1;
    const known = this.appliedDigest.get(index);
    if (known === undefined) this.appliedDigest.set(index, digest);
    else if (known !== digest) {
      throw new InvariantViolation(`state machines diverge: ${replica}'s state at applied index ${index} (${how}) has digest ${digest}, another replica's had ${known}`);
    }
  }

  /** A replica crashed: it leads nothing any more. */
  recordCrash(replica: NodeId): void {
    this.leaders.delete(replica);
  }

  /** A replica restarted from its disk; `durableCommit` is the highest commit it had made durable. */
  recordRecovery(replica: NodeId, recoveredCommit: number, durableCommit: number, mirror: LogMirror): void {
    this.recoveries += 1;
    if (recoveredCommit < durableCommit) {
      throw new InvariantViolation(`committed entry lost: ${replica} restarted with commit ${recoveredCommit}, below the commit ${durableCommit} it had made durable`);
    }
    if (recoveredCommit > mirror.lastIndex()) {
      throw new InvariantViolation(`committed entry lost: ${replica} restarted with commit ${recoveredCommit} but its recovered log ends at ${mirror.lastIndex()}`);
    }
    const check = this.latestCommittedHeld(mirror, recoveredCommit);
    if (check !== null && check.hash !== mirror.hashAt(check.index)) {
      throw new InvariantViolation(`committed entry lost: ${replica} restarted with a log that differs from the committed entries at or before index ${check.index}`);
    }
  }

  private checkLeaderHolds(leader: NodeId, term: number, mirror: LogMirror, index: number): void {
    if (index <= mirror.snapshotIndex) return;
    if (index > mirror.lastIndex()) {
      throw new InvariantViolation(`leader completeness: ${leader}, leader of term ${term}, lacks committed entry ${index} (its log ends at ${mirror.lastIndex()})`);
    }
    const check = this.latestCommittedHeld(mirror, index);
    if (check !== null && check.hash !== mirror.hashAt(check.index)) {
      throw new InvariantViolation(
        `leader completeness: ${leader}, leader of term ${term}, holds entry ${check.index} of term ${mirror.termAt(check.index)} where term ${this.committed.get(check.index)?.term} was committed`,
      );
    }
  }

  /** The highest committed position at or below `upTo` that `mirror` holds uncompacted, with its committed hash. */
  private latestCommittedHeld(mirror: LogMirror, upTo: number): { readonly index: number; readonly hash: number } | null {
    for (let index = Math.min(upTo, this.maxCommitted); index >= mirror.snapshotIndex && index > 0; index--) {
      const known = this.committed.get(index);
      if (known !== undefined) return { index, hash: known.hash };
    }
    return null;
  }
}
