import { ErrorCode } from '../errors/error-code.js';
import { KeeperError, assert, isKeeperError } from '../errors/keeper-error.js';
import type {
  ClientFrame,
  ConnectResponse,
  RequestBody,
  ServerReply,
  WatchNotification,
} from '../wire/client-message.js';
import { decodeReplicaFrame, encodeClientFrame } from '../wire/session-codec.js';
import { isTerminalState, type ClientStateName, type TerminalState } from './client-state.js';
import type { Clock } from './clock.js';
import type { ClientConnection, ConnectFn } from './connection.js';
import { PendingRequests, type PendingRequest, type RequestHooks } from './pending-requests.js';

export type { RequestHooks } from './pending-requests.js';

/** ZooKeeper's PING_XID: pings are answered outside the FIFO of replies. */
export const PING_XID = -2;

/** A request the session sends first on every new connection (re-sent auth, setWatches). */
export interface PrimingRequest {
  readonly body: RequestBody;
  readonly hooks: RequestHooks;
}

/** What the session tells its owner. Every call is synchronous, in the order things happened. */
export interface SessionListener {
  /** The session moved from `previous` to `state`. */
  stateChanged(state: ClientStateName, previous: ClientStateName): void;
  /** A watch event arrived. */
  notification(event: WatchNotification): void;
  /** The requests to send before any other on a new connection, given the client's last zxid. */
  priming(relativeZxid: bigint): readonly PrimingRequest[];
}

/** How a session connects and how patient it is (the client's options, resolved). */
export interface SessionOptions {
  readonly endpoints: readonly ConnectFn[];
  /** The session timeout the client asks for. */
  readonly sessionTimeoutMs: number;
  /** 0: requests wait as long as the connection lives. */
  readonly requestTimeoutMs: number;
  /** How long one connection attempt (connect and handshake) may take; undefined: session timeout / endpoints. */
  readonly connectTimeoutMs: number | undefined;
  /** The pause (half of it to all of it, at random) before a new round of attempts once every endpoint failed. */
  readonly reconnectDelayMs: number;
  /** Requests waiting or in flight at once. */
  readonly maxPendingRequests: number;
  /** How long close() waits for the replica to acknowledge closeSession. */
  readonly closeTimeoutMs: number;
  readonly clock: Clock;
  /** A session to resume (0n: a new session), and its password. */
  readonly sessionId: bigint;
  readonly sessionPassword: Uint8Array;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * One client session's connection machinery (ZooKeeper's ClientCnxn): connects to the endpoints in
 * turn with sessionId, password and lastZxidSeen; matches replies to requests by xid in FIFO order;
 * pings after a third of the session timeout without sending and drops a connection silent for two
 * thirds of it; fails requests in flight with CONNECTIONLOSS when a connection is lost (never
 * resending them); learns expiry from a ConnectResponse with timeout 0.
 */
export class ClientSession {
  state: ClientStateName = 'CONNECTING';
  sessionId: bigint;
  password: Uint8Array;
  /** The negotiated timeout once connected; the requested one before. */
  timeoutMs: number;
  /** The highest zxid seen in any reply or watch event. Never decreases. */
  lastZxidSeen = 0n;

  private connection: ClientConnection | undefined;
  private unsubscribers: (() => void)[] = [];
  private handshakeDone = false;
  private generation = 0;
  private nextEndpoint = 0;
  private failedAttempts = 0;
  private nextXid = 1;
  private readonly pending: PendingRequests;
  private attemptTimer: unknown;
  private pingTimer: unknown;
  private reconnectTimer: unknown;
  private lastSentMs = 0;
  private lastReceivedMs = 0;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly options: SessionOptions,
    private readonly listener: SessionListener,
  ) {
    assert(options.endpoints.length > 0, 'a session needs at least one endpoint');
    this.sessionId = options.sessionId;
    this.password = options.sessionPassword;
    this.timeoutMs = options.sessionTimeoutMs;
    this.pending = new PendingRequests(options.clock);
  }

  /** Starts connecting (to the first endpoint). */
  start(): void {
    this.openNext();
  }

  /** Requests waiting for a connection plus requests sent and not answered. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /**
   * Sends a request (now, or once connected) and resolves with its reply, whatever its err. Rejects
   * with CONNECTIONLOSS when the connection is lost first, REQUESTTIMEOUT when requestTimeoutMs
   * passes, SESSIONEXPIRED / AUTHFAILED once the session has ended, THROTTLEDOP when too many
   * requests are pending, MARSHALLINGERROR when the request cannot be encoded.
   */
  submit(body: RequestBody, hooks: RequestHooks = {}): Promise<ServerReply> {
    return new Promise<ServerReply>((resolve, reject) => {
      const request: PendingRequest = { body, hooks, resolve, reject, xid: 0, timer: undefined, settled: false };
      const refusal = this.refusal();
      if (refusal !== undefined) return this.pending.fail(request, refusal);
      if (this.pendingCount >= this.options.maxPendingRequests) {
        return this.pending.fail(
          request,
          new KeeperError('THROTTLEDOP', `${this.pendingCount} requests are pending; at most ${this.options.maxPendingRequests}`),
        );
      }
      if (this.options.requestTimeoutMs > 0) {
        request.timer = this.options.clock.setTimeout(() => this.requestTimedOut(request), this.options.requestTimeoutMs);
      }
      if (this.connection !== undefined && this.handshakeDone) this.sendRequest(request);
      else this.pending.wait(request);
    });
  }

  /**
   * Ends the session: when connected, sends closeSession after everything already sent and waits
   * (at most closeTimeoutMs) for its acknowledgement; then closes the connection. State CLOSED.
   */
  close(): Promise<void> {
    if (isTerminalState(this.state)) return Promise.resolve();
    if (this.closing !== undefined) return this.closing;
    const connected = this.connection !== undefined && this.handshakeDone;
    this.closing = (async () => {
      if (connected) {
        await new Promise<void>((done) => {
          const request: PendingRequest = {
            body: { type: 'closeSession' },
            hooks: {},
            resolve: () => done(),
            reject: () => done(),
            xid: 0,
            timer: undefined,
            settled: false,
          };
          request.timer = this.options.clock.setTimeout(() => {
            this.pending.fail(request, new KeeperError('REQUESTTIMEOUT', 'closeSession was not acknowledged'));
          }, this.options.closeTimeoutMs);
          this.sendRequest(request);
        });
      }
      this.terminate('CLOSED', 'the client was closed');
    })();
    return this.closing;
  }

  // ---- connecting --------------------------------------------------------------------------

  private openNext(): void {
    this.reconnectTimer = undefined;
    if (isTerminalState(this.state) || this.closing !== undefined) return;
    const generation = ++this.generation;
    const endpoints = this.options.endpoints;
    const endpoint = endpoints[this.nextEndpoint % endpoints.length];
    assert(endpoint !== undefined, 'endpoint index in range');
    this.nextEndpoint = (this.nextEndpoint + 1) % endpoints.length;
    const connectTimeoutMs = this.options.connectTimeoutMs ?? Math.max(1, Math.floor(this.timeoutMs / endpoints.length));
    this.attemptTimer = this.options.clock.setTimeout(() => {
      if (generation === this.generation) this.connectionLost(`no connection within ${connectTimeoutMs} ms`);
    }, connectTimeoutMs);
    let opening: Promise<ClientConnection>;
    try {
      opening = endpoint();
    } catch (error) {
      opening = Promise.reject(error);
    }
    opening.then(
      (connection) => {
        if (generation !== this.generation) return safeClose(connection);
        this.attach(connection, generation);
      },
      (error: unknown) => {
        if (generation === this.generation) this.connectionLost(`connect failed: ${describe(error)}`);
      },
    );
  }

  private attach(connection: ClientConnection, generation: number): void {
    this.connection = connection;
    this.handshakeDone = false;
    this.unsubscribers.push(connection.onMessage((bytes) => this.onFrame(generation, bytes)));
    this.unsubscribers.push(
      connection.onClose((reason) => {
        if (generation === this.generation) this.connectionLost(`connection closed: ${reason}`);
      }),
    );
    if (generation !== this.generation) return;
    this.lastReceivedMs = this.options.clock.now();
    this.transmit({
      kind: 'connectRequest',
      message: {
        lastZxidSeen: this.lastZxidSeen,
        timeoutMs: this.options.sessionTimeoutMs,
        sessionId: this.sessionId,
        password: this.password,
        readOnly: false,
      },
    });
  }

  private onConnectResponse(response: ConnectResponse): void {
    if (response.timeoutMs <= 0) {
      this.terminate('EXPIRED', 'the session has expired');
      return;
    }
    if (response.sessionId === 0n || (this.sessionId !== 0n && response.sessionId !== this.sessionId)) {
      this.protocolError(`asked for session ${this.sessionId}, the replica answered ${response.sessionId}`);
      return;
    }
    this.clearTimer('attemptTimer');
    this.sessionId = response.sessionId;
    this.password = response.password;
    this.timeoutMs = response.timeoutMs;
    this.handshakeDone = true;
    this.failedAttempts = 0;
    const generation = this.generation;
    for (const priming of this.listener.priming(this.lastZxidSeen)) {
      this.sendRequest({ ...priming, resolve: noop, reject: noop, xid: 0, timer: undefined, settled: false });
      if (generation !== this.generation) return;
    }
    for (let request = this.pending.takeWaiting(); request !== undefined; request = this.pending.takeWaiting()) {
      this.sendRequest(request);
      if (generation !== this.generation) return;
    }
    this.schedulePing();
    this.setState('CONNECTED');
  }

  /**
   * The connection (or the attempt) is gone: everything unanswered fails with CONNECTIONLOSS, and
   * the client moves on to the next endpoint.
   */
  private connectionLost(reason: string): void {
    this.detach();
    this.pending.failAll(new KeeperError('CONNECTIONLOSS', reason));
    if (this.state === 'CONNECTED' && this.closing === undefined) this.setState('DISCONNECTED');
    if (isTerminalState(this.state) || this.closing !== undefined) return;
    this.failedAttempts += 1;
    const roundDone = this.failedAttempts % this.options.endpoints.length === 0;
    const pauseMs = this.options.reconnectDelayMs;
    const delayMs = roundDone ? Math.ceil(pauseMs / 2 + (this.options.clock.random() * pauseMs) / 2) : 0;
    this.clearTimer('reconnectTimer');
    this.reconnectTimer = this.options.clock.setTimeout(() => this.openNext(), delayMs);
  }

  private protocolError(reason: string): void {
    this.connectionLost(`protocol error: ${reason}`);
  }

  private terminate(state: TerminalState, reason: string): void {
    if (isTerminalState(this.state)) return;
    this.detach();
    this.clearTimer('reconnectTimer');
    this.pending.failAll(
      state === 'AUTH_FAILED' ? new KeeperError('AUTHFAILED', reason) : new KeeperError('SESSIONEXPIRED', reason),
    );
    this.setState(state);
  }

  private detach(): void {
    this.generation += 1;
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    const connection = this.connection;
    this.connection = undefined;
    this.handshakeDone = false;
    this.clearTimer('attemptTimer');
    this.clearTimer('pingTimer');
    if (connection !== undefined) safeClose(connection);
  }

  // ---- frames ------------------------------------------------------------------------------

  private onFrame(generation: number, bytes: Uint8Array): void {
    if (generation !== this.generation) return;
    this.lastReceivedMs = this.options.clock.now();
    let frame;
    try {
      frame = decodeReplicaFrame(bytes);
    } catch (error) {
      this.protocolError(describe(error));
      return;
    }
    if (!this.handshakeDone) {
      if (frame.kind !== 'connectResponse') this.protocolError(`a ${frame.kind} before the connectResponse`);
      else this.onConnectResponse(frame.message);
      return;
    }
    switch (frame.kind) {
      case 'reply':
        return this.onReply(frame.message);
      case 'watchEvent':
        this.noteZxid(frame.message.zxid);
        return this.listener.notification(frame.message);
      case 'connectResponse':
        return this.protocolError('a second connectResponse');
    }
  }

  private onReply(reply: ServerReply): void {
    this.noteZxid(reply.zxid);
    if (reply.xid === PING_XID) return;
    const head = this.pending.head();
    if (head === undefined || head.xid !== reply.xid) {
      this.protocolError(`reply xid ${reply.xid}, expected ${head === undefined ? 'no reply' : head.xid}`);
      return;
    }
    this.pending.shiftHead();
    this.pending.answer(head, reply);
    if (head.body.type === 'addAuthInfo' && reply.err === ErrorCode.AUTHFAILED) {
      this.terminate('AUTH_FAILED', `the replica refused the ${head.body.scheme} credential`);
    }
  }

  private noteZxid(zxid: bigint): void {
    if (zxid > this.lastZxidSeen) this.lastZxidSeen = zxid;
  }

  private sendRequest(request: PendingRequest): void {
    const xid = this.nextXid;
    this.nextXid = this.nextXid >= 0x7fffffff ? 1 : this.nextXid + 1;
    let bytes: Uint8Array;
    try {
      bytes = encodeClientFrame({ kind: 'request', message: { xid, body: request.body } });
    } catch (error) {
      this.pending.fail(request, isKeeperError(error) ? error : new KeeperError('MARSHALLINGERROR', describe(error)));
      return;
    }
    this.pending.sent(request, xid);
    this.sendBytes(bytes);
  }

  private transmit(frame: ClientFrame): void {
    let bytes: Uint8Array;
    try {
      bytes = encodeClientFrame(frame);
    } catch (error) {
      this.protocolError(`cannot encode a ${frame.kind}: ${describe(error)}`);
      return;
    }
    this.sendBytes(bytes);
  }

  private sendBytes(bytes: Uint8Array): void {
    const connection = this.connection;
    if (connection === undefined) return;
    try {
      connection.send(bytes);
      this.lastSentMs = this.options.clock.now();
    } catch (error) {
      this.connectionLost(`send failed: ${describe(error)}`);
    }
  }

  // ---- liveness ----------------------------------------------------------------------------

  private schedulePing(): void {
    this.clearTimer('pingTimer');
    const now = this.options.clock.now();
    const untilPing = this.lastSentMs + this.timeoutMs / 3 - now;
    const untilSilent = this.lastReceivedMs + (this.timeoutMs * 2) / 3 - now;
    const generation = this.generation;
    this.pingTimer = this.options.clock.setTimeout(
      () => this.onPingTimer(generation),
      Math.max(1, Math.ceil(Math.min(untilPing, untilSilent))),
    );
  }

  private onPingTimer(generation: number): void {
    this.pingTimer = undefined;
    if (generation !== this.generation) return;
    const now = this.options.clock.now();
    const silentMs = now - this.lastReceivedMs;
    if (silentMs >= (this.timeoutMs * 2) / 3) {
      this.connectionLost(`no answer from the replica for ${silentMs} ms`);
      return;
    }
    if (now - this.lastSentMs >= this.timeoutMs / 3) {
      this.transmit({ kind: 'request', message: { xid: PING_XID, body: { type: 'ping' } } });
      if (generation !== this.generation) return;
    }
    this.schedulePing();
  }

  private requestTimedOut(request: PendingRequest): void {
    request.timer = undefined;
    if (request.settled) return;
    this.pending.removeWaiting(request);
    const sent = this.pending.isInFlight(request);
    this.pending.fail(request, new KeeperError('REQUESTTIMEOUT', `no reply within ${this.options.requestTimeoutMs} ms`));
    // Replies come in order: one that is late holds up every later one. Start afresh elsewhere.
    if (sent) this.connectionLost(`request ${request.xid} timed out`);
  }

  // ---- settling ----------------------------------------------------------------------------

  private refusal(): KeeperError | undefined {
    if (this.state === 'AUTH_FAILED') return new KeeperError('AUTHFAILED', 'authentication failed; the client is done');
    if (this.state === 'EXPIRED') return new KeeperError('SESSIONEXPIRED', 'the session has expired');
    if (this.state === 'CLOSED' || this.closing !== undefined) return new KeeperError('SESSIONEXPIRED', 'the client is closed');
    return undefined;
  }

  private clearTimer(name: 'attemptTimer' | 'pingTimer' | 'reconnectTimer'): void {
    const handle = this[name];
    if (handle !== undefined) this.options.clock.clearTimeout(handle);
    this[name] = undefined;
  }

  private setState(state: ClientStateName): void {
    const previous = this.state;
    if (previous === state) return;
    this.state = state;
    this.listener.stateChanged(state, previous);
  }
}

function noop(): void {}

function safeClose(connection: ClientConnection): void {
  try {
    connection.close();
  } catch {
    // Closing a broken transport may throw; it is closed either way.
  }
}
