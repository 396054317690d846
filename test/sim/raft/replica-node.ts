import type { RaftConfigInput } from '../../../src/consensus/config.js';
import { describeMessage, type Message } from '../../../src/consensus/message.js';
import { RaftNode, type RaftStatus } from '../../../src/consensus/raft-node.js';
import type { PersistToken } from '../../../src/consensus/raft-log.js';
import { readyToWriteBatch, type RaftRole, type Ready } from '../../../src/consensus/ready.js';
import { EntryType, type ConfState, type Entry } from '../../../src/consensus/types.js';
import type { RecoveredState, WriteBatch } from '../../../src/storage/durable-storage.js';
import type { MemoryDisk } from '../../../src/storage/memory-disk.js';
import { MemoryStorage } from '../../../src/storage/memory-storage.js';
import { assert } from '../../../src/errors/keeper-error.js';
import type { Prng } from '../../../src/util/prng.js';
import type { Outbox, SimNode } from '../cluster.js';
import { drawDelay, type DelayProfile } from '../delay-profile.js';
import type { NodeId } from '../network.js';
import { ClientService } from './client-service.js';
import { InvariantViolation, type RaftInvariants } from './invariants.js';
import { decodeCommand, KvStateMachine } from './kv-state-machine.js';
import { LogMirror } from './log-mirror.js';
import type { RaftSimMessage } from './messages.js';
import { tornPrng, type TornWrites } from './torn-write.js';

/**
 * Deliberate driver bugs, to prove the invariants can fail:
 * - 'ack-before-durable': messagesAfterDurable (acks, votes) leave and advance() runs before the
 *   write is durable, so a crash forgets what was promised;
 * - 'apply-uncommitted': entries are applied as soon as they are appended, not once committed;
 * - 'reads-skip-read-index': reads are answered from the replica's own state, without ReadIndex.
 */
export type PlantedBug = 'none' | 'ack-before-durable' | 'apply-uncommitted' | 'reads-skip-read-index';

export interface ReplicaOptions {
  readonly id: NodeId;
  readonly raft: Omit<RaftConfigInput, 'id'>;
  readonly disk: MemoryDisk;
  readonly prng: Prng;
  /** Ticks (of this replica's clock) a write takes to become durable. */
  readonly storageLatency: DelayProfile;
  /** At a crash, the chance the pending write is lost whole; otherwise a torn prefix of it may survive. */
  readonly unsyncedWriteLossChance: number;
  /** Per tick, the chance this replica is told its leader left (RaftNode.leaderLeft), true or not. */
  readonly leaderByeChance: number;
  readonly tornWrites: TornWrites;
  /** The application snapshots (RaftNode.compact) once this many entries were applied since the last one. */
  readonly snapshotEveryEntries: number;
  readonly maxPendingReads: number;
  readonly invariants: RaftInvariants;
  readonly plantedBug: PlantedBug;
  /** Receives one line per notable event (elections, snapshots, crashes); discarded unless verbose. */
  readonly trace: (line: string) => void;
  /** Also trace every Raft message received (for diagnosing one seed). */
  readonly traceMessages: boolean;
  /**
   * Whether Readys are accepted without waiting for their writes (RaftNode.accept/persisted, as
   * src/server/replica-core.ts drives it), or each write is awaited before advance().
   */
  readonly pipelinedWrites: boolean;
}

interface PendingWrite {
  readonly ticket: number;
  readonly dueTick: number;
  readonly batch: WriteBatch;
  /** The Ready to finish once durable (null when the driver already finished it: a planted bug, or pipelined). */
  readonly ready: Ready | null;
  /** Pipelined: the accepted Ready's token, and the messages that wait for this write. */
  token: PersistToken | null;
  readonly afterDurable: Message[];
}

/** Everything a replica process holds in memory: lost at a crash. */
interface Process {
  readonly storage: MemoryStorage;
  readonly node: RaftNode;
  machine: KvStateMachine;
  readonly mirror: LogMirror;
  readonly service: ClientService;
  /** The configuration as of the last Ready. */
  conf: ConfState;
  readonly writes: PendingWrite[];
  applied: number;
  /** Commit, term and role as of the last Ready (what the invariants were told). */
  commit: number;
  term: number;
  role: RaftRole;
  ticks: number;
}

export interface ReplicaCounters {
  readies: number;
  writes: number;
  crashes: number;
  tornCrashes: number;
  snapshotsTaken: number;
  snapshotsReceived: number;
  /** The most writes this replica had in flight at once. */
  maxWritesInFlight: number;
}

/**
 * One replica (a browser tab) in the simulator: the production RaftNode over a MemoryStorage on a
 * MemoryDisk that survives crashes, driven through the Ready cycle exactly as src/consensus/ready.ts
 * prescribes. The simulator decides when writes become durable (a latency drawn per write, in this
 * replica's ticks: a frozen tab completes nothing), and a crash loses what was not durable.
 * A small KV state machine is applied from committed entries and snapshotted into the log.
 */
export class RaftReplicaNode implements SimNode<RaftSimMessage> {
  readonly id: NodeId;
  readonly counters: ReplicaCounters = { readies: 0, writes: 0, crashes: 0, tornCrashes: 0, snapshotsTaken: 0, snapshotsReceived: 0, maxWritesInFlight: 0 };
  private process: Process | null = null;
  /** The highest commit this replica made durable (survives crashes: it is about the disk). */
  private durableCommit = 0;
  /** The term of the hard state on disk. */
  private durableTerm = 0;
  /** What the disk holds, as a mirror: updated as writes complete, rebuilt from the disk after a crash. */
  private durable: LogMirror;

  constructor(private readonly options: ReplicaOptions) {
    this.id = options.id;
    this.durable = mirrorOf(options.id, options.disk.recover(), options.invariants);
    options.invariants.registerDurableLog(options.id, () => this.durable);
    this.start();
  }

  get isUp(): boolean {
    return this.process !== null;
  }

  /** The consensus status, or null while crashed. */
  status(): RaftStatus | null {
    return this.process?.node.status() ?? null;
  }

  get appliedIndex(): number {
    return this.process?.applied ?? 0;
  }

  /** Client requests accepted here and not yet answered. */
  get pendingRequests(): number {
    return this.process?.service.pendingCount ?? 0;
  }

  tick(out: Outbox<RaftSimMessage>): void {
    const p = this.alive();
    p.ticks += 1;
    while (p.writes.length > 0 && p.writes[0]!.dueTick <= p.ticks) this.completeWrite(p, out);
    p.node.tick();
    if (this.options.leaderByeChance > 0 && this.options.prng.chance(this.options.leaderByeChance)) {
      const lead = p.node.status().lead;
      if (lead !== null && lead !== this.id) {
        const campaigned = p.node.leaderLeft(lead);
        this.options.trace(`${this.id}: told its leader ${lead} left${campaigned ? ', campaigns' : ''}`);
      }
    }
    this.drive(p, out);
  }

  receive(from: NodeId, message: RaftSimMessage, out: Outbox<RaftSimMessage>): void {
    const p = this.alive();
    switch (message.kind) {
      case 'raft':
        if (this.options.traceMessages) this.options.trace(`recv ${describeMessage(message.message)}`);
        p.node.step(message.message);
        break;
      case 'request':
        if (this.options.traceMessages) this.options.trace(`recv ${from}->${this.id} request ${message.requestId} ${JSON.stringify(message.input)}`);
        p.service.request(p.node, p.machine, from, message.clientId, message.requestId, message.input, out);
        break;
      case 'admin':
        p.service.admin(p.node, from, message.requestId, message.action, out);
        break;
      default:
        return;
    }
    this.drive(p, out);
  }

  crash(): void {
    const p = this.alive();
    const { prng } = this.options;
    const mode = this.options.tornWrites;
    const first = p.writes[0];
    const torn = mode !== 'none' && first !== undefined && !prng.chance(this.options.unsyncedWriteLossChance);
    if (torn) this.counters.tornCrashes += 1;
    p.storage.crash(torn ? { torn: tornPrng(prng.fork(), mode, first.batch, this.durableTerm) } : {});
    this.durable = mirrorOf(this.id, this.options.disk.recover(), this.options.invariants);
    this.counters.crashes += 1;
    this.options.invariants.recordCrash(this.id);
    this.options.trace(`${this.id} crashed (${p.writes.length} write(s) not durable${torn ? ', torn' : ''})`);
    this.process = null;
  }

  restart(out: Outbox<RaftSimMessage>): void {
    assert(this.process === null, `${this.id} restarts while running`);
    this.start();
    this.drive(this.alive(), out);
  }

  private alive(): Process {
    assert(this.process !== null, `${this.id} is crashed`);
    return this.process;
  }

  /** Opens the disk and rebuilds everything from what it holds (first start, or after a crash). */
  private start(): void {
    const { id, invariants } = this.options;
    const storage = new MemoryStorage(this.options.disk);
    const recovered = storage.openSync();
    this.durableTerm = recovered.hardState.term;
    const mirror = mirrorOf(id, recovered, invariants);
    const snapshotIndex = recovered.snapshot?.metadata.index ?? 0;
    const commit = Math.max(recovered.hardState.commit, snapshotIndex);
    invariants.recordRecovery(id, commit, this.durableCommit, mirror);
    invariants.recordCommit(id, recovered.hardState.term, 0, commit, mirror);
    const node = new RaftNode({ ...this.options.raft, id }, recovered, this.options.prng.fork());
    const machine = recovered.snapshot === null ? new KvStateMachine() : KvStateMachine.decode(recovered.snapshot.data);
    invariants.recordApplied(id, snapshotIndex, machine.digest, commit, 'recovery');
    this.process = {
      storage,
      node,
      machine,
      mirror,
      service: new ClientService(this.options.maxPendingReads, this.options.plantedBug === 'reads-skip-read-index'),
      conf: node.status().confState,
      writes: [],
      applied: snapshotIndex,
      commit,
      term: recovered.hardState.term,
      role: 'follower',
      ticks: 0,
    };
  }

  /** Runs Ready cycles until the node has nothing more, or waits on a write. */
  private drive(p: Process, out: Outbox<RaftSimMessage>): void {
    while (this.process === p && p.node.hasReady()) this.handleReady(p, out);
  }

  private handleReady(p: Process, out: Outbox<RaftSimMessage>): void {
    const ready = p.node.ready();
    this.counters.readies += 1;
    this.observe(p, ready);
    this.send(ready.messages, out);
    const batch = readyToWriteBatch(ready);
    const early = this.options.plantedBug === 'ack-before-durable';
    if (this.options.pipelinedWrites && !early && ready.snapshot === undefined && ready.localSnapshot === undefined) {
      this.accept(p, ready, batch, out);
      return;
    }
    if (batch === null || early) {
      if (batch !== null) this.submit(p, batch, null);
      this.finish(p, ready, out);
      return;
    }
    this.submit(p, batch, ready);
  }

  private send(messages: readonly Message[], out: Outbox<RaftSimMessage>): void {
    for (const message of messages) {
      if (this.options.traceMessages) this.options.trace(`send ${describeMessage(message)}`);
      out.send(message.to, { kind: 'raft', message });
    }
  }

  /**
   * Pipelined: the write goes out, the Ready is accepted and its committed entries applied at once;
   * its acknowledgements wait for its write (or, with no write of its own, for the last one pending).
   */
  private accept(p: Process, ready: Ready, batch: WriteBatch | null, out: Outbox<RaftSimMessage>): void {
    const write = batch === null ? null : this.submit(p, batch, null);
    const token = p.node.accept();
    const waitFor = write ?? p.writes[p.writes.length - 1];
    if (write !== null) write.token = token;
    if (waitFor === undefined) this.send(ready.messagesAfterDurable, out);
    else waitFor.afterDurable.push(...ready.messagesAfterDurable);
    this.applyCommitted(p, ready, out);
    this.maybeCompact(p);
  }

  private submit(p: Process, batch: WriteBatch, ready: Ready | null): PendingWrite {
    const ticket = p.storage.submit(batch);
    const last = p.writes[p.writes.length - 1];
    const dueTick = Math.max(last?.dueTick ?? 0, p.ticks + drawDelay(this.options.prng, this.options.storageLatency));
    const write: PendingWrite = { ticket, dueTick, batch, ready, token: null, afterDurable: [] };
    p.writes.push(write);
    this.counters.writes += 1;
    this.counters.maxWritesInFlight = Math.max(this.counters.maxWritesInFlight, p.writes.length);
    return write;
  }

  private completeWrite(p: Process, out: Outbox<RaftSimMessage>): void {
    const write = p.writes.shift()!;
    const ticket = p.storage.completeNext();
    assert(ticket === write.ticket, `${this.id}: storage completed ticket ${String(ticket)}, expected ${write.ticket}`);
    const snapshot = write.batch.snapshot;
    const snapshotIndex = snapshot?.metadata.index ?? 0;
    if (snapshot !== undefined) {
      // The disk's rule: later entries survive only when the log held the snapshot's position.
      const { index, term } = snapshot.metadata;
      if (this.durable.termAt(index) === term) this.durable.compactTo(index);
      else this.durable.restore(index, term, p.mirror.snapshotIndex === index ? p.mirror.snapshotHash : this.options.invariants.prefixHash(index, term)!);
    }
    this.durable.append(write.batch.entries);
    if (write.batch.hardState !== undefined) this.durableTerm = write.batch.hardState.term;
    this.durableCommit = Math.max(this.durableCommit, write.batch.hardState?.commit ?? 0, snapshotIndex);
    if (write.ready !== null) this.finish(p, write.ready, out);
    this.send(write.afterDurable, out);
    if (write.token !== null) p.node.persisted(write.token);
  }

  /** Steps 2-4 of the Ready contract, once its write is durable. */
  private finish(p: Process, ready: Ready, out: Outbox<RaftSimMessage>): void {
    this.send(ready.messagesAfterDurable, out);
    if (ready.snapshot !== undefined) {
      p.machine = KvStateMachine.decode(ready.snapshot.data);
      p.applied = ready.snapshot.metadata.index;
      this.counters.snapshotsReceived += 1;
      this.options.invariants.recordApplied(this.id, p.applied, p.machine.digest, p.commit, 'snapshot');
      this.options.trace(`${this.id} restored snapshot ${ready.snapshot.metadata.term}/${p.applied} (${ready.snapshot.data.byteLength} bytes)`);
    }
    this.applyCommitted(p, ready, out);
    p.node.advance();
    this.maybeCompact(p);
  }

  /** Step 3 of the Ready contract: apply the committed entries, answer the reads they release. */
  private applyCommitted(p: Process, ready: Ready, out: Outbox<RaftSimMessage>): void {
    const early = this.options.plantedBug === 'apply-uncommitted';
    // The planted bug applies what was appended, committed or not; either way each index applies once.
    for (const entry of early ? [...ready.entries, ...ready.committedEntries] : ready.committedEntries) {
      if (!early || entry.index === p.applied + 1) this.apply(p, entry, out);
    }
    p.service.confirmReads(ready.readStates);
    p.service.releaseReads(p.machine, p.applied, out);
  }

  private apply(p: Process, entry: Entry, out: Outbox<RaftSimMessage>): void {
    if (entry.index !== p.applied + 1) {
      throw new InvariantViolation(`apply order: ${this.id} was handed entry ${entry.index} to apply after applied index ${p.applied}`);
    }
    if (entry.type === EntryType.ConfChange) this.options.invariants.recordConfChangeApplied(entry.index);
    else if (entry.data.byteLength > 0) {
      const command = decodeCommand(entry.data);
      p.service.applied(command, p.machine.apply(command), out);
    }
    p.applied = entry.index;
    this.options.invariants.recordApplied(this.id, p.applied, p.machine.digest, p.commit, 'entry');
  }

  private maybeCompact(p: Process): void {
    if (p.applied - p.mirror.snapshotIndex < this.options.snapshotEveryEntries || this.options.plantedBug === 'apply-uncommitted') return;
    const result = p.node.compact(p.applied, p.machine.encode());
    if (!result.ok) {
      // Benign: while the last Ready's write was pending, a newer snapshot from the leader replaced
      // the log (the next Ready hands it out). Any other refusal is a driver bug.
      const snapshotIndex = p.node.status().firstIndex - 1;
      assert(snapshotIndex >= p.applied, `${this.id}: compact(${p.applied}) refused: ${result.message}`);
      return;
    }
    p.mirror.compactTo(p.applied);
    this.counters.snapshotsTaken += 1;
  }

  /** Feeds what a Ready says into the mirror and the cluster-wide invariants, before acting on it. */
  private observe(p: Process, ready: Ready): void {
    const { invariants } = this.options;
    if (ready.snapshot !== undefined) {
      const { index, term } = ready.snapshot.metadata;
      const hash = invariants.prefixHash(index, term);
      if (hash === undefined) throw new InvariantViolation(`snapshot of nothing: ${this.id} received snapshot ${term}/${index}, a position no log ever held`);
      p.mirror.restore(index, term, hash);
    }
    if (ready.localSnapshot !== undefined) p.mirror.compactTo(ready.localSnapshot.metadata.index);
    invariants.recordPositions(this.id, p.mirror.append(ready.entries));
    if (ready.hardState !== undefined) p.term = ready.hardState.term;
    if (ready.softState !== undefined) {
      const wasLeader = p.role === 'leader';
      p.role = ready.softState.role;
      invariants.recordRole(this.id, p.role === 'leader', p.term, p.mirror);
      if (p.role === 'leader' && !wasLeader) this.options.trace(`${this.id} leads term ${p.term} (log ${p.mirror.lastIndex()}, commit ${p.commit})`);
    }
    const previousConf = p.conf;
    if (ready.confState !== undefined) {
      p.conf = ready.confState;
      if (this.options.traceMessages) this.options.trace(`${this.id} configuration: voters ${p.conf.voters.join(',')} learners ${p.conf.learners.join(',') || '-'}`);
    }
    if (ready.hardState !== undefined) {
      const previousCommit = p.commit;
      invariants.recordCommit(this.id, p.term, previousCommit, ready.hardState.commit, p.mirror);
      p.commit = Math.max(previousCommit, ready.hardState.commit);
      if (p.role === 'leader' && p.commit > previousCommit) invariants.recordLeaderCommit(this.id, p.commit, [previousConf, p.conf]);
    }
  }
}

/** The mirror of a recovered log: the snapshot's position (whose prefix some log held) and the entries after it. */
function mirrorOf(id: NodeId, recovered: RecoveredState, invariants: RaftInvariants): LogMirror {
  const mirror = new LogMirror();
  const snapshot = recovered.snapshot;
  if (snapshot !== null) {
    const { index, term } = snapshot.metadata;
    const hash = invariants.prefixHash(index, term);
    if (hash === undefined) throw new InvariantViolation(`snapshot of nothing: ${id} recovered snapshot ${term}/${index}, a position no log ever held`);
    mirror.restore(index, term, hash);
  }
  invariants.recordPositions(id, mirror.append(recovered.entries));
  return mirror;
}
