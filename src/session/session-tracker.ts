import { assert } from '../errors/keeper-error.js';

/**
 * The leader's view of session liveness (ZooKeeper's SessionTrackerImpl): when each session was last
 * heard from, by the leader's clock. Pure: the caller passes `nowMs`. Expiry is only a decision;
 * the leader then proposes a closeSession txn.
 *
 * Deadlines are kept in buckets of `bucketMs` (ZooKeeper's expiration interval = tickTime), so
 * `expired(now)` visits only due buckets instead of every session.
 */
export class SessionTracker {
  private readonly deadlineBySession = new Map<bigint, number>();
  private readonly timeoutBySession = new Map<bigint, number>();
  private readonly buckets = new Map<number, Set<bigint>>();

  constructor(private readonly bucketMs: number) {
    assert(Number.isInteger(bucketMs) && bucketMs > 0, 'bucketMs must be a positive integer');
  }

  get size(): number {
    return this.deadlineBySession.size;
  }

  has(sessionId: bigint): boolean {
    return this.deadlineBySession.has(sessionId);
  }

  /** Starts tracking a session (a createSession was applied, or a new leader took over). */
  add(sessionId: bigint, timeoutMs: number, nowMs: number): void {
    this.timeoutBySession.set(sessionId, timeoutMs);
    this.touch(sessionId, nowMs);
  }

  /** Records activity; false when the session is not tracked (closed, expired, unknown). */
  touch(sessionId: bigint, nowMs: number): boolean {
    const timeoutMs = this.timeoutBySession.get(sessionId);
    if (timeoutMs === undefined) return false;
    const bucket = this.bucketOf(nowMs + timeoutMs);
    const previous = this.deadlineBySession.get(sessionId);
    if (previous === bucket) return true;
    if (previous !== undefined) this.buckets.get(previous)?.delete(sessionId);
    this.deadlineBySession.set(sessionId, bucket);
    let members = this.buckets.get(bucket);
    if (members === undefined) {
      members = new Set();
      this.buckets.set(bucket, members);
    }
    members.add(sessionId);
    return true;
  }

  remove(sessionId: bigint): void {
    const bucket = this.deadlineBySession.get(sessionId);
    if (bucket !== undefined) this.buckets.get(bucket)?.delete(sessionId);
    this.deadlineBySession.delete(sessionId);
    this.timeoutBySession.delete(sessionId);
  }

  /**
   * Sessions whose deadline has passed at `nowMs`, in deadline then id order. They stay tracked
   * (and are reported again) until `remove` — the closeSession txn may take a while to commit.
   */
  expired(nowMs: number): bigint[] {
    const due = [...this.buckets.keys()].filter((bucket) => bucket <= nowMs).sort((a, b) => a - b);
    const result: bigint[] = [];
    for (const bucket of due) {
      const members = [...(this.buckets.get(bucket) ?? [])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      result.push(...members);
      if (members.length === 0) this.buckets.delete(bucket);
    }
    return result;
  }

  /** Every tracked session id, ascending. */
  sessions(): bigint[] {
    return [...this.deadlineBySession.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  private bucketOf(deadlineMs: number): number {
    // Round up to the next bucket boundary: a session never expires before its timeout.
    return Math.ceil(deadlineMs / this.bucketMs) * this.bucketMs;
  }
}
