import { EntryType, type Entry } from '../consensus/types.js';
import { ErrorCode } from '../errors/error-code.js';
import { Perms, isPermitted } from '../tree/acl.js';
import type { Txn, TxnHeader } from '../tree/txn.js';
import type { WatchTrigger } from '../tree/watch-event.js';
import { decodeTxnBatch, type TxnRecord } from '../wire/txn-codec.js';
import type { ClientConnection, ConnectionTable } from './client-connection.js';
import type { ConnectManager } from './connect-manager.js';
import type { CoreState } from './core-state.js';
import type { LeaderPipeline } from './leader-pipeline.js';
import type { LeaderSessions } from './leader-sessions.js';
import type { CloseConnection, RequestRunner } from './request-runner.js';

/** The leader-only parts, which come and go with leadership. */
export interface LeaderParts {
  pipeline(): LeaderPipeline | null;
  leaderSessions(): LeaderSessions | null;
}

/**
 * Step 5 of the request path, on every replica: committed entries are decoded and applied in log
 * order — the tree, the session table, the leader's PendingChanges and tracker — then the watch
 * events each txn fired go to the sessions attached here, BEFORE the reply of that txn (and of any
 * later one), and the txn answers the write at the head of its session's queue here, if it is one.
 */
export class CommittedApplier {
  private readonly canDeliver = (watcher: bigint, trigger: WatchTrigger): boolean => {
    // ZooKeeper 3.9 drops an event the session may not READ (the node's ACL; a deleted node is gone).
    if (trigger.type === 'NodeDeleted') return true;
    const session = this.connections.bySession(watcher)?.session;
    const node = this.state.tree.nodeView(trigger.path);
    return session === null || session === undefined || node === undefined || isPermitted(node.acl, Perms.READ, session.authIds);
  };

  constructor(
    private readonly state: CoreState,
    private readonly connections: ConnectionTable,
    private readonly runner: RequestRunner,
    private readonly connects: ConnectManager,
    private readonly closeConnection: CloseConnection,
    private readonly leader: LeaderParts,
  ) {}

  applyEntry(entry: Entry): void {
    this.state.appliedIndex = entry.index;
    if (entry.type !== EntryType.Normal || entry.data.length === 0) return;
    const records: readonly TxnRecord[] = this.leader.pipeline()?.takeProposed(entry.index, entry.term) ?? decodeTxnBatch(entry.data);
    for (const record of records) this.applyRecord(record.header, record.txn);
  }

  private applyRecord(header: TxnHeader, txn: Txn): void {
    const state = this.state;
    const outcome = state.tree.apply(header, txn);
    this.applySessionTxn(header, txn);
    this.leader.pipeline()?.applied(header);
    if (outcome.triggers.length > 0) {
      for (const delivery of state.watches.trigger(outcome.triggers, header.zxid, this.canDeliver)) {
        const connection = this.connections.bySession(delivery.watcher);
        if (connection !== undefined) this.runner.sendEvents(connection, [delivery.event]);
      }
    }
    this.connects.txnApplied(header, txn);
    const answered = this.runner.txnApplied(header, outcome.result);
    if (txn.type === 'moveSession' && txn.ownerReplica !== state.id) this.movedAway(header.sessionId);
    if (txn.type === 'closeSession') {
      const connection = this.connections.bySession(header.sessionId);
      if (connection !== undefined) this.closeConnection(connection, answered ? 'session closed' : 'session expired');
      state.watches.removeAllWatches(header.sessionId);
    }
  }

  private applySessionTxn(header: TxnHeader, txn: Txn): void {
    const { sessions, nowMs } = this.state;
    switch (txn.type) {
      case 'createSession':
        if (sessions.has(header.sessionId)) return;
        sessions.create({
          sessionId: header.sessionId,
          timeoutMs: txn.timeoutMs,
          passwordDigest: txn.passwordDigest,
          ownerReplica: txn.ownerReplica,
          fateShared: txn.fateShared,
        });
        this.leader.leaderSessions()?.created(header.sessionId, txn.timeoutMs, nowMs);
        return;
      case 'moveSession':
        sessions.move(header.sessionId, txn.ownerReplica);
        this.leader.leaderSessions()?.touch([header.sessionId], nowMs);
        return;
      case 'closeSession':
        sessions.close(header.sessionId);
        this.leader.leaderSessions()?.closed(header.sessionId);
        return;
      default:
        return;
    }
  }

  /** The session now lives at another replica: what its old connection here asked is SESSIONMOVED. */
  private movedAway(sessionId: bigint): void {
    const connection: ClientConnection | undefined = this.connections.bySession(sessionId);
    if (connection !== undefined) this.runner.failAndClose(connection, ErrorCode.SESSIONMOVED, 'the session moved to another replica');
    this.state.watches.removeAllWatches(sessionId);
  }
}
