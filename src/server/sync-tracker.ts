import type { RaftNode } from '../consensus/raft-node.js';
import type { ReadState } from '../consensus/read-only.js';
import type { ConnectionId } from './core-effects.js';

/** A sync a client is waiting on: its connection and xid. */
export interface PendingSync {
  readonly connectionId: ConnectionId;
  readonly xid: number;
}

function encodeContext(context: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, context);
  return bytes;
}

function decodeContext(bytes: Uint8Array): number | null {
  if (bytes.length !== 8) return null;
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0);
}

/**
 * sync(path) by ReadIndex (Raft §6.4): each sync asks Raft for a read index under a unique context;
 * the ReadState names the index, and the reply leaves once this replica has applied it. Requests
 * Raft could not take (no leader) and requests lost to a leader change are asked again when a
 * leader is known: a sync has no effect, so asking twice is harmless (the first answer wins).
 */
export class SyncTracker {
  private nextContext = 1;
  private readonly waiting = new Map<number, PendingSync>();
  private unsent: number[] = [];
  private readonly due: { index: number; context: number }[] = [];

  get size(): number {
    return this.waiting.size;
  }

  issue(sync: PendingSync, raft: RaftNode): void {
    const context = this.nextContext++;
    this.waiting.set(context, sync);
    if (!raft.readIndex(encodeContext(context)).ok) this.unsent.push(context);
  }

  /** A leader is known (again): ask for every sync not answered yet. */
  reissue(raft: RaftNode): void {
    this.unsent = [];
    const dueContexts = new Set(this.due.map((item) => item.context));
    for (const context of this.waiting.keys()) {
      if (dueContexts.has(context)) continue;
      if (!raft.readIndex(encodeContext(context)).ok) this.unsent.push(context);
    }
  }

  readState(state: ReadState): void {
    const context = decodeContext(state.requestContext);
    if (context === null || !this.waiting.has(context)) return;
    if (this.due.some((item) => item.context === context)) return;
    this.due.push({ index: state.index, context });
  }

  /** The syncs whose read index is applied, in the order their ReadStates came. */
  takeDue(appliedIndex: number): PendingSync[] {
    const answered: PendingSync[] = [];
    for (let i = 0; i < this.due.length; ) {
      const item = this.due[i] as { index: number; context: number };
      if (item.index > appliedIndex) {
        i++;
        continue;
      }
      this.due.splice(i, 1);
      const sync = this.waiting.get(item.context);
      this.waiting.delete(item.context);
      if (sync !== undefined) answered.push(sync);
    }
    return answered;
  }

  /** Forgets the syncs of a connection that closed. */
  dropConnection(connectionId: ConnectionId): void {
    for (const [context, sync] of this.waiting) if (sync.connectionId === connectionId) this.waiting.delete(context);
  }
}
