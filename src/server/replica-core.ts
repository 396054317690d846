import type { ConfChange } from '../consensus/conf-change.js';
import type { Message } from '../consensus/message.js';
import { RaftNode, type ProposeResult } from '../consensus/raft-node.js';
import type { PersistToken } from '../consensus/raft-log.js';
import { readyToWriteBatch, type RaftRole, type Ready } from '../consensus/ready.js';
import type { ReplicaId, Snapshot } from '../consensus/types.js';
import { assert } from '../errors/keeper-error.js';
import { SessionTable } from '../session/session-table.js';
import type { RecoveredState, WriteBatch } from '../storage/durable-storage.js';
import { DataTree } from '../tree/data-tree.js';
import { createPrng } from '../util/prng.js';
import { WatchManager } from '../watch/watch-manager.js';
import type { ClientRequest, ConnectRequest } from '../wire/client-message.js';
import { ActivityReporter } from './activity-reporter.js';
import { CommittedApplier } from './committed-applier.js';
import { ClientConnection, ConnectionTable } from './client-connection.js';
import { ConnectManager } from './connect-manager.js';
import { ConnectionLifecycle } from './connection-lifecycle.js';
import { EffectSink, type ConnectionId, type CoreEffects } from './core-effects.js';
import { DEFAULT_RAFT_MAX_SIZE_PER_MSG, resolveCoreOptions, type ReplicaCoreOptions } from './core-options.js';
import type { CoreState } from './core-state.js';
import { Forwarder } from './forwarder.js';
import { LatencyStats } from './latency-stats.js';
import type { LeaderWork } from './leader-pipeline.js';
import { LeaderRole } from './leader-role.js';
import type { ForwardedRequest, PeerMessage } from './peer-message.js';
import { buildReplicaStatus, type ReplicaStatus } from './replica-status.js';
import { RequestRunner } from './request-runner.js';
import { decodeStateImage } from './state-snapshot.js';
import { Housekeeping } from './housekeeping.js';
import { groupByOrigin, refusalMessages, refusedKeys } from './refusals.js';
import { SyncTracker } from './sync-tracker.js';

export interface ReplicaCoreConfig {
  readonly id: ReplicaId;
  /** What the replica's storage held at start (bootstrapState's for a founding replica's first start). */
  readonly recovered: RecoveredState;
  /** Seeds the core's PRNG (elections, session passwords): the glue draws it from crypto.getRandomValues. */
  readonly seed: number;
  readonly nowMs: number;
  readonly options?: Partial<ReplicaCoreOptions>;
}

/** How many Raft ticks one `tick` may run at most (a throttled tab's timer catching up runs fewer). */
const MAX_TICKS_PER_CALL = 10;
/** How many end-of-turn rounds `takeEffects` runs while they keep producing work. */
const MAX_TURN_ROUNDS = 8;

/** A write of an accepted Ready, in flight: its token, and the messages that wait for it. */
interface WriteInFlight {
  readonly writeNumber: number;
  readonly token: PersistToken | null;
  readonly messagesAfterDurable: Message[];
}

/**
 * One replica's whole state machine, sans I/O (DESIGN.md): a RaftNode, the DataTree with the
 * leader's PendingChanges, the SessionTable, the leader's SessionTracker, the WatchManager and the
 * clients attached here. Inputs are the methods below; effects accumulate until `takeEffects()`,
 * which also ends the turn (forwards and proposals of the turn leave together, as one message and
 * one batch of entries).
 */
export class ReplicaCore {
  readonly id: ReplicaId;
  readonly options: ReplicaCoreOptions;
  private readonly state: CoreState;
  private readonly raft: RaftNode;
  private readonly connections = new ConnectionTable();
  private readonly forwarder: Forwarder;
  private readonly syncs = new SyncTracker();
  private readonly latency = new LatencyStats();
  private readonly runner: RequestRunner;
  private readonly connects: ConnectManager;
  private readonly activity: ActivityReporter;
  private readonly applier: CommittedApplier;
  private readonly lifecycle: ConnectionLifecycle;
  private readonly links = new Set<ReplicaId>();
  private readonly leader: LeaderRole;
  private leaving = false;
  private term: number;
  private role: RaftRole = 'follower';
  /** A Ready with a snapshot: finished (restored, applied, advanced) once its write is durable. */
  private barrier: { readonly ready: Ready; readonly writeNumber: number } | null = null;
  /** Writes of accepted Readys not durable yet, oldest first, with what waits for each. */
  private readonly writesInFlight: WriteInFlight[] = [];
  private lastWriteNumber = 0;
  private nextRaftTickMs: number;
  private leaderlessSinceMs: number | null;
  private readonly housekeeping: Housekeeping;

  constructor(config: ReplicaCoreConfig) {
    this.id = config.id;
    this.options = resolveCoreOptions(config.options);
    const prng = createPrng(config.seed);
    const snapshot = config.recovered.snapshot;
    const image = snapshot === null ? null : decodeStateImage(snapshot.data);
    this.state = {
      id: config.id,
      options: this.options,
      effects: new EffectSink(),
      prng: prng.fork(),
      tree: image?.tree ?? new DataTree(),
      sessions: image?.sessions ?? new SessionTable(),
      watches: new WatchManager(this.options.watchLimits),
      nowMs: config.nowMs,
      appliedIndex: snapshot?.metadata.index ?? 0,
      leaderId: null,
    };
    this.housekeeping = new Housekeeping(this.state, this.state.appliedIndex);
    this.raft = new RaftNode(
      {
        maxSizePerMsg: DEFAULT_RAFT_MAX_SIZE_PER_MSG,
        ...this.options.raft,
        id: config.id,
        electionTicks: this.options.electionTicks,
        heartbeatTicks: this.options.heartbeatTicks,
      },
      config.recovered,
      prng.fork(),
    );
    this.leader = new LeaderRole(this.state, this.raft, this.housekeeping);
    this.term = config.recovered.hardState.term;
    this.nextRaftTickMs = config.nowMs + this.options.tickMs;
    this.leaderlessSinceMs = config.nowMs;
    this.forwarder = new Forwarder(
      this.state,
      (requests) => this.leader.accept(this.id, requests),
      (peer) => this.links.has(peer),
    );
    this.lifecycle = new ConnectionLifecycle(this.state, this.connections, () => this.connects, this.forwarder, this.syncs, {
      noteActivity: (sessionId) => this.activity.note(sessionId),
      pump: (connection) => this.runner.pump(connection),
    });
    const close = (connection: ClientConnection, reason: string): void => this.lifecycle.close(connection, reason);
    this.runner = new RequestRunner(this.state, this.connections, this.forwarder, this.syncs, this.raft, this.latency, close);
    this.connects = new ConnectManager(this.state, this.forwarder, {
      attach: (connection, record, password) => this.lifecycle.attach(connection, record.sessionId, record.timeoutMs, password),
      close,
    });
    this.activity = new ActivityReporter(this.state, (ids) => this.leader.touch(ids));
    this.applier = new CommittedApplier(this.state, this.connections, this.runner, this.connects, close, {
      pipeline: () => this.leader.pipeline,
      leaderSessions: () => this.leader.sessions,
    });
  }

  // ---------------------------------------------------------------- inputs

  /** Time passes: Raft ticks, session activity reports, expiry, sweeps, connect waits. */
  tick(nowMs: number): void {
    this.observeTime(nowMs);
    let ticks = 0;
    while (this.state.nowMs >= this.nextRaftTickMs && ticks < MAX_TICKS_PER_CALL) {
      this.raft.tick();
      this.nextRaftTickMs += this.options.tickMs;
      ticks++;
    }
    if (this.state.nowMs >= this.nextRaftTickMs) this.nextRaftTickMs = this.state.nowMs + this.options.tickMs;
    this.activity.tick();
    this.connects.expireWaits();
    const since = this.leaderlessSinceMs;
    if (since !== null && this.state.nowMs - since > this.options.leaderlessGraceMs) this.runner.failAllOpen('no leader: try another replica');
    this.leader.tick(this.links);
    this.handOverWhenLeaving();
  }

  /** The glue's clock, without ticking (request latency, txn times between ticks). Never goes back. */
  observeTime(nowMs: number): void {
    if (nowMs > this.state.nowMs) this.state.nowMs = nowMs;
  }

  peerMessage(from: ReplicaId, message: PeerMessage): void {
    switch (message.type) {
      case 'raft':
        if (message.message.from === from && message.message.to === this.id) this.raft.step(message.message);
        return;
      case 'forward':
        if (!this.leader.accept(from, message.requests)) this.refuse(from, message.requests);
        return;
      case 'forwardRefused':
        this.forwardsRefused(message.requests, 'the leader refused the request');
        return;
      case 'sessionActivity':
        this.leader.touch(message.sessionIds);
        return;
    }
  }

  linkUp(peer: ReplicaId): void {
    this.links.add(peer);
    if (peer === this.state.leaderId) {
      this.runner.pumpAll();
      this.connects.progressAll();
    }
  }

  /**
   * The link to `peer` closed: frames to and from it may be lost. `left`: the peer said it is
   * leaving for good (its tab closed); a leader that leaves is replaced within ticks (RaftNode.leaderLeft).
   */
  linkDown(peer: ReplicaId, left = false): void {
    this.links.delete(peer);
    if (peer === this.state.leaderId) {
      this.runner.failForwarded('the link to the leader went down');
      this.connects.failForwarded('the link to the leader went down');
      if (left) this.raft.leaderLeft(peer);
    }
    this.leader.replicaLeft(peer);
  }

  /** A client connection opened (fateShared: the client lives in this replica's tab). */
  clientOpen(connectionId: ConnectionId, options: { readonly fateShared: boolean }): void {
    assert(this.connections.get(connectionId) === undefined, `connection ${connectionId} is already open`);
    if (this.connections.size >= this.options.maxClients) {
      this.state.effects.close(connectionId, `this replica serves at most ${this.options.maxClients} clients (maxClients)`);
      return;
    }
    this.connections.add(new ClientConnection(connectionId, options.fateShared, this.state.nowMs));
  }

  clientConnect(connectionId: ConnectionId, request: ConnectRequest): void {
    const connection = this.connections.get(connectionId);
    if (connection === undefined) return;
    if (connection.phase !== 'new') {
      this.lifecycle.close(connection, 'a second ConnectRequest on one connection');
      return;
    }
    this.connects.connect(connection, request);
  }

  clientRequest(connectionId: ConnectionId, request: ClientRequest): void {
    const connection = this.connections.get(connectionId);
    if (connection === undefined) return;
    if (connection.phase === 'new') {
      this.lifecycle.close(connection, 'a request before the ConnectRequest');
      return;
    }
    this.activity.note(connection.sessionId);
    this.runner.receive(connection, request);
  }

  /** The client's connection closed (the glue closed it, or the client went away). */
  clientClose(connectionId: ConnectionId): void {
    const connection = this.connections.get(connectionId);
    if (connection !== undefined) this.lifecycle.drop(connection);
  }

  /** Write `writeNumber` and every write before it are durable. */
  durable(writeNumber: number): void {
    const inFlight = this.writesInFlight;
    while (inFlight.length > 0 && (inFlight[0] as WriteInFlight).writeNumber <= writeNumber) {
      const write = inFlight.shift() as WriteInFlight;
      for (const message of write.messagesAfterDurable) this.state.effects.peer(message.to, { type: 'raft', message });
      if (write.token !== null) this.raft.persisted(write.token);
    }
    const barrier = this.barrier;
    if (barrier === null || writeNumber < barrier.writeNumber) return;
    this.barrier = null;
    for (const message of barrier.ready.messagesAfterDurable) this.state.effects.peer(message.to, { type: 'raft', message });
    if (barrier.ready.snapshot !== undefined) this.restoreSnapshot(barrier.ready.snapshot);
    this.applyReady(barrier.ready);
    this.raft.advance();
    this.afterApply(barrier.ready);
  }

  /** Starts an election now (tests; a replica that knows the leader is gone). */
  campaign(): void {
    this.raft.campaign();
  }

  /** Hands leadership to `transferee` (a replica closing cleanly leads no more). */
  transferLeadership(transferee: ReplicaId): boolean {
    return this.leader.pipeline === null ? this.raft.transferLeadership(transferee).ok : this.leader.transferTo(transferee);
  }

  /**
   * Proposes one membership change (the mesh's ensemble management, on the leader). Raft refuses
   * it, saying why, on a follower, while another change is uncommitted, and before this leader has
   * committed an entry of its term.
   */
  proposeConfChange(change: ConfChange): ProposeResult {
    return this.raft.proposeConfChange(change);
  }

  /**
   * The replica is closing cleanly (its tab goes away): the sessions of the clients in its tab end
   * now rather than after their timeout, and a leader hands leadership to its most caught-up voter.
   * Returns how many sessions it asked to close.
   */
  leave(): number {
    let count = 0;
    for (const connection of this.connections.open()) {
      if (!connection.fateShared || connection.session === null) continue;
      this.forwarder.sendUncounted({ sessionId: connection.sessionId, cxid: 0, authIds: [], op: { type: 'closeSession' } });
      count++;
    }
    this.leaving = true;
    this.handOverWhenLeaving();
    return count;
  }

  /** A leaving leader transfers leadership once its own sessions' closes are applied (a transfer stops proposals). */
  private handOverWhenLeaving(): void {
    if (!this.leaving || this.role !== 'leader') return;
    for (const connection of this.connections.open()) if (connection.fateShared) return;
    this.leader.handOver();
  }

  /** Ends the turn and returns everything the glue must do, in order. */
  takeEffects(): CoreEffects {
    for (let round = 0; round < MAX_TURN_ROUNDS; round++) {
      this.endTurn();
      this.pumpReady();
      if (!this.forwarder.hasOutbox() && !this.leader.hasWork()) break;
    }
    return this.state.effects.take();
  }

  status(): ReplicaStatus {
    return buildReplicaStatus({
      state: this.state,
      raft: this.raft.status(),
      role: this.role,
      leaderReady: this.leader.ready,
      pipeline: this.leader.pipeline,
      connections: this.connections,
      latency: this.latency.summary(),
      forwardedInFlight: this.forwarder.inFlight,
      pendingConnects: this.connects.pendingCount,
      pendingSyncs: this.syncs.size,
      trackedSessions: this.leader.sessions?.tracked ?? 0,
      lastSnapshotIndex: this.housekeeping.snapshotIndex,
    });
  }

  /** Clears the latency counters (ZooKeeper's srst). */
  resetStatistics(): void {
    this.latency.reset();
  }

  // ---------------------------------------------------------------- the Ready cycle

  private endTurn(): void {
    const unsent = this.forwarder.flush();
    if (unsent.length > 0) this.forwardsRefused(unsent, 'no leader took the request');
    const lost = this.leader.endTurn();
    if (lost.length > 0) this.refuseWork(lost);
  }

  /**
   * Takes Readys while there are any, without waiting for their writes (RaftNode.accept): the
   * write goes to the glue, the messages leave, committed entries are applied, and what must wait
   * for the write (acknowledgements, votes) waits in `writesInFlight`. Only a Ready with a snapshot
   * (received, or this replica's compaction) stops the pump until its write is durable.
   */
  private pumpReady(): void {
    while (this.barrier === null && this.raft.hasReady()) {
      const ready = this.raft.ready();
      this.observeLeadership(ready);
      for (const message of ready.messages) this.state.effects.peer(message.to, { type: 'raft', message });
      const batch = readyToWriteBatch(ready);
      if (ready.snapshot !== undefined || ready.localSnapshot !== undefined) {
        this.lastWriteNumber++;
        this.state.effects.write(this.lastWriteNumber, batch as WriteBatch);
        this.barrier = { ready, writeNumber: this.lastWriteNumber };
        return;
      }
      if (batch !== null) {
        this.lastWriteNumber++;
        this.state.effects.write(this.lastWriteNumber, batch);
      }
      const token = this.raft.accept();
      const previous = this.writesInFlight[this.writesInFlight.length - 1];
      if (batch !== null) this.writesInFlight.push({ writeNumber: this.lastWriteNumber, token, messagesAfterDurable: [...ready.messagesAfterDurable] });
      else if (previous !== undefined) previous.messagesAfterDurable.push(...ready.messagesAfterDurable);
      else for (const message of ready.messagesAfterDurable) this.state.effects.peer(message.to, { type: 'raft', message });
      this.applyReady(ready);
      this.afterApply(ready);
    }
  }

  private applyReady(ready: Ready): void {
    for (const entry of ready.committedEntries) this.applier.applyEntry(entry);
    for (const readState of ready.readStates) this.syncs.readState(readState);
  }

  private afterApply(ready: Ready): void {
    this.leader.checkReady();
    this.runner.answerSyncs();
    if (ready.committedEntries.length > 0) this.connects.progressAll();
    this.housekeeping.maybeSnapshot(this.raft);
  }

  private observeLeadership(ready: Ready): void {
    const lead = ready.softState === undefined ? this.state.leaderId : ready.softState.lead;
    const term = ready.hardState === undefined ? this.term : ready.hardState.term;
    if (ready.softState !== undefined) this.role = ready.softState.role;
    if (lead === this.state.leaderId && term === this.term) return;
    const previous = this.state.leaderId;
    this.state.leaderId = lead;
    this.term = term;
    this.refuseWork(this.leader.stop());
    this.leaderlessSinceMs = lead === null ? this.state.nowMs : null;
    if (previous !== null) {
      this.runner.failForwarded('the leader changed');
      this.connects.failForwarded('the leader changed');
    }
    if (lead === this.id && this.role === 'leader') this.leader.start(term);
    if (lead !== null) {
      this.syncs.reissue(this.raft);
      this.runner.pumpAll();
      this.connects.progressAll();
    }
  }

  // ---------------------------------------------------------------- forwarding failures

  private refuse(origin: ReplicaId, requests: readonly ForwardedRequest[]): void {
    for (const message of refusalMessages(requests, this.state.leaderId)) this.state.effects.peer(origin, message);
  }

  private refuseWork(work: readonly LeaderWork[]): void {
    for (const [origin, requests] of groupByOrigin(work)) {
      if (origin === this.id) this.forwardsRefused(requests, 'the leader refused the request');
      else this.refuse(origin, requests);
    }
  }

  private forwardsRefused(requests: readonly { readonly sessionId: bigint; readonly cxid: number }[], reason: string): void {
    const { sessions, connectNumbers } = refusedKeys(requests);
    this.runner.failForwarded(reason, sessions);
    this.connects.failForwarded(reason, connectNumbers);
  }

  /** A snapshot from the leader replaces the state: clients reconnect (and re-register their watches). */
  private restoreSnapshot(snapshot: Snapshot): void {
    const image = decodeStateImage(snapshot.data);
    this.lifecycle.closeAll('the replica installed a snapshot');
    this.state.tree = image.tree;
    this.state.sessions = image.sessions;
    this.state.watches = new WatchManager(this.options.watchLimits);
    this.state.appliedIndex = snapshot.metadata.index;
    this.housekeeping.snapshotIndex = snapshot.metadata.index;
  }
}
