import type { ReplicaId } from '../consensus/types.js';
import type { SessionTable } from '../session/session-table.js';

/** A session as the leader's prepped-but-unapplied txns will leave it. */
export interface SessionView {
  readonly open: boolean;
  readonly owner: ReplicaId;
  /** sha1 of the session's password (empty for a closed one). */
  readonly passwordDigest: Uint8Array;
}

const NO_DIGEST = new Uint8Array(0);

interface PendingSession extends SessionView {
  readonly zxid: bigint;
}

/**
 * The leader's PendingChanges for sessions: createSession, moveSession and closeSession txns it has
 * prepped and not yet applied. Prep checks a request's session against this overlay first, then the
 * applied table, so a request pipelined right behind its session's create (or close, or move) is
 * judged by the state those txns will leave — as ZooKeeper's SessionTracker does on its leader.
 */
export class SessionOverlay {
  private readonly bySession = new Map<bigint, PendingSession>();
  private readonly order: { zxid: bigint; sessionId: bigint }[] = [];
  private head = 0;

  get size(): number {
    return this.bySession.size;
  }

  record(sessionId: bigint, zxid: bigint, open: boolean, owner: ReplicaId, passwordDigest: Uint8Array = NO_DIGEST): void {
    this.bySession.set(sessionId, { zxid, open, owner, passwordDigest });
    this.order.push({ zxid, sessionId });
  }

  /** The session's state once every prepped txn applies; undefined when it does not exist. */
  lookup(sessionId: bigint, table: SessionTable): SessionView | undefined {
    const pending = this.bySession.get(sessionId);
    if (pending !== undefined) return pending.open ? pending : undefined;
    const record = table.get(sessionId);
    return record === undefined ? undefined : { open: true, owner: record.ownerReplica, passwordDigest: record.passwordDigest };
  }

  /** The tree applied every txn up to `zxid`: the table now says what these records said. */
  applied(zxid: bigint): void {
    while (this.head < this.order.length) {
      const entry = this.order[this.head] as { zxid: bigint; sessionId: bigint };
      if (entry.zxid > zxid) break;
      this.head++;
      if (this.bySession.get(entry.sessionId)?.zxid === entry.zxid) this.bySession.delete(entry.sessionId);
    }
    if (this.head === this.order.length) {
      this.order.length = 0;
      this.head = 0;
    }
  }

  clear(): void {
    this.bySession.clear();
    this.order.length = 0;
    this.head = 0;
  }
}
