import type { ClientConnection, ConnectionTable } from './client-connection.js';
import type { ConnectManager } from './connect-manager.js';
import type { CoreState } from './core-state.js';
import type { Forwarder } from './forwarder.js';
import type { SyncTracker } from './sync-tracker.js';

/** What the lifecycle calls back into once a session is attached. */
export interface LifecycleHooks {
  /** The session was heard from (a connect counts). */
  noteActivity(sessionId: bigint): void;
  /** The connection may run what it queued while connecting. */
  pump(connection: ClientConnection): void;
}

/**
 * A connection's session attached and its end: at most one connection per session here (a newer
 * one replaces the older), and a connection that ends takes its session's watches with it (the
 * client re-registers them with setWatches), its forwarded writes' slots and its pending syncs.
 */
export class ConnectionLifecycle {
  constructor(
    private readonly state: CoreState,
    private readonly connections: ConnectionTable,
    private readonly connects: () => ConnectManager,
    private readonly forwarder: Forwarder,
    private readonly syncs: SyncTracker,
    private readonly hooks: LifecycleHooks,
  ) {}

  /** Attaches the session and answers the ConnectResponse. */
  attach(connection: ClientConnection, sessionId: bigint, timeoutMs: number, password: Uint8Array): void {
    const existing = this.connections.bySession(sessionId);
    if (existing !== undefined && existing !== connection) this.close(existing, 'the session reconnected on another connection');
    this.connections.attach(connection, sessionId);
    connection.timeoutMs = timeoutMs;
    connection.password = null;
    this.state.effects.client(connection.id, { kind: 'connectResponse', message: { timeoutMs, sessionId, password, readOnly: false } });
    connection.sent++;
    this.hooks.noteActivity(sessionId);
    this.hooks.pump(connection);
  }

  /** Closes the connection (the glue closes its transport with `reason`). */
  close(connection: ClientConnection, reason: string): void {
    if (this.connections.get(connection.id) !== connection) return;
    this.drop(connection);
    this.state.effects.close(connection.id, reason);
  }

  /** Forgets a connection whose transport already closed. */
  drop(connection: ClientConnection): void {
    const sessionId = connection.sessionId;
    const attached = sessionId !== 0n && this.connections.bySession(sessionId) === connection;
    this.connections.remove(connection);
    this.connects().removed(connection);
    this.syncs.dropConnection(connection.id);
    this.forwarder.answered(connection.queue.forwarded);
    connection.queue.drain();
    if (attached) this.state.watches.removeAllWatches(sessionId);
  }

  /** Closes every connection (a snapshot replaced the state under them). */
  closeAll(reason: string): void {
    for (const connection of [...this.connections.all()]) this.close(connection, reason);
  }
}
