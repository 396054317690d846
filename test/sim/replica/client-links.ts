import type { ConnectionId } from '../../../src/server/core-effects.js';
import type { Prng } from '../../../src/util/prng.js';
import type { ClientFrame, ReplicaFrame } from '../../../src/wire/client-message.js';
import { drawDelay, type DelayProfile } from '../delay-profile.js';
import type { NodeId } from '../network.js';
import type { LinkWorld } from './peer-links.js';

/** A client's end of a connection: what the replica sends it, and the close. */
export interface ClientEnd {
  onFrame(connectionId: ConnectionId, frame: ReplicaFrame): void;
  onClose(connectionId: ConnectionId, reason: string): void;
}

/** What reaches the replica's end of a connection, in order. */
export type ToReplica =
  | { readonly kind: 'open'; readonly fateShared: boolean }
  | { readonly kind: 'frame'; readonly frame: ClientFrame }
  | { readonly kind: 'close' };

/** The replica side of the links: where the frames of a connection go. */
export type ReplicaInbox = (replica: NodeId, connectionId: ConnectionId, item: ToReplica) => void;

type ToClient = { readonly kind: 'frame'; readonly frame: ReplicaFrame } | { readonly kind: 'close'; readonly reason: string };

interface Timed<T> {
  readonly item: T;
  readonly deliverAt: number;
}

interface Connection {
  readonly id: ConnectionId;
  readonly client: ClientEnd;
  readonly replica: NodeId;
  /** The replica whose tab (or side of a partition) the client lives in. */
  readonly home: NodeId;
  clientAttached: boolean;
  replicaAttached: boolean;
  /** A frame hit a cut: the stream is gone. The client times out; the replica learns much later. */
  broken: boolean;
  readonly toReplica: Timed<ToReplica>[];
  readonly toClient: Timed<ToClient>[];
  lastToReplicaAt: number;
  lastToClientAt: number;
}

export interface ClientLinkOptions {
  readonly delay: DelayProfile;
  /** Ticks until a replica notices a connection whose client vanished behind a cut (TCP keepalive). */
  readonly keepaliveMinTicks: number;
  readonly keepaliveMaxTicks: number;
}

/**
 * Client connections: ordered streams between a client (living at `home`) and a replica. A frame
 * sent while the network cuts home from the replica (either way) breaks the stream: nothing more
 * passes, the client hears nothing (it times out), the replica is told the connection closed after
 * a keepalive delay. A crash closes its connections (the clients hear a reset). Frames to a paused
 * replica wait.
 */
export class ClientLinks {
  private readonly connections = new Map<ConnectionId, Connection>();
  private nextId = 1;
  readonly stats = { opened: 0, broken: 0, resets: 0 };

  constructor(
    private options: ClientLinkOptions,
    private readonly prng: Prng,
    private readonly world: LinkWorld,
    private readonly inbox: ReplicaInbox,
  ) {}

  get openCount(): number {
    return this.connections.size;
  }

  /** Changes delays from now on (frames in flight keep their times). */
  reconfigure(options: ClientLinkOptions): void {
    this.options = options;
  }

  /** Opens a connection and sends its ConnectRequest frame. Answers the connection id. */
  open(client: ClientEnd, replica: NodeId, home: NodeId, fateShared: boolean, connect: ClientFrame): ConnectionId {
    const id = this.nextId++;
    this.stats.opened += 1;
    const connection: Connection = {
      id,
      client,
      replica,
      home,
      clientAttached: true,
      replicaAttached: true,
      broken: false,
      toReplica: [],
      toClient: [],
      lastToReplicaAt: 0,
      lastToClientAt: 0,
    };
    this.connections.set(id, connection);
    if (!this.world.isUp(replica)) {
      // Nobody listens: the client hears a refusal after a round trip.
      connection.replicaAttached = false;
      this.pushToClient(connection, { kind: 'close', reason: 'connection refused: the replica is down' });
      return id;
    }
    this.toReplica(connection, { kind: 'open', fateShared });
    this.toReplica(connection, { kind: 'frame', frame: connect });
    return id;
  }

  /** The client sends a frame on its connection. */
  send(id: ConnectionId, frame: ClientFrame): void {
    const connection = this.connections.get(id);
    if (connection === undefined || !connection.clientAttached) return;
    this.toReplica(connection, { kind: 'frame', frame });
  }

  /** The client closes its end: it hears nothing more; the replica is told in turn. */
  closeFromClient(id: ConnectionId): void {
    const connection = this.connections.get(id);
    if (connection === undefined || !connection.clientAttached) return;
    connection.clientAttached = false;
    connection.toClient.length = 0;
    this.toReplica(connection, { kind: 'close' });
    this.forgetIfDone(connection);
  }

  /** The replica sends a frame to the client of `id`. */
  fromReplica(replica: NodeId, id: ConnectionId, frame: ReplicaFrame): void {
    const connection = this.connections.get(id);
    if (connection === undefined || connection.replica !== replica || !connection.replicaAttached) return;
    if (!connection.clientAttached || connection.broken) return;
    if (!this.reachable(connection)) {
      this.break(connection);
      return;
    }
    this.pushToClient(connection, { kind: 'frame', frame });
  }

  /** The replica closed the connection (its clientCloses effect). */
  closedByReplica(replica: NodeId, id: ConnectionId, reason: string): void {
    const connection = this.connections.get(id);
    if (connection === undefined || connection.replica !== replica || !connection.replicaAttached) return;
    connection.replicaAttached = false;
    connection.toReplica.length = 0;
    if (connection.clientAttached && !connection.broken) this.pushToClient(connection, { kind: 'close', reason: `closed by ${replica}: ${reason}` });
    this.forgetIfDone(connection);
  }

  /** The replica's process died: its connections reset (frames already on their way still arrive). */
  replicaCrashed(replica: NodeId): void {
    for (const connection of [...this.connections.values()]) {
      if (connection.replica !== replica || !connection.replicaAttached) continue;
      connection.replicaAttached = false;
      connection.toReplica.length = 0;
      if (connection.clientAttached && !connection.broken) this.pushToClient(connection, { kind: 'close', reason: `connection reset: ${replica} crashed` });
      this.forgetIfDone(connection);
    }
  }

  /** A network glitch resets one open connection at random: both ends hear it closed. */
  resetRandom(): void {
    const open = [...this.connections.values()].filter((c) => c.clientAttached && c.replicaAttached && !c.broken);
    if (open.length === 0) return;
    const connection = open[this.prng.nextInt(open.length)]!;
    this.stats.resets += 1;
    connection.broken = true;
    connection.toReplica.length = 0;
    connection.toClient.length = 0;
    connection.lastToReplicaAt = 0;
    connection.lastToClientAt = 0;
    const later = (): number => this.world.now + drawDelay(this.prng, this.options.delay);
    connection.toReplica.push({ item: { kind: 'close' }, deliverAt: later() });
    connection.toClient.push({ item: { kind: 'close', reason: 'connection reset by the network' }, deliverAt: later() });
  }

  /** One tick: streams that meet a cut break, then everything due is delivered in order. */
  deliver(): void {
    const now = this.world.now;
    for (const connection of [...this.connections.values()]) {
      if (!connection.broken && (connection.toReplica.length > 0 || connection.toClient.length > 0) && !this.reachable(connection)) this.break(connection);
      if (this.world.isRunning(connection.replica)) {
        while (connection.replicaAttached && connection.toReplica.length > 0 && connection.toReplica[0]!.deliverAt <= now) {
          const { item } = connection.toReplica.shift()!;
          if (item.kind === 'close') connection.replicaAttached = false;
          this.inbox(connection.replica, connection.id, item);
        }
      }
      while (connection.clientAttached && connection.toClient.length > 0 && connection.toClient[0]!.deliverAt <= now) {
        const { item } = connection.toClient.shift()!;
        if (item.kind === 'close') {
          connection.clientAttached = false;
          connection.client.onClose(connection.id, item.reason);
        } else {
          connection.client.onFrame(connection.id, item.frame);
        }
      }
      this.forgetIfDone(connection);
    }
  }

  private toReplica(connection: Connection, item: ToReplica): void {
    if (!connection.replicaAttached || connection.broken) return;
    if (!this.reachable(connection)) {
      this.break(connection);
      return;
    }
    const deliverAt = Math.max(connection.lastToReplicaAt, this.world.now + drawDelay(this.prng, this.options.delay));
    connection.lastToReplicaAt = deliverAt;
    connection.toReplica.push({ item, deliverAt });
  }

  private pushToClient(connection: Connection, item: ToClient): void {
    const deliverAt = Math.max(connection.lastToClientAt, this.world.now + drawDelay(this.prng, this.options.delay));
    connection.lastToClientAt = deliverAt;
    connection.toClient.push({ item, deliverAt });
  }

  private reachable(connection: Connection): boolean {
    const { home, replica } = connection;
    return home === replica || (!this.world.isBlocked(home, replica) && !this.world.isBlocked(replica, home));
  }

  private break(connection: Connection): void {
    connection.broken = true;
    this.stats.broken += 1;
    connection.toReplica.length = 0;
    connection.toClient.length = 0;
    if (!connection.replicaAttached) return;
    // Long after, the replica's end notices the silent peer and closes.
    const delay = this.prng.nextIntBetween(this.options.keepaliveMinTicks, this.options.keepaliveMaxTicks);
    connection.toReplica.push({ item: { kind: 'close' }, deliverAt: this.world.now + delay });
  }

  private forgetIfDone(connection: Connection): void {
    if (!connection.clientAttached && !connection.replicaAttached) this.connections.delete(connection.id);
  }
}
