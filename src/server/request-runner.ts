import type { RaftNode } from '../consensus/raft-node.js';
import { ErrorCode, type ErrorCodeNumber } from '../errors/error-code.js';
import type { OpResult } from '../tree/op-result.js';
import type { WriteOp } from '../tree/op.js';
import type { TxnHeader } from '../tree/txn.js';
import type { WatchedEvent } from '../tree/watch-event.js';
import type { ClientRequest, ReplyBody, RequestBody } from '../wire/client-message.js';
import type { ClientConnection, ConnectionTable } from './client-connection.js';
import type { CoreState } from './core-state.js';
import type { Forwarder } from './forwarder.js';
import type { LatencyStats } from './latency-stats.js';
import type { ForwardedRequest, SessionOp } from './peer-message.js';
import { serveLocal } from './read-handler.js';
import { requestKind, type QueuedRequest } from './session-queue.js';
import type { SyncTracker } from './sync-tracker.js';

/** How the runner closes a connection (the core drops its watches and pending state too). */
export type CloseConnection = (connection: ClientConnection, reason: string) => void;

function writeOp(body: RequestBody): WriteOp | SessionOp {
  switch (body.type) {
    case 'create2':
      return { type: 'create', path: body.path, data: body.data, acl: body.acl, mode: body.mode, ttlMs: body.ttlMs };
    case 'closeSession':
      return { type: 'closeSession' };
    default:
      return body as WriteOp;
  }
}

/**
 * The origin's request path (DESIGN.md, "The request path" 1-3 and 5): each session's FIFO queue,
 * writes forwarded at once and pipelined, reads/watch ops/syncs run only when everything before them
 * was answered (and hold back everything behind them), replies in request order, watch events before
 * the reply they precede.
 */
export class RequestRunner {
  constructor(
    private readonly state: CoreState,
    private readonly connections: ConnectionTable,
    private readonly forwarder: Forwarder,
    private readonly syncs: SyncTracker,
    private readonly raft: RaftNode,
    private readonly latency: LatencyStats,
    private readonly closeConnection: CloseConnection,
  ) {}

  /** A request on an open connection. Over the queue limit it is answered THROTTLEDOP in its turn. */
  receive(connection: ClientConnection, request: ClientRequest): void {
    const queue = connection.queue;
    const limit = this.state.options.maxQueuedPerSession;
    if (queue.length >= 2 * limit) {
      this.closeConnection(connection, `more than ${2 * limit} requests queued (maxQueuedPerSession ${limit})`);
      return;
    }
    connection.received++;
    const queued: QueuedRequest = {
      xid: request.xid,
      body: request.body,
      kind: requestKind(request.body),
      receivedMs: this.state.nowMs,
      throttled: queue.length >= limit,
      started: false,
    };
    queue.push(queued);
    this.pump(connection);
  }

  /** Starts whatever the queue discipline allows now. */
  pump(connection: ClientConnection): void {
    const session = connection.session;
    if (session === null || connection.phase !== 'open') return;
    const queue = connection.queue;
    for (;;) {
      const request = queue.nextToStart();
      if (request === undefined) return;
      if (request.kind === 'write' && !request.throttled) {
        if (queue.syncStarted || !this.forwarder.canForward()) return;
        const forwarded: ForwardedRequest = {
          sessionId: session.sessionId,
          cxid: request.xid,
          authIds: session.authIds.slice(),
          op: writeOp(request.body),
        };
        this.forwarder.forward(forwarded);
        queue.markStarted();
        continue;
      }
      if (!queue.nextIsHead()) return;
      // Without a leader nobody keeps the session alive: a ping waits (so the client, unanswered,
      // moves to a replica that has one, as ZooKeeper's clients leave a follower that lost its leader).
      if (request.body.type === 'ping' && !request.throttled && !this.forwarder.leaderReachable()) return;
      if (request.kind === 'sync' && !request.throttled) {
        const check = serveLocal(this.state.tree, this.state.watches, session, request.body);
        if (check.err === ErrorCode.OK) {
          this.syncs.issue({ connectionId: connection.id, xid: request.xid }, this.raft);
          queue.markStarted();
          return;
        }
      }
      queue.shift();
      if (request.throttled) {
        this.reply(connection, request, ErrorCode.THROTTLEDOP, { type: 'error', code: ErrorCode.THROTTLEDOP });
        continue;
      }
      const outcome = serveLocal(this.state.tree, this.state.watches, session, request.body);
      this.sendEvents(connection, outcome.events);
      this.reply(connection, request, outcome.err, outcome.body);
      if (outcome.closeReason !== undefined) {
        this.closeConnection(connection, outcome.closeReason);
        return;
      }
    }
  }

  /**
   * A txn was applied: if it is the write at the head of its session's queue here, that write is
   * answered now (after the watch events the txn fired), and what waited behind it may run.
   */
  txnApplied(header: TxnHeader, result: OpResult): boolean {
    const connection = this.connections.bySession(header.sessionId);
    if (connection === undefined) return false;
    const head = connection.queue.head();
    if (head === undefined || !head.started || head.kind !== 'write' || head.xid !== header.cxid) return false;
    // The leader's own closeSession (expiry) carries cxid 0: it answers only a client's closeSession.
    if (result.type === 'closeSession' && head.body.type !== 'closeSession') return false;
    connection.queue.shift();
    this.forwarder.answered();
    if (result.type === 'error') this.reply(connection, head, result.code, result);
    else this.reply(connection, head, ErrorCode.OK, result);
    this.pump(connection);
    return true;
  }

  /** Answers the syncs whose read index this replica has applied. */
  answerSyncs(): void {
    for (const sync of this.syncs.takeDue(this.state.appliedIndex)) {
      const connection = this.connections.get(sync.connectionId);
      const head = connection?.queue.head();
      if (connection === undefined || connection.session === null || head === undefined) continue;
      if (head.kind !== 'sync' || !head.started || head.xid !== sync.xid) continue;
      connection.queue.shift();
      const outcome = serveLocal(this.state.tree, this.state.watches, connection.session, head.body);
      this.reply(connection, head, outcome.err, outcome.body);
      this.pump(connection);
    }
  }

  /**
   * The outcome of some forwarded writes is unknown (the leader changed, refused them, or the link
   * to it went down): each connection with such a write fails it and everything queued behind it
   * with CONNECTIONLOSS and closes (the client reconnects and re-registers its watches).
   */
  failForwarded(reason: string, sessions?: ReadonlySet<bigint>): void {
    for (const connection of [...this.connections.all()]) {
      if (connection.phase !== 'open' || connection.queue.forwarded === 0) continue;
      if (sessions !== undefined && !sessions.has(connection.sessionId)) continue;
      this.failAndClose(connection, ErrorCode.CONNECTIONLOSS, reason);
    }
  }

  /** Fails every open connection with CONNECTIONLOSS (a replica long without a leader). */
  failAllOpen(reason: string): void {
    for (const connection of [...this.connections.all()]) {
      if (connection.phase === 'open') this.failAndClose(connection, ErrorCode.CONNECTIONLOSS, reason);
    }
  }

  /** Answers every queued request of the connection with `code`, then closes it. */
  failAndClose(connection: ClientConnection, code: ErrorCodeNumber, reason: string): void {
    const drained = connection.queue.drain();
    let forwarded = 0;
    for (const request of drained) {
      if (request.started && request.kind === 'write') forwarded++;
      this.reply(connection, request, code, { type: 'error', code });
    }
    this.forwarder.answered(forwarded);
    this.closeConnection(connection, reason);
  }

  /** Starts what can start on every open connection (a leader became known, capacity freed). */
  pumpAll(): void {
    for (const connection of this.connections.open()) this.pump(connection);
  }

  sendEvents(connection: ClientConnection, events: readonly WatchedEvent[]): void {
    for (const event of events) {
      this.state.effects.client(connection.id, { kind: 'watchEvent', message: { ...event, state: 'SyncConnected' } });
      connection.sent++;
    }
  }

  private reply(connection: ClientConnection, request: QueuedRequest, err: ErrorCodeNumber, body: ReplyBody): void {
    const zxid = this.state.tree.lastZxid;
    this.state.effects.client(connection.id, { kind: 'reply', message: { xid: request.xid, zxid, err, body } });
    connection.sent++;
    connection.lastZxid = zxid;
    const latencyMs = this.state.nowMs - request.receivedMs;
    connection.lastLatencyMs = latencyMs;
    this.latency.record(latencyMs);
  }
}
