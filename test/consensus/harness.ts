/**
 * A tiny deterministic network of RaftNodes for scenario tests, in the spirit of etcd-raft's
 * interaction tests: messages are queued and delivered by hand (`deliver`, `stabilize`), time moves
 * only by `tick`, links can be cut, replicas crash and restart from what they persisted. Every
 * delivered message is written to `trace`, so a failing scenario can be read step by step.
 */
import { bootstrapState } from '../../src/consensus/bootstrap.js';
import { RaftNode } from '../../src/consensus/raft-node.js';
import type { RaftConfigInput } from '../../src/consensus/config.js';
import { describeMessage, type Message } from '../../src/consensus/message.js';
import { readyToWriteBatch, type Ready } from '../../src/consensus/ready.js';
import type { ReadState } from '../../src/consensus/read-only.js';
import { EntryType, type ConfState, type Entry, type HardState, type ReplicaId, type Snapshot } from '../../src/consensus/types.js';
import type { RecoveredState, WriteBatch } from '../../src/storage/durable-storage.js';
import { createPrng, type Prng } from '../../src/util/prng.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
export const bytes = (text: string): Uint8Array => encoder.encode(text);
export const text = (data: Uint8Array): string => decoder.decode(data);

/** What a replica persisted, with the WriteBatch rules of src/storage. */
export class MemoryDurable {
  hardState: HardState = { term: 0, vote: null, commit: 0 };
  snapshot: Snapshot | null = null;
  entries: Entry[] = [];

  constructor(readonly confState: ConfState) {}

  write(batch: WriteBatch): void {
    if (batch.snapshot !== undefined) {
      // Later entries survive only if the log held the snapshot's last entry (a snapshot the
      // application took); a snapshot from the leader replaces a log that did not match.
      const { index, term } = batch.snapshot.metadata;
      const matches = this.entries.some((e) => e.index === index && e.term === term);
      this.entries = matches ? this.entries.filter((e) => e.index > index) : [];
      this.snapshot = batch.snapshot;
    }
    if (batch.entries.length > 0) {
      const first = batch.entries[0]?.index ?? 0;
      this.entries = this.entries.filter((e) => e.index < first).concat(batch.entries);
    }
    if (batch.hardState !== undefined) this.hardState = batch.hardState;
  }

  recovered(): RecoveredState {
    return { hardState: this.hardState, confState: this.confState, snapshot: this.snapshot, entries: this.entries.slice() };
  }
}

export interface SimReplica {
  node: RaftNode;
  durable: MemoryDurable;
  /** The state machine: the data of every applied Normal entry, in order (restored from snapshots). */
  applied: string[];
  appliedEntries: Entry[];
  readStates: ReadState[];
  /** Every Ready this replica produced, for assertions about what was persisted when. */
  readies: Ready[];
  prng: Prng;
}

export class Network {
  readonly replicas = new Map<ReplicaId, SimReplica>();
  queue: Message[] = [];
  readonly trace: string[] = [];
  private readonly cut = new Set<string>();
  private readonly prng: Prng;

  private readonly founding: ConfState;

  /**
   * `bootstrap`: 'conf-state' (default) gives every replica, founding or joining, the founding
   * configuration as its recovered ConfState; 'log' starts founders with `bootstrapState` (the
   * configuration as committed log entries, first election in term 2) and joiners empty.
   */
  constructor(
    readonly options: {
      voters: ReplicaId[];
      learners?: ReplicaId[];
      config?: Partial<RaftConfigInput>;
      seed?: number;
      bootstrap?: 'conf-state' | 'log';
    },
  ) {
    this.prng = createPrng(options.seed ?? 1);
    this.founding = { voters: options.voters, learners: options.learners ?? [] };
    for (const id of [...this.founding.voters, ...this.founding.learners]) {
      const replica = this.add(id);
      if (options.bootstrap === 'log') {
        replica.durable.write(bootstrapState(this.founding).batch);
        replica.node = this.makeNode(id, replica.durable, replica.prng);
      }
    }
  }

  /** Starts a replica that has never run (a founder, or one about to be added). */
  add(id: ReplicaId): SimReplica {
    const durable = new MemoryDurable(this.options.bootstrap === 'log' ? { voters: [], learners: [] } : this.founding);
    const prng = this.prng.fork();
    const replica: SimReplica = { node: this.makeNode(id, durable, prng), durable, applied: [], appliedEntries: [], readStates: [], readies: [], prng };
    this.replicas.set(id, replica);
    return replica;
  }

  private makeNode(id: ReplicaId, durable: MemoryDurable, prng: Prng): RaftNode {
    return new RaftNode({ ...this.options.config, id }, durable.recovered(), prng);
  }

  get(id: ReplicaId): SimReplica {
    const replica = this.replicas.get(id);
    if (replica === undefined) throw new Error(`no replica ${id}`);
    return replica;
  }

  node(id: ReplicaId): RaftNode {
    return this.get(id).node;
  }

  /** Handles one Ready of `id` like a driver would: persist, send, apply, advance. */
  process(id: ReplicaId): boolean {
    const replica = this.get(id);
    if (!replica.node.hasReady()) return false;
    const ready = replica.node.ready();
    replica.readies.push(ready);
    const batch = readyToWriteBatch(ready);
    if (batch !== null) replica.durable.write(batch);
    this.queue.push(...ready.messages, ...ready.messagesAfterDurable);
    if (ready.snapshot !== undefined) {
      replica.applied = JSON.parse(text(ready.snapshot.data)) as string[];
      replica.appliedEntries = [];
    }
    for (const entry of ready.committedEntries) {
      replica.appliedEntries.push(entry);
      if (entry.type === EntryType.Normal && entry.data.byteLength > 0) replica.applied.push(text(entry.data));
    }
    replica.readStates.push(...ready.readStates);
    replica.node.advance();
    return true;
  }

  processAll(): boolean {
    let any = false;
    for (const id of this.replicas.keys()) while (this.process(id)) any = true;
    return any;
  }

  /** Delivers the queued messages (those matching `filter`, default all) once; cut links drop them. */
  deliver(filter: (m: Message) => boolean = () => true): number {
    const now = this.queue;
    this.queue = [];
    let delivered = 0;
    for (const m of now) {
      if (!filter(m)) {
        this.queue.push(m);
        continue;
      }
      const target = this.replicas.get(m.to);
      if (target === undefined || this.cut.has(`${m.from}|${m.to}`)) {
        this.trace.push(`dropped ${describeMessage(m)}`);
        continue;
      }
      this.trace.push(describeMessage(m));
      target.node.step(m);
      delivered += 1;
    }
    return delivered;
  }

  /** Drops queued messages matching `filter`. */
  drop(filter: (m: Message) => boolean): void {
    for (const m of this.queue) if (filter(m)) this.trace.push(`dropped ${describeMessage(m)}`);
    this.queue = this.queue.filter((m) => !filter(m));
  }

  /** Processes and delivers until nothing moves (no ticks). */
  stabilize(maxRounds = 10_000): void {
    for (let round = 0; round < maxRounds; round++) {
      const processed = this.processAll();
      const delivered = this.deliver();
      if (!processed && delivered === 0 && this.queue.length === 0) return;
    }
    throw new Error('network did not stabilize');
  }

  tick(id: ReplicaId, times = 1): void {
    for (let i = 0; i < times; i++) this.node(id).tick();
  }

  /** Ticks every replica once, then stabilizes; repeated `times`. */
  tickAll(times = 1): void {
    for (let i = 0; i < times; i++) {
      for (const replica of this.replicas.values()) replica.node.tick();
      this.stabilize();
    }
  }

  campaign(id: ReplicaId): void {
    this.node(id).campaign();
  }

  /** Cuts both directions between `id` and every other replica. */
  isolate(id: ReplicaId): void {
    for (const other of this.replicas.keys()) if (other !== id) this.cutLink(id, other);
  }

  /** Cuts every link between the groups. */
  partition(...groups: ReplicaId[][]): void {
    for (const a of groups) for (const b of groups) if (a !== b) for (const x of a) for (const y of b) this.cut.add(`${x}|${y}`);
  }

  cutLink(a: ReplicaId, b: ReplicaId): void {
    this.cut.add(`${a}|${b}`);
    this.cut.add(`${b}|${a}`);
  }

  heal(): void {
    this.cut.clear();
  }

  /** Restarts `id` from what it persisted; whatever was only in memory is lost. */
  restart(id: ReplicaId): void {
    const replica = this.get(id);
    this.queue = this.queue.filter((m) => m.from !== id && m.to !== id);
    replica.node = this.makeNode(id, replica.durable, replica.prng);
    const snapshot = replica.durable.snapshot;
    replica.applied = snapshot === null ? [] : (JSON.parse(text(snapshot.data)) as string[]);
    replica.appliedEntries = [];
  }

  /** The application's snapshot of `id` at its applied index. */
  compact(id: ReplicaId): void {
    const replica = this.get(id);
    const status = replica.node.status();
    const result = replica.node.compact(status.applied, bytes(JSON.stringify(replica.applied)));
    if (!result.ok) throw new Error(result.message);
  }

  leaders(): ReplicaId[] {
    return [...this.replicas.entries()].filter(([, r]) => r.node.status().role === 'leader').map(([id]) => id);
  }

  /** Proposes one entry per string on `id`; throws when refused. */
  propose(id: ReplicaId, ...data: string[]): void {
    const result = this.node(id).propose(data.map(bytes));
    if (!result.ok) throw new Error(`${result.reason}: ${result.message}`);
  }
}
