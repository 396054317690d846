import type { RaftNode } from '../consensus/raft-node.js';
import type { ReplicaId } from '../consensus/types.js';
import { nextZxid, zxidEpoch } from '../consensus/zxid.js';
import { ErrorCode, type ErrorCodeNumber } from '../errors/error-code.js';
import { assert } from '../errors/keeper-error.js';
import type { SessionTable } from '../session/session-table.js';
import { negotiateSessionTimeout } from '../session/session-timeout.js';
import type { DataTree } from '../tree/data-tree.js';
import { PendingChanges } from '../tree/pending-changes.js';
import { prep, prepCloseSession, prepDeleteContainer } from '../tree/prep.js';
import type { Txn, TxnHeader } from '../tree/txn.js';
import { sameBytes } from '../util/same-bytes.js';
import { encodeTxnBatch, type TxnRecord } from '../wire/txn-codec.js';
import type { ReplicaCoreOptions } from './core-options.js';
import { EntryBatcher } from './entry-batcher.js';
import type { ForwardedRequest } from './peer-message.js';
import { SessionOverlay } from './session-overlay.js';

/** A forwarded request waiting at the leader, with the replica it came from. */
export interface LeaderWork {
  readonly origin: ReplicaId;
  readonly request: ForwardedRequest;
}

function errorTxn(code: ErrorCodeNumber): Txn {
  return { type: 'error', code };
}

/**
 * The leader's half of the request path (ZooKeeper's PrepRequestProcessor + ProposalRequestProcessor):
 * forwarded requests wait in one FIFO queue, are prepped in arrival order against the tree plus
 * PendingChanges (and the session overlay), and one turn's txns go into as few log entries as the
 * limits allow. Exists only while this replica leads; `stop` hands back what was not prepped.
 */
export class LeaderPipeline {
  readonly term: number;
  /** True once every entry before this term's first is applied (prep may look at the tree). */
  ready = false;
  private pending: PendingChanges;
  private readonly overlay = new SessionOverlay();
  private readonly queue: (LeaderWork | undefined)[] = [];
  private queueHead = 0;
  private readonly batcher: EntryBatcher;
  /** What the txns of this turn answer (null for the leader's own txns), for a refused proposal. */
  private turnWork: (LeaderWork | null)[] = [];
  private lastZxid = 0n;
  /** Txns proposed in this term and not yet applied. */
  private uncommitted = 0;
  /** The txns of entries this leader proposed, by index: applying them skips the decode. */
  private readonly proposed = new Map<number, TxnRecord[]>();

  constructor(
    term: number,
    /** The index of this term's first entry: the leader is ready once it has applied it. */
    public readyIndex: number,
    tree: DataTree,
    private readonly options: ReplicaCoreOptions,
  ) {
    this.term = term;
    this.pending = new PendingChanges(tree);
    this.batcher = new EntryBatcher(options.maxTxnsPerEntry, options.maxEntryBytes);
  }

  get queued(): number {
    return this.queue.length - this.queueHead;
  }

  /** Whether the end of a turn has something to prep or propose. */
  hasWork(): boolean {
    return this.batcher.size > 0 || (this.ready && this.queued > 0 && this.uncommitted < this.options.maxUncommittedTxns);
  }

  get uncommittedTxns(): number {
    return this.uncommitted;
  }

  /** The applied tree reached this term's first entry: zxids continue from the tree's last. */
  becomeReady(tree: DataTree): void {
    this.ready = true;
    this.pending = new PendingChanges(tree);
    this.overlay.clear();
    this.lastZxid = tree.lastZxid;
    // Everything proposed before is applied now (also after a refused proposal).
    this.uncommitted = 0;
  }

  /** Queues forwarded requests; false (nothing queued) when the queue is full. */
  accept(origin: ReplicaId, requests: readonly ForwardedRequest[]): boolean {
    if (this.queued + requests.length > this.options.maxLeaderQueue) return false;
    for (const request of requests) this.queue.push({ origin, request });
    return true;
  }

  /** Preps queued requests while the uncommitted-txn limit allows. */
  prepQueued(tree: DataTree, sessions: SessionTable, nowMs: number): void {
    if (!this.ready) return;
    while (this.queueHead < this.queue.length && this.uncommitted + this.batcher.size < this.options.maxUncommittedTxns) {
      const work = this.queue[this.queueHead] as LeaderWork;
      this.queue[this.queueHead] = undefined;
      this.queueHead++;
      this.add(this.prepWork(work, tree, sessions, nowMs), work);
    }
    if (this.queueHead === this.queue.length) {
      this.queue.length = 0;
      this.queueHead = 0;
    } else if (this.queueHead >= 4096 && this.queueHead * 2 >= this.queue.length) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
  }

  /** The leader's own closeSession (expiry, fate-sharing); nothing when the session is already ending. */
  closeSession(sessionId: bigint, sessions: SessionTable, nowMs: number): boolean {
    if (!this.ready || this.overlay.lookup(sessionId, sessions) === undefined) return false;
    const zxid = this.nextZxid();
    const txn = prepCloseSession(sessionId, zxid, this.pending);
    this.overlay.record(sessionId, zxid, false, '');
    this.add({ header: { sessionId, cxid: 0, zxid, timeMs: nowMs }, txn }, null);
    return true;
  }

  /** Deletes the containers and TTL nodes that are due (ZooKeeper's ContainerManager). */
  sweep(tree: DataTree, nowMs: number): number {
    if (!this.ready) return 0;
    let count = 0;
    const options = { containerGraceMs: this.options.containerGraceMs };
    for (const path of tree.dueForDeletion(nowMs, options)) {
      if (this.pending.lookup(path) === null) continue;
      const zxid = nextZxid(this.lastZxid, this.term);
      const txn = prepDeleteContainer(path, { zxid, timeMs: nowMs }, this.pending, options);
      if (txn.type === 'error') continue;
      this.lastZxid = zxid;
      this.add({ header: { sessionId: 0n, cxid: 0, zxid, timeMs: nowMs }, txn }, null);
      count++;
    }
    return count;
  }

  /**
   * Proposes this turn's txns. Returns the work of a refused proposal (the caller answers it): its
   * txns will never apply, so the pipeline forgets its pending changes and waits until everything
   * proposed before is applied.
   */
  flush(raft: RaftNode): LeaderWork[] {
    if (this.batcher.size === 0) return [];
    const count = this.batcher.size;
    const entries = this.batcher.take();
    const work = this.turnWork;
    this.turnWork = [];
    const result = raft.propose(entries.map((records) => encodeTxnBatch(records)));
    if (!result.ok) {
      this.ready = false;
      this.pending.clear();
      this.overlay.clear();
      return work.filter((item): item is LeaderWork => item !== null);
    }
    this.uncommitted += count;
    for (let i = 0; i < entries.length; i++) this.proposed.set(result.firstIndex + i, entries[i] as TxnRecord[]);
    return [];
  }

  /** The txns of an entry this leader proposed, if it is the one at `index` (same term). */
  takeProposed(index: number, term: number): TxnRecord[] | undefined {
    const records = this.proposed.get(index);
    if (records === undefined) return undefined;
    this.proposed.delete(index);
    return term === this.term ? records : undefined;
  }

  /** A txn was applied to the tree. */
  applied(header: TxnHeader): void {
    if (!this.ready) return;
    this.pending.applied(header.zxid);
    this.overlay.applied(header.zxid);
    if (zxidEpoch(header.zxid) === this.term && this.uncommitted > 0) this.uncommitted--;
  }

  /** Leadership ended: the requests not prepped yet, to refuse. */
  stop(): LeaderWork[] {
    const rest = this.queue.slice(this.queueHead) as LeaderWork[];
    this.queue.length = 0;
    this.queueHead = 0;
    this.ready = false;
    this.pending.clear();
    this.overlay.clear();
    this.proposed.clear();
    const unproposed = this.turnWork.filter((item): item is LeaderWork => item !== null);
    this.turnWork = [];
    this.batcher.take();
    return [...unproposed, ...rest];
  }

  private nextZxid(): bigint {
    this.lastZxid = nextZxid(this.lastZxid, this.term);
    return this.lastZxid;
  }

  private add(record: TxnRecord, work: LeaderWork | null): void {
    this.batcher.add(record);
    this.turnWork.push(work);
  }

  private sessionProblem(sessionId: bigint, origin: ReplicaId, sessions: SessionTable): ErrorCodeNumber | null {
    const session = this.overlay.lookup(sessionId, sessions);
    if (session === undefined) return ErrorCode.SESSIONEXPIRED;
    if (session.owner !== origin) return ErrorCode.SESSIONMOVED;
    return null;
  }

  private prepWork(work: LeaderWork, tree: DataTree, sessions: SessionTable, nowMs: number): TxnRecord {
    assert(tree === this.pending.tree, 'the leader preps against the applied tree');
    const { origin, request } = work;
    const zxid = this.nextZxid();
    const op = request.op;
    const cxid = request.cxid;
    switch (op.type) {
      case 'createSession': {
        const timeoutMs = negotiateSessionTimeout(Math.max(1, op.timeoutMs), this.options);
        this.overlay.record(zxid, zxid, true, origin, op.passwordDigest);
        const txn: Txn = { type: 'createSession', timeoutMs, passwordDigest: op.passwordDigest, ownerReplica: origin, fateShared: op.fateShared };
        return { header: { sessionId: zxid, cxid, zxid, timeMs: nowMs }, txn };
      }
      case 'moveSession': {
        // The origin may not have applied the session's creation yet: the leader decides (as
        // ZooKeeper's follower revalidates an unknown session with its leader).
        const session = this.overlay.lookup(request.sessionId, sessions);
        if (session === undefined || !sameBytes(session.passwordDigest, op.passwordDigest)) {
          return { header: { sessionId: request.sessionId, cxid, zxid, timeMs: nowMs }, txn: errorTxn(ErrorCode.SESSIONEXPIRED) };
        }
        this.overlay.record(request.sessionId, zxid, true, origin, session.passwordDigest);
        return { header: { sessionId: request.sessionId, cxid, zxid, timeMs: nowMs }, txn: { type: 'moveSession', ownerReplica: origin } };
      }
      case 'closeSession': {
        const problem = this.sessionProblem(request.sessionId, origin, sessions);
        if (problem !== null) return { header: { sessionId: request.sessionId, cxid, zxid, timeMs: nowMs }, txn: errorTxn(problem) };
        this.overlay.record(request.sessionId, zxid, false, origin);
        return { header: { sessionId: request.sessionId, cxid, zxid, timeMs: nowMs }, txn: prepCloseSession(request.sessionId, zxid, this.pending) };
      }
      default: {
        const problem = this.sessionProblem(request.sessionId, origin, sessions);
        if (problem !== null) return { header: { sessionId: request.sessionId, cxid, zxid, timeMs: nowMs }, txn: errorTxn(problem) };
        const ctx = { sessionId: request.sessionId, authIds: request.authIds, zxid, timeMs: nowMs };
        return { header: { sessionId: request.sessionId, cxid, zxid, timeMs: nowMs }, txn: prep(op, ctx, this.pending) };
      }
    }
  }
}
