import type { ReplicaId } from './types.js';

/** A ReadIndex result: reads of state applied at or after `index` are linearizable (§6.4). */
export interface ReadState {
  readonly index: number;
  readonly requestContext: Uint8Array;
}

/** One ReadIndex request the leader is confirming. `from` is the follower that forwarded it, or null. */
export interface PendingRead {
  readonly seq: number;
  readonly index: number;
  readonly context: Uint8Array;
  readonly from: ReplicaId | null;
}

/**
 * The leader's ReadIndex queue (§6.4). Each request records the commit index when it arrived and a
 * sequence number; every heartbeat carries the latest sequence, and a follower's answer confirms all
 * requests up to the sequence it echoes. Once a majority confirmed a sequence, the leader was still
 * the leader when those requests arrived, and their recorded indexes are safe read points.
 */
export class ReadOnlyQueue {
  private pending: PendingRead[] = [];
  /** Requests waiting until the leader has committed an entry of its own term. */
  private waiting: { context: Uint8Array; from: ReplicaId | null }[] = [];
  private lastSeq = 0;

  constructor(private readonly maxPending: number) {}

  get size(): number {
    return this.pending.length + this.waiting.length;
  }

  /** The sequence the next heartbeat carries. */
  get currentSeq(): number {
    return this.lastSeq;
  }

  isFull(): boolean {
    return this.size >= this.maxPending;
  }

  /** Holds a request until the leader commits in its term (it does not know the commit index before). */
  wait(context: Uint8Array, from: ReplicaId | null): void {
    this.waiting.push({ context, from });
  }

  takeWaiting(): { context: Uint8Array; from: ReplicaId | null }[] {
    const waiting = this.waiting;
    this.waiting = [];
    return waiting;
  }

  /** Records a request at `index`; returns the sequence a heartbeat must carry to confirm it. */
  add(index: number, context: Uint8Array, from: ReplicaId | null): number {
    this.lastSeq += 1;
    this.pending.push({ seq: this.lastSeq, index, context, from });
    return this.lastSeq;
  }

  /** Removes and returns every request with sequence <= `confirmedSeq`, oldest first. */
  release(confirmedSeq: number): PendingRead[] {
    let count = 0;
    while (count < this.pending.length && (this.pending[count] as PendingRead).seq <= confirmedSeq) count += 1;
    return count === 0 ? [] : this.pending.splice(0, count);
  }

  /** Leadership ended: forget every request (their clients retry with the new leader). */
  clear(): void {
    this.pending = [];
    this.waiting = [];
  }
}
