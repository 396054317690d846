import { MAX_SESSION_ACTIVITY_IDS } from '../wire/limits.js';
import type { CoreState } from './core-state.js';

/**
 * Every replica tells the leader which sessions it heard from (requests, pings, connects), at most
 * every activityReportMs, in a SessionActivityMessage (ZooKeeper's followers piggyback the same on
 * their pings). The leader's own sessions are touched directly.
 */
export class ActivityReporter {
  private heard = new Set<bigint>();
  private nextReportMs: number;

  constructor(
    private readonly state: CoreState,
    private readonly touchAtLeader: (sessionIds: Iterable<bigint>) => void,
  ) {
    this.nextReportMs = state.nowMs;
  }

  note(sessionId: bigint): void {
    if (sessionId === 0n) return;
    if (this.state.leaderId === this.state.id) this.touchAtLeader([sessionId]);
    else this.heard.add(sessionId);
  }

  /** Sends the report when it is due and a leader is known. */
  tick(): void {
    if (this.state.nowMs < this.nextReportMs) return;
    this.nextReportMs = this.state.nowMs + this.state.options.activityReportMs;
    if (this.heard.size === 0) return;
    const leader = this.state.leaderId;
    if (leader === null) return;
    const sessionIds = [...this.heard];
    this.heard = new Set();
    if (leader === this.state.id) {
      this.touchAtLeader(sessionIds);
      return;
    }
    for (let start = 0; start < sessionIds.length; start += MAX_SESSION_ACTIVITY_IDS) {
      this.state.effects.peer(leader, { type: 'sessionActivity', sessionIds: sessionIds.slice(start, start + MAX_SESSION_ACTIVITY_IDS) });
    }
  }
}
