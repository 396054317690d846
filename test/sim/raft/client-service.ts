import type { RaftNode } from '../../../src/consensus/raft-node.js';
import type { ReadState } from '../../../src/consensus/read-only.js';
import type { Outbox } from '../cluster.js';
import type { KvInput } from '../lincheck/kv-model.js';
import type { NodeId } from '../network.js';
import { encodeCommand, type ApplyOutcome, type KvCommand, type KvStateMachine } from './kv-state-machine.js';
import type { AdminAction, RaftSimMessage } from './messages.js';

interface WaitingWrite {
  readonly requestId: number;
  readonly from: NodeId;
}

interface PendingRead {
  readonly from: NodeId;
  readonly requestId: number;
  readonly key: string;
  /** Set once the leader confirmed the read point. */
  index: number | null;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * What one replica process does for clients (volatile: a crash forgets it all, and the clients time
 * out): writes are proposed and answered when applied; reads go through ReadIndex and are answered
 * once the replica has applied up to the confirmed read point.
 */
export class ClientService {
  private readonly waitingWrites = new Map<number, WaitingWrite>();
  private readonly pendingReads = new Map<string, PendingRead>();

  /**
   * `readsSkipReadIndex` is a planted bug: reads are answered at once from this replica's state,
   * which may lag behind (a follower, or a deposed leader).
   */
  constructor(
    private readonly maxPendingReads: number,
    private readonly readsSkipReadIndex: boolean,
  ) {}

  get pendingCount(): number {
    return this.waitingWrites.size + this.pendingReads.size;
  }

  request(node: RaftNode, machine: KvStateMachine, from: NodeId, clientId: number, requestId: number, input: KvInput, out: Outbox<RaftSimMessage>): void {
    if (input.kind === 'read' && this.readsSkipReadIndex) {
      out.send(from, { kind: 'reply', requestId, outcome: { kind: 'done', output: { kind: 'read', value: machine.read(input.key) } } });
      return;
    }
    if (input.kind === 'read') {
      this.read(node, from, clientId, requestId, input.key, out);
      return;
    }
    const last = machine.lastReply(clientId);
    if (last !== undefined && last.requestId > requestId) return; // the client moved on
    if (last !== undefined && last.requestId === requestId) {
      out.send(from, { kind: 'reply', requestId, outcome: { kind: 'done', output: last.output } });
      return;
    }
    const command: KvCommand = { clientId, requestId, input };
    const result = node.propose([encodeCommand(command)]);
    if (result.ok) this.waitingWrites.set(clientId, { requestId, from });
    else out.send(from, { kind: 'reply', requestId, outcome: { kind: 'refused', leader: result.leader } });
  }

  admin(node: RaftNode, from: NodeId, requestId: number, action: AdminAction, out: Outbox<RaftSimMessage>): void {
    const result = action.kind === 'conf-change' ? node.proposeConfChange(action.change) : node.transferLeadership(action.to);
    out.send(from, {
      kind: 'admin-reply',
      requestId,
      accepted: result.ok,
      leader: result.ok ? null : result.leader,
      detail: result.ok ? 'accepted' : `${result.reason}: ${result.message}`,
    });
  }

  /** A write was applied: answer the client waiting for it here, if any. */
  applied(command: KvCommand, outcome: ApplyOutcome, out: Outbox<RaftSimMessage>): void {
    const waiting = this.waitingWrites.get(command.clientId);
    if (waiting === undefined || waiting.requestId !== command.requestId || outcome.kind === 'stale') return;
    this.waitingWrites.delete(command.clientId);
    out.send(waiting.from, { kind: 'reply', requestId: command.requestId, outcome: { kind: 'done', output: outcome.output } });
  }

  /** Read points the leader confirmed (from a Ready). */
  confirmReads(readStates: readonly ReadState[]): void {
    for (const state of readStates) {
      const read = this.pendingReads.get(decoder.decode(state.requestContext));
      if (read !== undefined && read.index === null) read.index = state.index;
    }
  }

  /** Answers every confirmed read whose point the state machine has reached. */
  releaseReads(machine: KvStateMachine, applied: number, out: Outbox<RaftSimMessage>): void {
    for (const [context, read] of this.pendingReads) {
      if (read.index === null || read.index > applied) continue;
      this.pendingReads.delete(context);
      out.send(read.from, { kind: 'reply', requestId: read.requestId, outcome: { kind: 'done', output: { kind: 'read', value: machine.read(read.key) } } });
    }
  }

  private read(node: RaftNode, from: NodeId, clientId: number, requestId: number, key: string, out: Outbox<RaftSimMessage>): void {
    // Unique per client operation, so a late answer to an older request can never match.
    const context = `${clientId}:${requestId}`;
    const result = node.readIndex(encoder.encode(context));
    if (!result.ok) {
      out.send(from, { kind: 'reply', requestId, outcome: { kind: 'refused', leader: result.leader } });
      return;
    }
    // A resent read asks again (the forwarded request or its answer may have been lost); the first
    // read point confirmed serves it.
    if (this.pendingReads.has(context)) return;
    if (this.pendingReads.size >= this.maxPendingReads) {
      const oldest = this.pendingReads.keys().next().value;
      if (oldest !== undefined) this.pendingReads.delete(oldest);
    }
    this.pendingReads.set(context, { from, requestId, key, index: null });
  }
}
