import { Inflights } from './inflights.js';
import type { Snapshot } from './types.js';

/**
 * How a leader replicates to one follower:
 * - probe: one MsgApp at a time until the follower's match is found (after a rejection or election);
 * - replicate: optimistic pipelining, `next` runs ahead of `match`, bounded by the inflights window;
 * - snapshot: the follower needs a snapshot; entries are paused while its chunks are sent.
 */
export type ProgressState = 'probe' | 'replicate' | 'snapshot';

/** The leader-side state of a snapshot being streamed to one follower in chunks. */
export interface SnapshotTransfer {
  readonly snapshot: Snapshot;
  /** Bytes the follower acknowledged holding. */
  ackedBytes: number;
  /** Bytes sent so far (>= ackedBytes); reset to ackedBytes to resend after a loss. */
  sentBytes: number;
  /** Every chunk up to the end has been sent (an empty snapshot still sends one chunk). */
  allSent: boolean;
}

export class Progress {
  /** The highest index known to be replicated (durably) on the follower. */
  match = 0;
  /** The next index to send. */
  next: number;
  state: ProgressState = 'probe';
  /** In probe state: a MsgApp is out and no answer has come yet (send no more until a heartbeat). */
  probeSent = false;
  /** In snapshot state: the index of the snapshot being sent. */
  pendingSnapshot = 0;
  snapshotTransfer: SnapshotTransfer | null = null;
  /** Heard from since the last CheckQuorum round (what CheckQuorum counts). */
  recentActive = false;
  /** Heard from in the CheckQuorum round before this one. */
  activeLastRound = false;
  /** The highest ReadIndex heartbeat sequence this follower answered in the current term. */
  readSeqAcked = 0;
  readonly inflights: Inflights;

  constructor(
    next: number,
    maxInflightMsgs: number,
    public isLearner: boolean,
  ) {
    this.next = next;
    this.inflights = new Inflights(maxInflightMsgs);
  }

  becomeProbe(): void {
    if (this.state === 'snapshot') {
      const pending = this.pendingSnapshot;
      this.resetState('probe');
      this.next = Math.max(this.match + 1, pending + 1);
    } else {
      this.resetState('probe');
      this.next = this.match + 1;
    }
  }

  becomeReplicate(): void {
    this.resetState('replicate');
    this.next = this.match + 1;
  }

  becomeSnapshot(snapshot: Snapshot): void {
    this.resetState('snapshot');
    this.pendingSnapshot = snapshot.metadata.index;
    this.snapshotTransfer = { snapshot, ackedBytes: 0, sentBytes: 0, allSent: false };
  }

  /** An acknowledgement of `index`; returns whether it moved match (stale acks change nothing). */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (this.match < index) {
      this.match = index;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, index + 1);
    return updated;
  }

  /** A MsgApp carrying entries up to `lastIndex` was sent. */
  sentEntries(lastIndex: number, entryCount: number): void {
    if (this.state === 'replicate') {
      if (entryCount > 0) {
        this.next = lastIndex + 1;
        this.inflights.add(lastIndex);
      }
    } else if (this.state === 'probe') {
      this.probeSent = true;
    }
  }

  /**
   * The follower rejected a MsgApp at `rejected`; `matchHint` is where the leader should probe next.
   * Returns false for a stale rejection (of a MsgApp the leader has already moved past).
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }

  /** Whether sending entries must wait (an unanswered probe, a full window, or a snapshot). */
  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflights.full();
      case 'snapshot':
        return true;
    }
  }

  private resetState(state: ProgressState): void {
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.snapshotTransfer = null;
    this.state = state;
    this.inflights.reset();
  }
}
