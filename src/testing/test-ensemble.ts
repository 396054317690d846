import type { ReplicaId } from '../consensus/types.js';
import { KeeperError } from '../errors/keeper-error.js';
import { createConnectionPair, type ClientConnectionEnd } from '../replica/client-connection.js';
import { Replica } from '../replica/replica.js';
import type { ReplicaCoreOptions } from '../server/core-options.js';
import type { ReplicaStatus } from '../server/replica-status.js';
import { MemoryDisk } from '../storage/memory-disk.js';
import { LinkHub } from '../transport/link-hub.js';
import { createMemoryLinkPair } from '../transport/memory-link.js';
import { TimedMemoryStorage } from './timed-memory-storage.js';
import { MeshKeeperClient } from '../client/client.js';
import type { MeshKeeperClientOptions } from '../client/client-options.js';

/** `TestEnsemble.connect`'s options: which replica, and the client's own options. */
export interface ConnectOptions extends Partial<Omit<MeshKeeperClientOptions, 'endpoints'>> {
  readonly replica?: ReplicaRef;
  /** The client lives in the replica's own tab: its session ends as soon as that replica leaves. */
  readonly fateShared?: boolean;
  /** How long `connect` waits for the session (default 10 s). */
  readonly waitMs?: number;
}

export interface TestEnsembleOptions {
  /** Voting replicas (default 3). */
  readonly voters?: number;
  /** Observers: replicate and serve clients, do not vote (default 0). */
  readonly observers?: number;
  /** Milliseconds per tick (default 10); elections take 10 to 20 ticks. */
  readonly tickMs?: number;
  /** The bounds session timeouts are negotiated into. */
  readonly sessionTimeouts?: { readonly minMs?: number; readonly maxMs?: number };
  /** How long a storage write takes to become durable (default 0: the next microtask). */
  readonly storageDelayMs?: number;
  /** Anything else of the replicas' options. */
  readonly options?: Partial<ReplicaCoreOptions>;
  /** Seeds the replicas' PRNGs (default: random). */
  readonly seed?: number;
}

/** Which replica: its index (0-based, voters first) or its id ("r1", "o1"). */
export type ReplicaRef = number | ReplicaId;

interface Member {
  readonly id: ReplicaId;
  readonly disk: MemoryDisk;
  storage: TimedMemoryStorage;
  hub: LinkHub;
  replica: Replica | null;
}

/** The largest peer frame on the ensemble's memory links (a 1 MiB txn and its MsgApp fit). */
const LINK_MAX_FRAME_BYTES = 8 * 1024 * 1024;

/**
 * An ensemble of real Replicas in one process, for testing applications (exported as
 * `meshkeeper/testing`): memory links between every pair, MemoryStorage whose writes become durable
 * on their own, real timers. Faults: partitions, crashes (writes not yet durable are lost) and
 * restarts from the durable state, pauses (a frozen tab).
 */
export class TestEnsemble {
  readonly ids: readonly ReplicaId[];
  private readonly members: Member[];
  private blockedPairs = new Set<string>();
  private nextReplica = 0;
  private closed = false;

  private constructor(
    private readonly options: TestEnsembleOptions,
    members: Member[],
  ) {
    this.members = members;
    this.ids = members.map((member) => member.id);
  }

  static async create(options: TestEnsembleOptions = {}): Promise<TestEnsemble> {
    const voters = options.voters ?? 3;
    const observers = options.observers ?? 0;
    if (!Number.isInteger(voters) || voters < 1 || !Number.isInteger(observers) || observers < 0) {
      throw new KeeperError('BADARGUMENTS', 'a test ensemble needs at least one voter and a whole number of observers');
    }
    const voterIds = Array.from({ length: voters }, (_, i) => `r${i + 1}`);
    const observerIds = Array.from({ length: observers }, (_, i) => `o${i + 1}`);
    const members: Member[] = [...voterIds, ...observerIds].map((id) => {
      const disk = new MemoryDisk();
      return { id, disk, storage: new TimedMemoryStorage(disk, options.storageDelayMs ?? 0), hub: new LinkHub({ self: id }), replica: null };
    });
    const ensemble = new TestEnsemble(options, members);
    const founding = { voters: voterIds, learners: observerIds };
    for (const member of members) member.replica = await ensemble.openReplica(member, founding);
    ensemble.relink();
    // Start the first election at once instead of after a randomized timeout.
    members[0]?.replica?.campaign();
    return ensemble;
  }

  /**
   * A connected public client (`MeshKeeperClient`) attached to `replica` (round robin when none is
   * named). Its endpoints are that replica first, then the others in order, so the client moves on
   * when its replica crashes or is cut off — as a ZooKeeper client moves through its connect string.
   */
  async connect(options: ConnectOptions = {}): Promise<MeshKeeperClient> {
    const first = options.replica === undefined ? this.nextReplica++ % this.members.length : this.indexOf(options.replica);
    const order = this.members.map((_, i) => (first + i) % this.members.length);
    const fateShared = options.fateShared ?? false;
    const { replica: _replica, fateShared: _fateShared, waitMs, ...clientOptions } = options;
    const endpoints = order.map((index) => () => Promise.resolve(this.openConnection({ replica: index, fateShared })));
    return MeshKeeperClient.connect({ ...clientOptions, endpoints }, { timeoutMs: waitMs ?? 10_000 });
  }

  /**
   * A raw client connection to a replica (round robin when none is named): the client's end of the
   * bytes channel that `MeshKeeperClient` wraps. A crashed replica's connection closes at once.
   */
  openConnection(options: { readonly replica?: ReplicaRef; readonly fateShared?: boolean } = {}): ClientConnectionEnd {
    const index = options.replica === undefined ? this.nextReplica++ % this.members.length : this.indexOf(options.replica);
    const [client, server] = createConnectionPair();
    const replica = this.member(index).replica;
    if (replica === null) server.close('replica is down');
    else replica.accept(server, { fateShared: options.fateShared ?? false });
    return client;
  }

  /** `openConnection({ replica })`, shorter. */
  connection(replica: ReplicaRef): ClientConnectionEnd {
    return this.openConnection({ replica });
  }

  /** The Replica object (null while crashed). */
  replica(ref: ReplicaRef): Replica | null {
    return this.member(this.indexOf(ref)).replica;
  }

  status(ref: ReplicaRef): ReplicaStatus {
    const replica = this.replica(ref);
    if (replica === null) throw new KeeperError('CONNECTIONLOSS', `replica ${String(ref)} is down`);
    return replica.status();
  }

  /** The index of the replica leading now (ready to serve writes), or null. */
  leader(): number | null {
    let bestIndex: number | null = null;
    let bestTerm = -1;
    for (let index = 0; index < this.members.length; index++) {
      const replica = this.member(index).replica;
      if (replica === null || replica.paused || replica.closed) continue;
      const status = replica.status();
      if (status.role === 'leader' && status.leaderReady && status.term > bestTerm) {
        bestIndex = index;
        bestTerm = status.term;
      }
    }
    return bestIndex;
  }

  /** Resolves with the leader's index once there is one (rejects after timeoutMs, default 5 s). */
  async waitForLeader(timeoutMs = 5_000): Promise<number> {
    const tickMs = this.options.tickMs ?? 10;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const leader = this.leader();
      if (leader !== null) return leader;
      if (Date.now() > deadline) throw new KeeperError('OPERATIONTIMEOUT', `no leader within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, tickMs));
    }
  }

  /** Splits the ensemble: links between groups close; replicas in no group are cut off from all. */
  partition(groups: readonly (readonly ReplicaRef[])[]): void {
    const groupOf = new Map<number, number>();
    groups.forEach((group, g) => group.forEach((ref) => groupOf.set(this.indexOf(ref), g)));
    this.blockedPairs = new Set();
    for (let a = 0; a < this.members.length; a++) {
      for (let b = a + 1; b < this.members.length; b++) {
        const ga = groupOf.get(a);
        if (ga === undefined || ga !== groupOf.get(b)) this.blockedPairs.add(`${a}:${b}`);
      }
    }
    this.relink();
  }

  heal(): void {
    this.blockedPairs = new Set();
    this.relink();
  }

  /** The replica's process dies: links and clients drop, writes not yet durable are lost. */
  crash(ref: ReplicaRef): void {
    const member = this.member(this.indexOf(ref));
    const replica = member.replica;
    if (replica === null) return;
    member.replica = null;
    replica.stop('crashed');
    member.storage.crash();
    member.hub.close('crashed');
  }

  /** Starts a crashed replica again from what its disk holds. */
  async restart(ref: ReplicaRef): Promise<void> {
    const member = this.member(this.indexOf(ref));
    if (member.replica !== null) return;
    member.storage = new TimedMemoryStorage(member.disk, this.options.storageDelayMs ?? 0);
    member.hub = new LinkHub({ self: member.id });
    member.replica = await this.openReplica(member, undefined);
    this.relink();
  }

  /** Freezes a replica (no ticks; frames wait), as a hidden tab's worker. */
  pause(ref: ReplicaRef): void {
    this.member(this.indexOf(ref)).replica?.pause();
  }

  resume(ref: ReplicaRef): void {
    this.member(this.indexOf(ref)).replica?.resume();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const member of this.members) {
      const replica = member.replica;
      member.replica = null;
      member.hub.close('ensemble closed');
      if (replica !== null) await replica.close('ensemble closed');
    }
  }

  private async openReplica(member: Member, founding: { voters: string[]; learners: string[] } | undefined): Promise<Replica> {
    const options: Partial<ReplicaCoreOptions> = {
      ...(this.options.tickMs === undefined ? {} : { tickMs: this.options.tickMs }),
      ...(this.options.sessionTimeouts?.minMs === undefined ? {} : { minSessionTimeoutMs: this.options.sessionTimeouts.minMs }),
      ...(this.options.sessionTimeouts?.maxMs === undefined ? {} : { maxSessionTimeoutMs: this.options.sessionTimeouts.maxMs }),
      ...this.options.options,
    };
    const seed = this.options.seed === undefined ? undefined : this.options.seed * 1_000 + this.members.indexOf(member);
    return Replica.open({
      id: member.id,
      storage: member.storage,
      hub: member.hub,
      ...(founding === undefined ? {} : { founding }),
      options,
      ...(seed === undefined ? {} : { seed }),
    });
  }

  /** Makes the links match the partition: a link for every allowed pair of live replicas, none else. */
  private relink(): void {
    for (let a = 0; a < this.members.length; a++) {
      for (let b = a + 1; b < this.members.length; b++) {
        const ma = this.member(a);
        const mb = this.member(b);
        const allowed = !this.blockedPairs.has(`${a}:${b}`) && ma.replica !== null && mb.replica !== null;
        const linked = ma.hub.get(mb.id) !== undefined || mb.hub.get(ma.id) !== undefined;
        if (allowed && linked && (ma.hub.get(mb.id) === undefined || mb.hub.get(ma.id) === undefined)) {
          // One end already closed: finish closing it before making a fresh pair.
          ma.hub.closeLink(mb.id, 'relinked');
          mb.hub.closeLink(ma.id, 'relinked');
        }
        if (allowed && (ma.hub.get(mb.id) === undefined || mb.hub.get(ma.id) === undefined)) {
          const [toB, toA] = createMemoryLinkPair({ a: ma.id, b: mb.id, maxFrameBytes: LINK_MAX_FRAME_BYTES });
          ma.hub.add(toB);
          mb.hub.add(toA);
        } else if (!allowed && linked) {
          ma.hub.closeLink(mb.id, 'partitioned');
          mb.hub.closeLink(ma.id, 'partitioned');
        }
      }
    }
  }

  private indexOf(ref: ReplicaRef): number {
    const index = typeof ref === 'number' ? ref : this.ids.indexOf(ref);
    if (!Number.isInteger(index) || index < 0 || index >= this.members.length) {
      throw new KeeperError('BADARGUMENTS', `no replica ${String(ref)} in this ensemble of ${this.members.length}`);
    }
    return index;
  }

  private member(index: number): Member {
    return this.members[index] as Member;
  }
}

/** Starts an ensemble of real replicas in this process (see TestEnsemble). */
export function createTestEnsemble(options: TestEnsembleOptions = {}): Promise<TestEnsemble> {
  return TestEnsemble.create(options);
}
