/**
 * The signaling client: one room, one peer id, over one WebSocket at a time.
 *
 * It answers the room's challenge with a proof keyed from the room secret (founding the room when the
 * server has no record of it), keeps the roster, seals every signal end to end, opens and de-duplicates
 * received ones in order, applies the glare rule, and reconnects with jittered exponential backoff.
 * Works in browsers (pass `WebSocket`) and in Node (pass `ws`'s `WebSocket`).
 */
import { KeeperError } from '../errors/keeper-error.js';
import { encodeBase64url } from './base64url.js';
import { deriveRoomKeys, openSignal, proveJoin, randomBytes, sealSignal, type RoomKeys } from './room-crypto.js';
import { FATAL_SIGNALING_ERRORS, RETRYABLE_SIGNALING_ERRORS, type SignalingClientOptions } from './signaling-client-options.js';
import { SignalingClientEmitter, type SignalingClientState, type SignalRejectReason } from './signaling-client-events.js';
import { GlareResolver } from './signaling-glare.js';
import { DEFAULT_BACKOFF, backoffDelayMs } from './reconnect-backoff.js';
import { SignalReplayGuard } from './signal-replay-guard.js';
import {
  SignalingFieldLimits,
  encodeMessage,
  isValidEnsembleId,
  isValidPeerId,
  isValidRoomName,
  parseServerMessage,
  type ClientMessage,
  type ServerMessage,
  type SignalingErrorCode,
} from './signaling-protocol.js';
import { SOCKET_OPEN, type SignalingSocket } from './signaling-socket.js';

/** Received signals waiting to be opened; more than this and the sender is flooding us. */
const MAX_PENDING_RECEIVED_SIGNALS = 256;

export class SignalingClient extends SignalingClientEmitter {
  readonly room: string;
  readonly peerId: string;
  /** Random per client instance; sealed into every signal so receivers notice restarts. */
  readonly session = encodeBase64url(randomBytes(12));

  private readonly options: SignalingClientOptions;
  private readonly glare: GlareResolver;
  private readonly roster = new Set<string>();
  private readonly replayGuard = new SignalReplayGuard();
  private currentState: SignalingClientState = 'idle';
  private keys: RoomKeys | undefined;
  private socket: SignalingSocket | undefined;
  private knownEnsembleId: string | undefined;
  private hasJoined = false;
  private failedAttempts = 0;
  private nextSeq = 0;
  private sendChain: Promise<void> = Promise.resolve();
  private receiveChain: Promise<void> = Promise.resolve();
  private pendingReceived = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private heardSinceLastPing = true;

  constructor(options: SignalingClientOptions) {
    super();
    if (!isValidRoomName(options.room)) throw new KeeperError('BADARGUMENTS', 'room must be 1-128 printable characters');
    if (!isValidPeerId(options.peerId)) throw new KeeperError('BADARGUMENTS', 'peerId must be 1-64 characters of [A-Za-z0-9._:-]');
    if (!isValidEnsembleId(options.ensembleId)) {
      throw new KeeperError('BADARGUMENTS', 'ensembleId must be 1-64 characters of [A-Za-z0-9._:-]');
    }
    if ('keys' in options && options.keys.room !== options.room) {
      throw new KeeperError('BADARGUMENTS', 'keys were derived for another room');
    }
    this.options = options;
    this.room = options.room;
    this.peerId = options.peerId;
    this.glare = new GlareResolver(options.peerId);
  }

  get state(): SignalingClientState {
    return this.currentState;
  }

  /** The other peers in the room, sorted (as of the last frame from the server). */
  get peers(): readonly string[] {
    return [...this.roster].sort();
  }

  /** The ensemble the room belongs to, once joined. */
  get ensembleId(): string | undefined {
    return this.knownEnsembleId;
  }

  /** Whether this peer initiates the connection to `remotePeerId` (and wins glare): the lower id does. */
  isInitiator(remotePeerId: string): boolean {
    return this.glare.isInitiator(remotePeerId);
  }

  /** Forgets the negotiation state with a peer, e.g. after its peer connection was torn down. */
  resetNegotiation(remotePeerId: string): void {
    this.glare.reset(remotePeerId);
  }

  /** Derives the room keys (once) and connects. Idempotent. */
  start(): void {
    if (this.currentState !== 'idle') return;
    this.setState('connecting');
    void this.prepareKeys().then(
      () => {
        if (this.currentState === 'connecting') this.connect();
      },
      (error: unknown) => this.fail('crypto', error instanceof Error ? error.message : String(error)),
    );
  }

  /** Leaves the room and stops reconnecting. */
  close(): void {
    if (this.currentState === 'closed') return;
    this.stopTimers();
    this.dropSocket(1000, 'client closed');
    this.setState('closed');
  }

  /**
   * Seals `data` (a simple-peer signal or any JSON object) for `to` and sends it through the server.
   * Signals leave in call order. Rejects with CONNECTIONLOSS when not joined.
   */
  sendSignal(to: string, data: object): Promise<void> {
    if (!isValidPeerId(to)) return Promise.reject(new KeeperError('BADARGUMENTS', 'not a peer id'));
    const keys = this.keys;
    if (this.currentState !== 'joined' || keys === undefined) {
      return Promise.reject(new KeeperError('CONNECTIONLOSS', 'not joined to the signaling room'));
    }
    this.glare.noteLocalSignal(to, data);
    const sealing = sealSignal(keys, { from: this.peerId, to }, { session: this.session, seq: this.nextSeq++, data });
    const sent = Promise.all([sealing, this.sendChain]).then(([payload]) => {
      if (payload.length > SignalingFieldLimits.payloadMaxChars) {
        throw new KeeperError('BADARGUMENTS', `sealed signal exceeds ${SignalingFieldLimits.payloadMaxChars} characters`);
      }
      if (!this.sendFrame({ type: 'signal', room: this.room, to, payload })) {
        throw new KeeperError('CONNECTIONLOSS', 'signaling connection lost before the signal was sent');
      }
    });
    this.sendChain = sent.catch(() => undefined);
    return sent;
  }

  private async prepareKeys(): Promise<void> {
    const options = this.options;
    this.keys =
      'keys' in options
        ? options.keys
        : await deriveRoomKeys(options.secret, options.room, options.pbkdf2Iterations === undefined ? {} : { iterations: options.pbkdf2Iterations });
  }

  private setState(state: SignalingClientState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.emit('state', state);
  }

  private connect(): void {
    this.setState('connecting');
    let socket: SignalingSocket;
    try {
      socket = new this.options.WebSocket(this.options.url);
    } catch (error) {
      this.emit('error', { code: 'protocol', message: `cannot open socket: ${String(error)}`, fatal: false });
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.setState('authenticating');
      this.startHeartbeat();
      this.sendFrame({ type: 'join', room: this.room, peerId: this.peerId });
    };
    socket.onmessage = (event) => {
      if (this.socket !== socket) return;
      this.heardSinceLastPing = true;
      if (typeof event.data !== 'string') return this.protocolFailure('server sent a binary frame');
      const parsed = parseServerMessage(event.data);
      if (!parsed.ok) return this.protocolFailure(`server sent a bad frame: ${parsed.detail}`);
      this.handleMessage(parsed.message);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.scheduleReconnect();
    };
    socket.onerror = () => {
      // A close event follows; reconnecting happens there.
    };
  }

  private handleMessage(message: ServerMessage): void {
    if (message.type === 'pong') return;
    if (message.type === 'error') return this.handleError(message.code, message.message, message.room);
    if (message.room !== this.room) return;
    switch (message.type) {
      case 'challenge':
        this.answerChallenge(message.nonce, message.founded).catch((error: unknown) =>
          this.protocolFailure(`cannot answer the challenge: ${String(error)}`),
        );
        return;
      case 'joined':
        return this.handleJoined(message.founder, message.ensembleId, message.peers);
      case 'peer-joined':
        if (message.peerId === this.peerId) return;
        this.forgetPeer(message.peerId);
        this.roster.add(message.peerId);
        this.emit('peer-joined', { peerId: message.peerId });
        return;
      case 'peer-left':
        if (!this.roster.delete(message.peerId)) return;
        this.forgetPeer(message.peerId);
        this.emit('peer-left', { peerId: message.peerId });
        return;
      case 'signal':
        return this.receiveSignal(message.from, message.payload);
      case 'left':
        return;
    }
  }

  private async answerChallenge(nonce: string, founded: boolean): Promise<void> {
    const keys = this.keys;
    const socket = this.socket;
    if (keys === undefined || socket === undefined) return;
    const proof = await proveJoin(keys, nonce, this.peerId);
    if (this.socket !== socket) return;
    if (founded) {
      this.sendFrame({ type: 'prove', room: this.room, proof });
    } else {
      // Proposing the ensemble we already know makes a lost founding record heal itself on rejoin.
      const ensembleId = this.knownEnsembleId ?? this.options.ensembleId;
      this.sendFrame({ type: 'found', room: this.room, ensembleId, verifier: keys.verifier, proof });
    }
  }

  private handleJoined(founder: boolean, ensembleId: string, peers: readonly string[]): void {
    const rejoin = this.hasJoined;
    const ensembleChanged = this.knownEnsembleId !== undefined && this.knownEnsembleId !== ensembleId;
    const next = new Set(peers.filter((peer) => peer !== this.peerId));
    const left = [...this.roster].filter((peer) => !next.has(peer));
    const joined = [...next].filter((peer) => !this.roster.has(peer));
    this.hasJoined = true;
    this.failedAttempts = 0;
    this.knownEnsembleId = ensembleId;
    this.setState('joined');
    for (const peerId of left) {
      this.roster.delete(peerId);
      this.forgetPeer(peerId);
      this.emit('peer-left', { peerId });
    }
    for (const peerId of joined) {
      this.roster.add(peerId);
      this.emit('peer-joined', { peerId });
    }
    const ownProposal = ensembleId === this.options.ensembleId;
    this.emit('joined', { founder, ensembleId, peers: [...next].sort(), rejoin, ownProposal, ensembleChanged });
  }

  private handleError(code: SignalingErrorCode, message: string, room: string | undefined): void {
    if (room !== undefined && room !== this.room) return;
    if (FATAL_SIGNALING_ERRORS.has(code)) return this.fail(code, message);
    this.emit('error', { code, message, fatal: false });
    if (RETRYABLE_SIGNALING_ERRORS.has(code)) {
      this.dropSocket(1000, `join failed: ${code}`);
      this.scheduleReconnect();
    }
  }

  private receiveSignal(from: string, payload: string): void {
    const keys = this.keys;
    if (keys === undefined) return;
    if (this.pendingReceived >= MAX_PENDING_RECEIVED_SIGNALS) return this.reject(from, 'overload');
    this.pendingReceived += 1;
    // Open in parallel, hand on in arrival order (an offer before its candidates).
    const opening = openSignal(keys, { from, to: this.peerId }, payload);
    this.receiveChain = this.receiveChain
      .then(() => opening)
      .then(
        (body) => {
          this.pendingReceived -= 1;
          const known = this.replayGuard.knows(from);
          const verdict = this.replayGuard.admit(from, body.session, body.seq);
          if (verdict === 'replayed') return this.reject(from, 'replayed');
          const sessionChanged = known && verdict === 'new-session';
          if (sessionChanged) this.glare.reset(from);
          const action = this.glare.onRemoteSignal(from, body.data);
          if (action === 'ignore') return this.emit('signal-ignored', { from, data: body.data });
          this.emit('signal', { from, data: body.data, action, session: body.session, sessionChanged });
        },
        (error: unknown) => {
          this.pendingReceived -= 1;
          this.reject(from, error instanceof KeeperError && error.codeName === 'AUTHFAILED' ? 'tampered' : 'malformed');
        },
      );
  }

  private reject(from: string, reason: SignalRejectReason): void {
    this.emit('signal-rejected', { from, reason });
  }

  private forgetPeer(peerId: string): void {
    this.glare.reset(peerId);
    this.replayGuard.forget(peerId);
  }

  private sendFrame(message: ClientMessage): boolean {
    const socket = this.socket;
    if (socket === undefined || socket.readyState !== SOCKET_OPEN) return false;
    try {
      socket.send(encodeMessage(message));
      return true;
    } catch {
      return false;
    }
  }

  private protocolFailure(message: string): void {
    this.emit('error', { code: 'protocol', message, fatal: false });
    this.dropSocket(1000, 'protocol error');
    this.scheduleReconnect();
  }

  private fail(code: SignalingErrorCode | 'crypto', message: string): void {
    if (this.currentState === 'closed') return;
    this.stopTimers();
    this.dropSocket(1000, code);
    this.setState('failed');
    this.emit('error', { code, message, fatal: true });
  }

  /** Detaches and closes the current socket; its late events are ignored. (Browsers accept only code 1000 here.) */
  private dropSocket(code: number, reason: string): void {
    const socket = this.socket;
    this.socket = undefined;
    this.stopHeartbeat();
    if (socket === undefined) return;
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    // Not null: Node's ws reports closing a socket that is still connecting as an 'error' event, and
    // an EventEmitter's 'error' with no listener is thrown (an uncaught exception). Browsers ignore it.
    socket.onerror = ignoreLateError;
    try {
      socket.close(code, reason);
    } catch {
      // Already closing.
    }
  }

  private scheduleReconnect(): void {
    if (this.currentState === 'closed' || this.currentState === 'failed' || this.reconnectTimer !== undefined) return;
    this.stopHeartbeat();
    this.setState('waiting');
    const delayMs = backoffDelayMs(
      this.failedAttempts,
      {
        initialDelayMs: this.options.reconnectInitialDelayMs ?? DEFAULT_BACKOFF.initialDelayMs,
        maxDelayMs: this.options.reconnectMaxDelayMs ?? DEFAULT_BACKOFF.maxDelayMs,
      },
      this.options.random ?? Math.random,
    );
    this.failedAttempts += 1;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.currentState === 'waiting') this.connect();
    }, delayMs);
  }

  private startHeartbeat(): void {
    const periodMs = this.options.heartbeatIntervalMs ?? 20_000;
    this.stopHeartbeat();
    if (periodMs <= 0) return;
    this.heardSinceLastPing = true;
    this.heartbeatTimer = setInterval(() => {
      if (!this.heardSinceLastPing) {
        this.emit('error', { code: 'protocol', message: 'signaling server stopped answering', fatal: false });
        this.dropSocket(1000, 'heartbeat lost');
        this.scheduleReconnect();
        return;
      }
      this.heardSinceLastPing = false;
      this.sendFrame({ type: 'ping' });
    }, periodMs);
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer !== undefined) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  private stopTimers(): void {
    this.stopHeartbeat();
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
  }
}

/** The error listener of a dropped socket: its late events are ignored. */
function ignoreLateError(): void {}
