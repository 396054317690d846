import { bootstrapState } from '../../src/consensus/bootstrap.js';
import type { ConnectionId, CoreEffects } from '../../src/server/core-effects.js';
import type { ReplicaCoreOptions } from '../../src/server/core-options.js';
import type { PeerMessage } from '../../src/server/peer-message.js';
import { ReplicaCore } from '../../src/server/replica-core.js';
import type { RecoveredState } from '../../src/storage/durable-storage.js';
import { MemoryDisk } from '../../src/storage/memory-disk.js';
import { MemoryStorage } from '../../src/storage/memory-storage.js';
import { decodePeerMessage, encodePeerMessage } from '../../src/wire/peer-codec.js';
import { TestClient, type TestConnectOptions } from './test-client.js';

interface Slot {
  readonly id: string;
  core: ReplicaCore;
  readonly disk: MemoryDisk;
  storage: MemoryStorage;
  /** Writes complete as soon as they are submitted (else the test completes them). */
  autoDurable: boolean;
  crashed: boolean;
  /** Frozen: no ticks, peer messages held until resumed. */
  paused: boolean;
  readonly held: { from: string; message: PeerMessage }[];
  /** Storage ticket -> the core's write number. */
  readonly tickets: Map<number, number>;
}

export interface CoreClusterOptions {
  readonly voters: number;
  readonly observers?: number;
  readonly options?: Partial<ReplicaCoreOptions>;
  readonly seed?: number;
  /** Send peer messages through the real codec (default true). */
  readonly codec?: boolean;
}

const DEFAULT_TEST_OPTIONS: Partial<ReplicaCoreOptions> = {
  tickMs: 10,
  electionTicks: 10,
  heartbeatTicks: 1,
  minSessionTimeoutMs: 100,
  maxSessionTimeoutMs: 60_000,
};

/**
 * A deterministic in-test driver for several ReplicaCores: peer messages queue in one FIFO and are
 * delivered when the test says (dropped across a partition), time is manual, storage is the real
 * MemoryStorage over a MemoryDisk (writes complete at once unless a test holds them), and clients
 * are TestClients. No timers, no promises.
 */
export class CoreCluster {
  readonly ids: string[];
  nowMs = 1_000_000;
  private readonly slots = new Map<string, Slot>();
  private queue: { from: string; to: string; message: PeerMessage }[] = [];
  private readonly blocked = new Set<string>();
  private readonly clients = new Map<string, TestClient>();
  private nextConnectionId = 1;
  private readonly seed: number;

  constructor(private readonly config: CoreClusterOptions) {
    this.seed = config.seed ?? 1;
    const voters = Array.from({ length: config.voters }, (_, i) => `r${i + 1}`);
    const learners = Array.from({ length: config.observers ?? 0 }, (_, i) => `o${i + 1}`);
    this.ids = [...voters, ...learners];
    const boot = bootstrapState({ voters, learners });
    for (const id of this.ids) {
      const disk = new MemoryDisk();
      const storage = new MemoryStorage(disk);
      storage.openSync();
      storage.submit(boot.batch);
      storage.completeAll();
      const tickets = new Map<number, number>();
      const core = this.makeCore(id, storage, boot.recovered, tickets);
      const slot: Slot = { id, core, disk, storage, autoDurable: true, crashed: false, paused: false, held: [], tickets };
      this.slots.set(id, slot);
    }
    for (const a of this.ids) for (const b of this.ids) if (a !== b) this.core(a).linkUp(b);
  }

  core(id: string): ReplicaCore {
    const slot = this.slots.get(id);
    if (slot === undefined) throw new Error(`no replica ${id}`);
    return slot.core;
  }

  slot(id: string): Slot {
    return this.slots.get(id) as Slot;
  }

  /** The replica every live replica agrees leads, or null. */
  leader(): string | null {
    for (const id of this.ids) {
      const slot = this.slot(id);
      if (!slot.crashed && !slot.paused && slot.core.status().role === 'leader') return id;
    }
    return null;
  }

  /** Elects `id` and lets it become ready. */
  elect(id = 'r1'): void {
    this.core(id).campaign();
    this.settle();
    this.tick(this.config.options?.tickMs ?? 10);
    this.settle();
  }

  /** Delivers messages and drains effects until nothing moves (bounded). */
  settle(maxRounds = 500): void {
    for (let round = 0; round < maxRounds; round++) if (!this.step()) return;
    throw new Error('the cluster did not settle');
  }

  /** One round: every core's effects routed, then every queued peer message delivered. */
  step(): boolean {
    const moved = this.drainEffects();
    const delivered = this.deliverAll();
    return moved || delivered;
  }

  /** Advances time by `ms` in tick steps, settling after each. */
  tick(ms: number, stepMs = this.config.options?.tickMs ?? DEFAULT_TEST_OPTIONS.tickMs ?? 10): void {
    const end = this.nowMs + ms;
    while (this.nowMs < end) {
      this.nowMs = Math.min(end, this.nowMs + stepMs);
      for (const id of this.ids) {
        const slot = this.slot(id);
        if (!slot.crashed && !slot.paused) slot.core.tick(this.nowMs);
      }
      this.settle();
    }
  }

  /** Cuts links between the groups (each replica's linkDown fires) and drops messages across them. */
  partition(groups: readonly (readonly string[])[]): void {
    const groupOf = new Map<string, number>();
    groups.forEach((group, index) => group.forEach((id) => groupOf.set(id, index)));
    for (const a of this.ids) {
      for (const b of this.ids) {
        if (a === b || groupOf.get(a) === groupOf.get(b)) continue;
        if (this.blocked.has(`${a}>${b}`)) continue;
        this.blocked.add(`${a}>${b}`);
        if (!this.slot(a).crashed) this.core(a).linkDown(b);
      }
    }
    this.queue = this.queue.filter((item) => !this.blocked.has(`${item.from}>${item.to}`));
  }

  /** Cuts the link between two replicas only (both see linkDown). */
  cutLink(a: string, b: string): void {
    for (const [x, y] of [[a, b], [b, a]] as const) {
      if (this.blocked.has(`${x}>${y}`)) continue;
      this.blocked.add(`${x}>${y}`);
      if (!this.slot(x).crashed) this.core(x).linkDown(y);
    }
    this.queue = this.queue.filter((item) => !this.blocked.has(`${item.from}>${item.to}`));
  }

  heal(): void {
    const pairs = [...this.blocked];
    this.blocked.clear();
    for (const pair of pairs) {
      const [a, b] = pair.split('>') as [string, string];
      if (!this.slot(a).crashed && !this.slot(b).crashed) this.core(a).linkUp(b);
    }
  }

  /** The replica's tab closes: as a crash, but its peers' links close saying it left ('bye'). */
  leave(id: string): void {
    this.crash(id, true);
  }

  /** The replica dies: writes not yet durable are lost; peers see its links go down. */
  crash(id: string, saidBye = false): void {
    const slot = this.slot(id);
    slot.crashed = true;
    slot.storage.crash();
    this.queue = this.queue.filter((item) => item.to !== id && item.from !== id);
    for (const [key, client] of this.clients) {
      if (client.replica === id && !client.closed) client.closedReason = 'replica crashed';
      if (client.replica === id) this.clients.delete(key);
    }
    for (const other of this.ids) if (other !== id && !this.slot(other).crashed) this.core(other).linkDown(id, saidBye);
  }

  /** The replica starts again from what its disk holds. */
  restart(id: string): void {
    const slot = this.slot(id);
    slot.storage = new MemoryStorage(slot.disk);
    const recovered = slot.storage.openSync();
    slot.tickets.clear();
    slot.core = this.makeCore(id, slot.storage, recovered, slot.tickets);
    slot.crashed = false;
    for (const other of this.ids) {
      if (other === id || this.slot(other).crashed) continue;
      if (this.blocked.has(`${id}>${other}`)) continue;
      slot.core.linkUp(other);
      this.core(other).linkUp(id);
    }
  }

  pause(id: string): void {
    this.slot(id).paused = true;
  }

  resume(id: string): void {
    const slot = this.slot(id);
    slot.paused = false;
    for (const { from, message } of slot.held.splice(0)) slot.core.peerMessage(from, message);
  }

  /** Opens a connection to `replica` and sends the ConnectRequest. */
  connect(replica: string, options: TestConnectOptions = {}, nextXid = 1, make = (id: number) => new TestClient(replica, id, () => this.core(replica), nextXid)): TestClient {
    const connectionId = this.nextConnectionId++;
    const client = make(connectionId);
    this.clients.set(`${replica}:${connectionId}`, client);
    const core = this.core(replica);
    core.clientOpen(connectionId, { fateShared: options.fateShared ?? false });
    core.clientConnect(connectionId, {
      lastZxidSeen: options.lastZxidSeen ?? 0n,
      timeoutMs: options.timeoutMs ?? 10_000,
      sessionId: options.sessionId ?? 0n,
      password: options.password ?? new Uint8Array(16),
      readOnly: false,
    });
    return client;
  }

  /** Connects a new session and settles until the replica answered. */
  session(replica: string, options: TestConnectOptions = {}, make?: (id: number) => TestClient): TestClient {
    const client = make === undefined ? this.connect(replica, options) : this.connect(replica, options, 1, make);
    this.settle();
    if (client.connectResponse === undefined) throw new Error(`no ConnectResponse from ${replica}`);
    return client;
  }

  /** The client closes its connection. */
  disconnect(client: TestClient): void {
    this.core(client.replica).clientClose(client.connectionId);
    client.closedReason = 'closed by the client';
    this.clients.delete(`${client.replica}:${client.connectionId}`);
  }

  /** Completes the oldest held write of a replica whose writes are not auto-durable. */
  completeWrites(id: string): void {
    this.slot(id).storage.completeAll();
  }

  private makeCore(id: string, storage: MemoryStorage, recovered: RecoveredState, tickets: Map<number, number>): ReplicaCore {
    const core = new ReplicaCore({
      id,
      recovered,
      seed: this.seed * 1000 + this.ids.indexOf(id),
      nowMs: this.nowMs,
      options: { ...DEFAULT_TEST_OPTIONS, ...this.config.options },
    });
    storage.onDurable((ticket) => {
      const writeNumber = tickets.get(ticket);
      tickets.delete(ticket);
      if (writeNumber !== undefined) core.durable(writeNumber);
    });
    return core;
  }

  private drainEffects(): boolean {
    let moved = false;
    for (const id of this.ids) {
      const slot = this.slot(id);
      if (slot.crashed) continue;
      const effects = slot.core.takeEffects();
      if (this.route(slot, effects)) moved = true;
    }
    return moved;
  }

  private route(slot: Slot, effects: CoreEffects): boolean {
    for (const { to, message } of effects.peerMessages) {
      if (this.blocked.has(`${slot.id}>${to}`)) continue;
      // Through the real codec: what the core sends must survive the wire.
      this.queue.push({ from: slot.id, to, message: this.config.codec === false ? message : decodePeerMessage(encodePeerMessage(message)) });
    }
    for (const { connectionId, frame } of effects.clientMessages) this.clients.get(`${slot.id}:${connectionId}`)?.receive(frame);
    for (const { connectionId, reason } of effects.clientCloses) {
      const client = this.clients.get(`${slot.id}:${connectionId}`);
      if (client !== undefined) client.closedReason = reason;
      this.clients.delete(`${slot.id}:${connectionId}`);
    }
    for (const { writeNumber, batch } of effects.writes) {
      slot.tickets.set(slot.storage.submit(batch), writeNumber);
      if (slot.autoDurable) slot.storage.completeAll();
    }
    return effects.peerMessages.length + effects.clientMessages.length + effects.clientCloses.length + effects.writes.length > 0;
  }

  private deliverAll(): boolean {
    if (this.queue.length === 0) return false;
    const batch = this.queue;
    this.queue = [];
    for (const { from, to, message } of batch) {
      const slot = this.slot(to);
      if (slot.crashed || this.blocked.has(`${from}>${to}`)) continue;
      if (slot.paused) slot.held.push({ from, message });
      else slot.core.peerMessage(from, message);
    }
    return true;
  }
}

export type { ConnectionId };
