/**
 * The signaling protocol, server side, over abstract sockets (server.ts wires it to `ws`):
 * frame checks and limits, the join challenge, founding, rosters, and relaying sealed signals.
 * Frames of one socket are handled one after another, in arrival order (proof checks are asynchronous).
 */
import { createNonce, isWellFormedVerifier, verifyJoinProof } from '../src/transport/room-crypto.js';
import {
  SignalingCloseCode,
  encodeMessage,
  parseClientMessage,
  type ClientMessage,
  type ServerMessage,
  type SignalingErrorCode,
} from '../src/transport/signaling-protocol.js';
import { Connection, type SocketPort } from './connection.js';
import type { SignalingLimits } from './limits.js';
import { SignalingMetrics, type SignalingMetricsSnapshot } from './metrics.js';
import type { RoomRegistry } from './room-registry.js';

export type FrameTap = (direction: 'in' | 'out', text: string) => void;

export interface SignalingHubOptions {
  readonly registry: RoomRegistry;
  readonly limits: SignalingLimits;
  readonly nowMs: () => number;
  readonly log: (line: string) => void;
  /** Sees every text frame received and sent (debugging, and the tests' proof that only ciphertext passes). */
  readonly frameTap?: FrameTap;
}

type Message<T extends ClientMessage['type']> = Extract<ClientMessage, { type: T }>;

export class SignalingHub {
  readonly metrics = new SignalingMetrics();
  private readonly connections = new Set<Connection>();
  /** room -> peer id -> socket. */
  private readonly rooms = new Map<string, Map<string, Connection>>();
  private peerCount = 0;
  private nextConnectionId = 1;
  private shuttingDown = false;

  constructor(private readonly options: SignalingHubOptions) {}

  get connectionCount(): number {
    return this.connections.size;
  }

  metricsSnapshot(): SignalingMetricsSnapshot {
    return this.metrics.snapshot({
      connections: this.connections.size,
      rooms: this.rooms.size,
      foundedRooms: this.options.registry.size,
      peers: this.peerCount,
    });
  }

  /** Takes a new socket in, or refuses it (error frame, close 1013) when the server is full. */
  connect(port: SocketPort, remoteAddress: string): Connection | undefined {
    const { limits } = this.options;
    if (this.shuttingDown || this.connections.size >= limits.maxConnections) {
      const code = this.shuttingDown ? 'shutting-down' : 'server-full';
      this.metrics.reject(code);
      this.sendRaw(port, { type: 'error', code, message: this.shuttingDown ? 'server is stopping' : 'too many connections, try again later' });
      port.close(SignalingCloseCode.tryAgainLater, code);
      return undefined;
    }
    const connection = new Connection(this.nextConnectionId++, port, remoteAddress, {
      ratePerSecond: limits.messagesPerSecond,
      burst: limits.messageBurst,
      nowMs: this.options.nowMs(),
    });
    this.connections.add(connection);
    return connection;
  }

  /** The socket closed: it leaves its rooms. Idempotent. */
  disconnect(connection: Connection): void {
    connection.closing = true;
    if (!this.connections.delete(connection)) return;
    for (const room of [...connection.rooms.keys()]) this.removeMember(connection, room);
    connection.challenges.clear();
  }

  receiveBinary(connection: Connection): void {
    if (connection.closing) return;
    this.metrics.messagesReceived += 1;
    this.closeWithError(connection, 'binary-frame', SignalingCloseCode.unsupportedData, 'binary frames are not part of the protocol');
  }

  receiveText(connection: Connection, text: string, byteLength: number): void {
    if (connection.closing) return;
    const { limits } = this.options;
    this.metrics.messagesReceived += 1;
    if (!connection.bucket.take(this.options.nowMs())) {
      connection.droppedMessages += 1;
      if (connection.droppedMessages > limits.maxDroppedMessagesPerSocket) {
        return this.closeWithError(connection, 'rate-limited', SignalingCloseCode.policyViolation, 'rate limit exceeded too often');
      }
      this.metrics.reject('rate-limited');
      if (!connection.rateLimitReported) {
        connection.rateLimitReported = true;
        this.sendError(connection, 'rate-limited', `more than ${limits.messagesPerSecond} messages per second: messages dropped`);
      }
      return;
    }
    connection.rateLimitReported = false;
    if (byteLength > limits.maxMessageBytes) {
      return this.sendError(connection, 'message-too-large', `frames are limited to ${limits.maxMessageBytes} bytes`);
    }
    if (connection.queuedFrames >= limits.maxQueuedFramesPerSocket) {
      return this.sendError(connection, 'busy', 'too many frames in progress: frame dropped');
    }
    this.options.frameTap?.('in', text);
    const parsed = parseClientMessage(text);
    if (!parsed.ok) {
      if (parsed.malformedJson) {
        return this.closeWithError(connection, 'bad-message', SignalingCloseCode.invalidPayload, parsed.detail);
      }
      return this.sendError(connection, 'bad-message', parsed.detail);
    }
    const message = parsed.message;
    if (connection.queuedFrames === 0 && message.type !== 'prove' && message.type !== 'found') {
      // Nothing in flight and nothing to await: handle it now (signals, pings, joins, leaves).
      this.handleNow(connection, message);
      return;
    }
    connection.queuedFrames += 1;
    connection.queue = connection.queue
      .then(() => (connection.closing ? undefined : this.handle(connection, parsed.message)))
      .catch((error: unknown) => this.options.log(`signaling: frame of connection ${connection.id} failed: ${String(error)}`))
      .finally(() => {
        connection.queuedFrames -= 1;
      });
  }

  /** One round of the ping sweep: sockets that did not answer the previous ping are cut. */
  pingSweep(): void {
    for (const connection of [...this.connections]) {
      if (!connection.alive) {
        connection.port.terminate();
        this.disconnect(connection);
        continue;
      }
      connection.alive = false;
      connection.port.ping();
    }
  }

  pong(connection: Connection): void {
    connection.alive = true;
  }

  /** Tells every socket the server stops, closes them (1001), and refuses new ones. */
  shutdown(): void {
    this.shuttingDown = true;
    for (const connection of [...this.connections]) {
      this.sendError(connection, 'shutting-down', 'server is stopping');
      connection.port.close(SignalingCloseCode.goingAway, 'server is stopping');
      this.disconnect(connection);
    }
  }

  private handleNow(connection: Connection, message: Exclude<ClientMessage, { type: 'prove' | 'found' }>): void {
    try {
      this.handle(connection, message);
    } catch (error) {
      this.options.log(`signaling: frame of connection ${connection.id} failed: ${String(error)}`);
    }
  }

  private handle(connection: Connection, message: ClientMessage): Promise<void> | void {
    switch (message.type) {
      case 'ping':
        return this.send(connection, { type: 'pong' });
      case 'join':
        return this.handleJoin(connection, message);
      case 'prove':
        return this.handleProve(connection, message);
      case 'found':
        return this.handleFound(connection, message);
      case 'signal':
        return this.handleSignal(connection, message);
      case 'leave':
        return this.handleLeave(connection, message);
    }
  }

  private handleJoin(connection: Connection, { room, peerId }: Message<'join'>): void {
    const { limits } = this.options;
    connection.joinsRequested += 1;
    if (connection.joinsRequested > limits.maxJoinsPerSocket) {
      return this.sendError(connection, 'join-limit', `a socket may send ${limits.maxJoinsPerSocket} joins: reconnect`, room);
    }
    if (connection.rooms.has(room)) return this.sendError(connection, 'already-joined', 'this socket is in that room', room);
    const otherChallenges = connection.challenges.size - (connection.challenges.has(room) ? 1 : 0);
    if (connection.rooms.size + otherChallenges >= limits.maxRoomsPerSocket) {
      return this.sendError(connection, 'socket-room-limit', `a socket may be in ${limits.maxRoomsPerSocket} rooms`, room);
    }
    const nonce = createNonce();
    connection.challenges.set(room, { nonce, peerId });
    this.send(connection, { type: 'challenge', room, nonce, founded: this.options.registry.has(room) });
  }

  private async handleProve(connection: Connection, { room, proof }: Message<'prove'>): Promise<void> {
    const challenge = connection.challenges.get(room);
    if (challenge === undefined) return this.sendError(connection, 'no-challenge', 'send join first', room);
    connection.challenges.delete(room);
    const record = await this.options.registry.durableRecord(room);
    if (record === undefined) return this.sendError(connection, 'not-founded', 'the room has no founding record: join again', room);
    if (!(await verifyJoinProof(record.verifier, challenge.nonce, room, challenge.peerId, proof))) {
      return this.sendError(connection, 'auth-failed', 'the proof does not match the room secret', room);
    }
    this.admit(connection, room, challenge.peerId, false, record.ensembleId);
  }

  private async handleFound(connection: Connection, message: Message<'found'>): Promise<void> {
    const { room, ensembleId, verifier, proof } = message;
    const challenge = connection.challenges.get(room);
    if (challenge === undefined) return this.sendError(connection, 'no-challenge', 'send join first', room);
    connection.challenges.delete(room);
    if (!isWellFormedVerifier(verifier)) return this.sendError(connection, 'bad-message', 'verifier must encode 32 bytes', room);
    if (!(await verifyJoinProof(verifier, challenge.nonce, room, challenge.peerId, proof))) {
      return this.sendError(connection, 'auth-failed', 'the proof does not match the verifier', room);
    }
    if (connection.closing) return undefined;
    const result = await this.options.registry.found(room, ensembleId, verifier);
    switch (result.kind) {
      case 'founded':
        this.metrics.foundings += 1;
        this.options.log(`signaling: room founded for ensemble ${ensembleId} (${this.options.registry.size} rooms)`);
        return this.admit(connection, room, challenge.peerId, true, ensembleId);
      case 'exists':
        // Another joiner founded it first: this join must match that founder's secret.
        if (!(await verifyJoinProof(result.record.verifier, challenge.nonce, room, challenge.peerId, proof))) {
          return this.sendError(connection, 'auth-failed', 'the proof does not match the room secret', room);
        }
        return this.admit(connection, room, challenge.peerId, false, result.record.ensembleId);
      case 'full':
        return this.sendError(connection, 'room-limit', 'the server holds as many rooms as it may', room);
      case 'failed':
        return this.sendError(connection, 'founding-failed', `${result.message}: join again later`, room);
    }
  }

  private admit(connection: Connection, room: string, peerId: string, founder: boolean, ensembleId: string): void {
    const { limits } = this.options;
    if (connection.closing) return;
    if (connection.rooms.has(room)) return this.sendError(connection, 'already-joined', 'this socket is in that room', room);
    if (connection.rooms.size >= limits.maxRoomsPerSocket) {
      return this.sendError(connection, 'socket-room-limit', `a socket may be in ${limits.maxRoomsPerSocket} rooms`, room);
    }
    let members = this.rooms.get(room);
    const previous = members?.get(peerId);
    if (previous === undefined && members !== undefined && members.size >= limits.maxPeersPerRoom) {
      return this.sendError(connection, 'room-full', `a room holds ${limits.maxPeersPerRoom} peers`, room);
    }
    if (previous !== undefined) {
      // The same peer id again, from another socket (a reconnect that beat the old socket's close).
      this.sendError(previous, 'peer-replaced', 'another socket joined the room with this peer id', room);
      this.removeMember(previous, room);
      members = this.rooms.get(room);
    }
    if (members === undefined) {
      members = new Map();
      this.rooms.set(room, members);
    }
    const peers = [...members.keys()].sort();
    members.set(peerId, connection);
    connection.rooms.set(room, peerId);
    this.peerCount += 1;
    this.metrics.joins += 1;
    this.send(connection, { type: 'joined', room, peerId, founder, ensembleId, peers });
    for (const [otherId, other] of members) {
      if (otherId !== peerId) this.send(other, { type: 'peer-joined', room, peerId });
    }
  }

  private handleSignal(connection: Connection, { room, to, payload }: Message<'signal'>): void {
    const from = connection.rooms.get(room);
    if (from === undefined) return this.sendError(connection, 'not-joined', 'join the room before signaling', room);
    const target = this.rooms.get(room)?.get(to);
    if (target === undefined) return this.sendError(connection, 'unknown-peer', `no peer ${to} in the room`, room);
    this.metrics.messagesRelayed += 1;
    this.metrics.bytesRelayed += payload.length;
    this.send(target, { type: 'signal', room, from, payload });
  }

  private handleLeave(connection: Connection, { room }: Message<'leave'>): void {
    connection.challenges.delete(room);
    if (!connection.rooms.has(room)) return this.sendError(connection, 'not-joined', 'this socket is not in that room', room);
    this.removeMember(connection, room);
    this.send(connection, { type: 'left', room });
  }

  private removeMember(connection: Connection, room: string): void {
    const peerId = connection.rooms.get(room);
    if (peerId === undefined) return;
    connection.rooms.delete(room);
    const members = this.rooms.get(room);
    if (members?.get(peerId) !== connection) return;
    members.delete(peerId);
    this.peerCount -= 1;
    if (members.size === 0) this.rooms.delete(room);
    for (const other of members.values()) this.send(other, { type: 'peer-left', room, peerId });
  }

  private send(connection: Connection, message: ServerMessage): void {
    if (connection.closing) return;
    if (connection.port.bufferedAmount > this.options.limits.maxBufferedBytes) {
      // It does not read what it is sent: a dead or hostile peer. Cut it rather than buffer without bound.
      this.metrics.reject('backpressure');
      connection.port.terminate();
      this.disconnect(connection);
      return;
    }
    this.sendRaw(connection.port, message);
  }

  private sendRaw(port: SocketPort, message: ServerMessage): void {
    const text = encodeMessage(message);
    this.options.frameTap?.('out', text);
    try {
      port.send(text);
    } catch {
      // The socket is going away; its close event cleans up.
    }
  }

  private sendError(connection: Connection, code: SignalingErrorCode, message: string, room?: string): void {
    this.metrics.reject(code);
    this.send(connection, room === undefined ? { type: 'error', code, message } : { type: 'error', code, message, room });
  }

  private closeWithError(connection: Connection, code: SignalingErrorCode, closeCode: number, message: string): void {
    this.sendError(connection, code, message);
    connection.port.close(closeCode, code);
    this.disconnect(connection);
  }
}
