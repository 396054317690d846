import { ErrorCode, errorCodeName } from '../../../src/errors/error-code.js';
import type { ConnectionId } from '../../../src/server/core-effects.js';
import { isSequential } from '../../../src/tree/create-mode.js';
import type { Prng } from '../../../src/util/prng.js';
import type { ReplicaFrame, ServerReply, WatchNotification } from '../../../src/wire/client-message.js';
import type { HistoryRecorder } from '../lincheck/recorder.js';
import type { ZnodeInput, ZnodeOutput } from '../lincheck/znode-model.js';
import type { NodeId } from '../network.js';
import type { ClientEnd, ClientLinks } from './client-links.js';
import { linearizableRecords, outcomeUnknown, unexpectedError } from './outcomes.js';
import type { ReplicaProbe } from './replica-probe.js';
import type { SequentialNames } from './sequential-names.js';
import { MS_PER_TICK } from './settings.js';
import type { Violations } from './violations.js';
import { ClientSession } from './client-session.js';
import { describeBody, describeOp, drawOp, isWork, isWrite, requestBody, type WorkOp } from './workload.js';

/** What a client needs of the simulated world. */
export interface ClientWorld {
  readonly now: number;
  readonly replicaIds: readonly NodeId[];
  readonly links: ClientLinks;
  readonly recorder: HistoryRecorder<ZnodeInput, ZnodeOutput>;
  readonly violations: Violations;
  readonly sequential: SequentialNames;
  readonly probe: ReplicaProbe;
  /** Phase two: faults are over; clients finish their work and stop closing or abandoning sessions. */
  readonly healed: boolean;
  /** Room left for operations in the checker's history (phase one stops issuing without it). */
  readonly historyRoom: boolean;
  isUp(id: NodeId): boolean;
  isPaused(id: NodeId): boolean;
  /** Lincheck client ids: one per session. */
  nextSessionNumber(): number;
  /** The replica whose applied state is newest and still knows `sessionId`, or null (for the expiry verdict check). */
  sessionLiveAt(sessionId: bigint): NodeId | null;
  log(line: string): void;
  /** Log every request, reply and event (a verbose replay). */
  readonly tracing: boolean;
  /** A write's reply never came (or said CONNECTIONLOSS): its outcome is settled from the log after the run. */
  outcomeUnknown(outcome: UnknownOutcome): void;
}

export interface UnknownOutcome {
  readonly sessionNumber: number;
  readonly sessionId: bigint;
  readonly xid: number;
  readonly op: WorkOp;
  readonly callTime: number;
}

export interface ClientConfig {
  readonly name: string;
  /** The replica whose tab, or side of the network, the client lives in. */
  readonly home: NodeId;
  /** Lives in its home replica's tab: its sessions are fate-shared, it connects only there, and dies with it. */
  readonly fateShared: boolean;
  readonly requestedTimeoutMs: number;
  readonly requestChance: number;
  readonly pipelineDepth: number;
  readonly closeChance: number;
  readonly abandonChance: number;
  readonly livenessOperations: number;
  readonly prng: Prng;
}

interface Outstanding {
  readonly xid: number;
  readonly op: WorkOp;
  readonly callTime: number;
}

interface Connection {
  readonly id: ConnectionId;
  readonly replica: NodeId;
  phase: 'connecting' | 'open';
  readonly resumes: boolean;
  readonly outstanding: Outstanding[];
  readonly openedAt: number;
  lastHeardAt: number;
  lastSentAt: number;
}

const hex = (value: bigint): string => `0x${value.toString(16)}`;

/**
 * A ZooKeeper client speaking ConnectRequest/ClientRequest to a replica over a ClientLinks
 * connection: a session, a pipeline of requests, pings after a third of the timeout idle, a move to
 * another replica after two thirds without an answer (resuming with its session id, password and
 * last zxid, then setWatches), a new session when told its session expired. It checks what one
 * client can: replies in request order, zxids never going back, watch events before newer data and
 * at most once, no error an operation can never get; and records its znode operations for the
 * linearizability check.
 */
export class SimClient implements ClientEnd {
  private session: ClientSession | null = null;
  private connection: Connection | null = null;
  private lastReplica: NodeId | null = null;
  private lastZxidSeen = 0n;
  private retryAt = 0;
  private dead = false;
  private dataCounter = 0;
  successesSinceHeal = 0;
  sessionsStarted = 0;

  constructor(
    private readonly config: ClientConfig,
    private readonly world: ClientWorld,
  ) {}

  get name(): string {
    return this.config.name;
  }

  get home(): NodeId {
    return this.config.home;
  }

  /** Phase two's goal for this client: connected, nothing in flight, enough work done. */
  get done(): boolean {
    const connection = this.connection;
    return connection !== null && connection.phase === 'open' && connection.outstanding.length === 0 && this.successesSinceHeal >= this.config.livenessOperations;
  }

  describe(): string {
    const c = this.connection;
    const state = this.dead ? 'dead' : c === null ? 'disconnected' : `${c.phase} to ${c.replica} (${c.outstanding.length} in flight)`;
    return `${this.name}@${this.config.home}${this.config.fateShared ? ' fate-shared' : ''}: ${state}, session ${this.session === null ? '-' : hex(this.session.id)}, ${this.successesSinceHeal} done since healing`;
  }

  tick(): void {
    const now = this.world.now;
    if (this.dead || (this.config.fateShared && this.world.isPaused(this.config.home))) return;
    const connection = this.connection;
    if (connection === null) {
      if (now >= this.retryAt) this.connect();
      return;
    }
    const timeoutTicks = this.session?.timeoutTicks ?? Math.ceil(this.config.requestedTimeoutMs / MS_PER_TICK);
    if (connection.phase === 'connecting') {
      if (now - connection.openedAt > Math.max(100, (timeoutTicks * 2) / 3)) this.giveUp('no ConnectResponse in time');
      return;
    }
    if (now - connection.lastHeardAt > (timeoutTicks * 2) / 3) {
      this.giveUp(`nothing heard from ${connection.replica} for two thirds of the session timeout`);
      return;
    }
    if (now - connection.lastSentAt >= timeoutTicks / 3) {
      this.send({ kind: 'ping' });
      return;
    }
    this.maybeAct(connection);
  }

  /** The home replica crashed: a client in its tab dies with it, and its session must end. */
  homeCrashed(): void {
    if (!this.config.fateShared || this.dead) return;
    if (this.session !== null) this.world.probe.sessionMustEnd(this.session.id, `fate-shared with ${this.config.home}, which crashed`);
    this.dropConnection();
    this.session = null;
    this.dead = true;
  }

  /** The home replica restarted: a fate-shared client starts over in the new tab. */
  homeRestarted(): void {
    if (!this.dead) return;
    this.dead = false;
    this.retryAt = this.world.now;
  }

  markHealed(): void {
    this.successesSinceHeal = 0;
  }

  onFrame(connectionId: ConnectionId, frame: ReplicaFrame): void {
    const connection = this.connection;
    if (connection === null || connection.id !== connectionId) return;
    connection.lastHeardAt = this.world.now;
    if (frame.kind === 'connectResponse') this.onConnectResponse(connection, frame.message);
    else if (frame.kind === 'reply') this.onReply(connection, frame.message);
    else this.onEvent(frame.message);
  }

  onClose(connectionId: ConnectionId, reason: string): void {
    if (this.connection?.id !== connectionId) return;
    this.world.log(`[${this.world.now}] ${this.name}: connection to ${this.connection.replica} closed: ${reason}`);
    this.dropConnection();
  }

  // ---------------------------------------------------------------- connecting

  private connect(): void {
    const { home, fateShared, prng } = this.config;
    if (fateShared && !this.world.isUp(home)) return;
    let replica = home;
    if (!fateShared) {
      const others = this.world.replicaIds.filter((id) => id !== this.lastReplica);
      replica = prng.chance(0.8) && others.length > 0 ? others[prng.nextInt(others.length)]! : this.world.replicaIds[prng.nextInt(this.world.replicaIds.length)]!;
    }
    const session = this.session;
    const message = {
      lastZxidSeen: this.lastZxidSeen,
      timeoutMs: this.config.requestedTimeoutMs,
      sessionId: session?.id ?? 0n,
      password: session?.password ?? new Uint8Array(16),
      readOnly: false,
    };
    const id = this.world.links.open(this, replica, home, fateShared, { kind: 'connectRequest', message });
    const now = this.world.now;
    this.connection = { id, replica, phase: 'connecting', resumes: session !== null, outstanding: [], openedAt: now, lastHeardAt: now, lastSentAt: now };
    this.lastReplica = replica;
  }

  private onConnectResponse(connection: Connection, response: { timeoutMs: number; sessionId: bigint; password: Uint8Array }): void {
    if (connection.phase !== 'connecting') {
      this.world.violations.report(`${this.name}: a second ConnectResponse on connection ${connection.id} to ${connection.replica}`);
      return;
    }
    const session = this.session;
    if (response.timeoutMs === 0) {
      if (session === null) {
        this.world.violations.report(`${this.name}: ${connection.replica} answered a new session's connect with "expired"`);
      } else {
        const liveAt = this.world.sessionLiveAt(session.id);
        if (liveAt !== null) {
          const message = `${this.name}: ${connection.replica} told session ${hex(session.id)} it expired, but it is live at ${liveAt} (which has applied the most)`;
          this.world.violations.report(message);
        }
        this.world.probe.sessionMustEnd(session.id, 'told it expired');
        this.world.log(`[${this.world.now}] ${this.name}: session ${hex(session.id)} expired`);
      }
      this.session = null;
      this.dropConnection();
      return;
    }
    if (session !== null && response.sessionId !== session.id) {
      this.world.violations.report(`${this.name}: resuming session ${hex(session.id)} at ${connection.replica} answered session ${hex(response.sessionId)}`);
    }
    connection.phase = 'open';
    if (session === null) {
      this.sessionsStarted += 1;
      const timeoutTicks = Math.max(1, Math.floor(response.timeoutMs / MS_PER_TICK));
      this.session = new ClientSession(response.sessionId, response.password, timeoutTicks, this.world.nextSessionNumber());
      this.world.log(`[${this.world.now}] ${this.name}: session ${hex(response.sessionId)} at ${connection.replica}`);
      return;
    }
    if (session.watches.size > 0) this.send({ kind: 'setWatches', relativeZxid: this.lastZxidSeen, lists: session.watches.lists() });
  }

  private giveUp(reason: string): void {
    const connection = this.connection;
    if (connection === null) return;
    this.world.log(`[${this.world.now}] ${this.name}: leaves ${connection.replica}: ${reason}`);
    this.dropConnection();
  }

  /** The connection is gone: what was in flight has an unknown outcome. */
  private dropConnection(): void {
    const connection = this.connection;
    if (connection === null) return;
    this.world.links.closeFromClient(connection.id);
    for (const request of connection.outstanding) this.record(request, null);
    this.connection = null;
    this.retryAt = this.world.now + this.config.prng.nextIntBetween(1, 20);
  }

  // ---------------------------------------------------------------- requests

  private maybeAct(connection: Connection): void {
    const session = this.session;
    if (session === null || connection.outstanding.length >= this.config.pipelineDepth) return;
    const { prng } = this.config;
    if (session.closing) {
      if (connection.outstanding.length === 0) this.send({ kind: 'closeSession' });
      return;
    }
    if (this.world.healed ? this.successesSinceHeal >= this.config.livenessOperations : !this.world.historyRoom) return;
    if (!prng.chance(this.config.requestChance)) return;
    if (!this.world.healed && prng.chance(this.config.closeChance)) {
      session.closing = true;
      return;
    }
    if (!this.world.healed && prng.chance(this.config.abandonChance)) {
      this.world.log(`[${this.world.now}] ${this.name}: walks away from session ${hex(session.id)} (left to expire)`);
      this.world.probe.sessionMustEnd(session.id, 'abandoned by its client');
      this.giveUp('abandoned the session');
      this.session = null;
      return;
    }
    const op = drawOp(prng, { nextData: () => `${this.name}.${++this.dataCounter}`, versions: session.versions, ownNodes: session.ownNodes });
    this.send(op);
  }

  private send(op: WorkOp, callTime = this.world.now): void {
    const connection = this.connection;
    const session = this.session;
    if (connection === null || session === null) return;
    const xid = session.nextXid++;
    connection.outstanding.push({ xid, op, callTime });
    connection.lastSentAt = this.world.now;
    if (op.kind === 'delete' && session.ownNodes.includes(op.path)) this.world.probe.ownerAskedDelete(session.id, op.path);
    if (this.world.tracing) this.world.log(`[${this.world.now}] ${this.name} -> ${connection.replica} #${xid} ${describeOp(op)}`);
    this.world.links.send(connection.id, { kind: 'request', message: { xid, body: requestBody(op) } });
  }

  private onReply(connection: Connection, reply: ServerReply): void {
    const session = this.session;
    const head = connection.outstanding[0];
    if (session === null) return;
    if (head === undefined || head.xid !== reply.xid) {
      const expected = head === undefined ? 'none outstanding' : `xid ${head.xid} next`;
      this.world.violations.report(`${this.name} (session ${hex(session.id)}): reply xid ${reply.xid} out of order from ${connection.replica} (${expected}; replies must come in request order)`);
      return;
    }
    connection.outstanding.shift();
    session.watches.replyArrived();
    if (this.world.tracing) this.world.log(`[${this.world.now}] ${this.name} <- ${connection.replica} #${reply.xid} ${errorCodeName(reply.err) ?? reply.err} zxid ${hex(reply.zxid)} ${describeBody(reply)}`);
    this.checkZxid(session, reply.zxid, `reply xid ${reply.xid} from ${connection.replica}`);
    if (reply.zxid > this.lastZxidSeen) this.lastZxidSeen = reply.zxid;
    const unexpected = unexpectedError(head.op, reply);
    if (unexpected !== null) this.world.violations.report(`${this.name} (session ${hex(session.id)}): ${unexpected}`);
    this.record(head, reply);
    for (const problem of session.learn(head.op, reply, `reply xid ${reply.xid} (${head.op.kind}) from ${connection.replica}`)) {
      this.world.violations.report(`${this.name} (session ${hex(session.id)}): ${problem}`);
    }
    if (head.op.kind === 'create' && isSequential(head.op.mode) && reply.err === ErrorCode.OK && reply.body.type === 'create') {
      this.world.sequential.record(head.op.path, reply.body.path, reply.body.stat.czxid);
    }
    if (reply.err === ErrorCode.OK && isWork(head.op) && this.world.healed) this.successesSinceHeal += 1;
    if (head.op.kind === 'sync' && reply.err === ErrorCode.OK) this.send({ kind: 'syncRead', path: head.op.path, syncCallTime: head.callTime });
    if (head.op.kind === 'closeSession' && reply.err === ErrorCode.OK) {
      this.world.probe.sessionMustEnd(session.id, 'closed by its client');
      this.world.log(`[${this.world.now}] ${this.name}: closed session ${hex(session.id)}`);
      this.giveUp('session closed');
      this.session = null;
    }
  }

  private onEvent(event: WatchNotification): void {
    const session = this.session;
    if (session === null) return;
    if (this.world.tracing) this.world.log(`[${this.world.now}] ${this.name} <- event ${event.type} ${event.path} zxid ${hex(event.zxid)}`);
    if (event.zxid >= 0n) this.checkZxid(session, event.zxid, `event ${event.type} ${event.path}`);
    const problem = session.watches.onEvent(event);
    if (problem !== null) this.world.violations.report(`${this.name} (session ${hex(session.id)}): ${problem}`);
  }

  private checkZxid(session: ClientSession, zxid: bigint, what: string): void {
    if (zxid < session.lastZxid) {
      this.world.violations.report(`${this.name} (session ${hex(session.id)}): ${what} carries zxid ${hex(zxid)}, older than ${hex(session.lastZxid)} already seen`);
    }
    if (zxid > session.lastZxid) session.lastZxid = zxid;
  }

  /** Hands a finished (or lost: reply null) operation to the linearizability history. */
  private record(request: Outstanding, reply: ServerReply | null): void {
    const session = this.session;
    if (session === null) return;
    const callTime = request.op.kind === 'syncRead' ? request.op.syncCallTime : request.callTime;
    if (outcomeUnknown(reply)) {
      if (isWrite(request.op)) this.world.outcomeUnknown({ sessionNumber: session.number, sessionId: session.id, xid: request.xid, op: request.op, callTime });
      return;
    }
    for (const { input, output } of linearizableRecords(request.op, reply)) {
      const handle = this.world.recorder.invoke(session.number, input, callTime);
      if (output !== undefined) this.world.recorder.complete(handle, output, this.world.now);
    }
  }
}
