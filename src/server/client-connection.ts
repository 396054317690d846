import type { ConnectRequest } from '../wire/client-message.js';
import type { ConnectionId } from './core-effects.js';
import type { LocalSession } from './read-handler.js';
import { SessionQueue } from './session-queue.js';

/** Where a connection is in its life: waiting for its ConnectRequest, connecting, or serving. */
export type ConnectionPhase = 'new' | 'connecting' | 'open';

/** One client connection at this replica (ZooKeeper's ServerCnxn) and, once open, its session. */
export class ClientConnection {
  phase: ConnectionPhase = 'new';
  /** The ConnectRequest while connecting. */
  connect: ConnectRequest | null = null;
  /** When the connect arrived (for the connect wait bound). */
  connectMs = 0;
  /** The number its createSession / moveSession carries as cxid, 0 while none is forwarded. */
  connectNumber = 0;
  /** A new session's password, until the ConnectResponse carries it. */
  password: Uint8Array | null = null;
  /** The session, once open (its auth ids grow with addAuthInfo). */
  session: LocalSession | null = null;
  timeoutMs = 0;
  readonly queue = new SessionQueue();
  /** Counters for the admin view (ZooKeeper's cons). */
  received = 0;
  sent = 0;
  lastLatencyMs = 0;
  lastZxid = 0n;

  constructor(
    readonly id: ConnectionId,
    readonly fateShared: boolean,
    readonly openedMs: number,
  ) {}

  get sessionId(): bigint {
    return this.session === null ? 0n : this.session.sessionId;
  }
}

/** The connections of one replica, by id and by the session attached (at most one per session). */
export class ConnectionTable {
  private readonly byId = new Map<ConnectionId, ClientConnection>();
  private readonly bySessionId = new Map<bigint, ClientConnection>();

  get size(): number {
    return this.byId.size;
  }

  add(connection: ClientConnection): void {
    this.byId.set(connection.id, connection);
  }

  get(id: ConnectionId): ClientConnection | undefined {
    return this.byId.get(id);
  }

  bySession(sessionId: bigint): ClientConnection | undefined {
    return this.bySessionId.get(sessionId);
  }

  /** Attaches the session to the connection (the caller closed any other connection of it first). */
  attach(connection: ClientConnection, sessionId: bigint): void {
    connection.session = { sessionId, authIds: [] };
    connection.phase = 'open';
    this.bySessionId.set(sessionId, connection);
  }

  remove(connection: ClientConnection): void {
    this.byId.delete(connection.id);
    if (connection.session !== null && this.bySessionId.get(connection.session.sessionId) === connection) {
      this.bySessionId.delete(connection.session.sessionId);
    }
  }

  all(): IterableIterator<ClientConnection> {
    return this.byId.values();
  }

  /** Open connections (with a session), for the admin view. */
  *open(): IterableIterator<ClientConnection> {
    for (const connection of this.bySessionId.values()) yield connection;
  }
}
