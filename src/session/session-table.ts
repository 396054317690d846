import type { ReplicaId } from '../consensus/types.js';
import { assert } from '../errors/keeper-error.js';
import type { SessionRecord } from './session-record.js';

/**
 * The replicated session table: every replica applies the same createSession / moveSession /
 * closeSession txns in the same order, so every replica agrees on which sessions exist, who owns
 * them and which are fate-shared with a replica. Pure.
 */
export class SessionTable {
  private readonly records = new Map<bigint, SessionRecord>();

  get size(): number {
    return this.records.size;
  }

  get(sessionId: bigint): SessionRecord | undefined {
    return this.records.get(sessionId);
  }

  has(sessionId: bigint): boolean {
    return this.records.has(sessionId);
  }

  /** Applies a committed createSession. Re-creating a live id is a programmer error. */
  create(record: SessionRecord): void {
    assert(!this.records.has(record.sessionId), `session ${record.sessionId} already exists`);
    this.records.set(record.sessionId, record);
  }

  /** Applies a committed moveSession: the client re-attached to another replica. */
  move(sessionId: bigint, ownerReplica: ReplicaId): boolean {
    const record = this.records.get(sessionId);
    if (record === undefined) return false;
    // A moved session's client no longer shares a tab with its replica.
    this.records.set(sessionId, { ...record, ownerReplica, fateShared: false });
    return true;
  }

  /** Applies a committed closeSession; false when the session was already gone. */
  close(sessionId: bigint): boolean {
    return this.records.delete(sessionId);
  }

  /** Sessions whose client lived in `replica`'s tab: they end when that replica leaves. */
  fateSharedWith(replica: ReplicaId): bigint[] {
    const result: bigint[] = [];
    for (const record of this.records.values()) {
      if (record.fateShared && record.ownerReplica === replica) result.push(record.sessionId);
    }
    return result.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Every record in session id order (snapshot order). */
  list(): SessionRecord[] {
    return [...this.records.values()].sort((a, b) => (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0));
  }

  static fromRecords(records: Iterable<SessionRecord>): SessionTable {
    const table = new SessionTable();
    for (const record of records) table.create(record);
    return table;
  }
}
