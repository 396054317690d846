import type { ReplicaId } from '../consensus/types.js';
import type { SessionTable } from '../session/session-table.js';
import { SessionTracker } from '../session/session-tracker.js';

/**
 * The leader's session liveness (DESIGN.md, "Liveness" and "Fate-shared"): a SessionTracker started
 * afresh for every session when this replica becomes a ready leader (ZooKeeper's behaviour), touched
 * by activity reports, and the fate-sharing rule: sessions of a replica the leader has no link to
 * end — at once on linkDown, and for a new leader after fateShareGraceMs.
 */
export class LeaderSessions {
  private readonly tracker: SessionTracker;
  private fateShareCheckAtMs: number | null;

  constructor(sessions: SessionTable, nowMs: number, bucketMs: number, fateShareGraceMs: number) {
    this.tracker = new SessionTracker(bucketMs);
    for (const record of sessions.list()) this.tracker.add(record.sessionId, record.timeoutMs, nowMs);
    this.fateShareCheckAtMs = nowMs + fateShareGraceMs;
  }

  get tracked(): number {
    return this.tracker.size;
  }

  touch(sessionIds: Iterable<bigint>, nowMs: number): void {
    for (const sessionId of sessionIds) this.tracker.touch(sessionId, nowMs);
  }

  created(sessionId: bigint, timeoutMs: number, nowMs: number): void {
    this.tracker.add(sessionId, timeoutMs, nowMs);
  }

  closed(sessionId: bigint): void {
    this.tracker.remove(sessionId);
  }

  /** Sessions to close now: expired ones, and (once, after the grace) those of absent replicas. */
  due(nowMs: number, sessions: SessionTable, self: ReplicaId, linked: ReadonlySet<ReplicaId>): bigint[] {
    const due = this.tracker.expired(nowMs);
    if (this.fateShareCheckAtMs !== null && nowMs >= this.fateShareCheckAtMs) {
      this.fateShareCheckAtMs = null;
      const owners = new Set<ReplicaId>();
      for (const record of sessions.list()) if (record.fateShared) owners.add(record.ownerReplica);
      for (const owner of owners) {
        if (owner !== self && !linked.has(owner)) due.push(...sessions.fateSharedWith(owner));
      }
    }
    return due;
  }
}
