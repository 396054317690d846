import { assert } from '../../../src/errors/keeper-error.js';
import type { ConnectionId, CoreEffects } from '../../../src/server/core-effects.js';
import type { ReplicaCoreOptions } from '../../../src/server/core-options.js';
import { ReplicaCore } from '../../../src/server/replica-core.js';
import type { RecoveredState, WriteBatch } from '../../../src/storage/durable-storage.js';
import { MemoryDisk } from '../../../src/storage/memory-disk.js';
import { MemoryStorage } from '../../../src/storage/memory-storage.js';
import type { Prng } from '../../../src/util/prng.js';
import type { ReplicaFrame } from '../../../src/wire/client-message.js';
import { decodePeerMessage, encodePeerMessage } from '../../../src/wire/peer-codec.js';
import { decodeClientFrame, decodeReplicaFrame, encodeClientFrame, encodeReplicaFrame } from '../../../src/wire/session-codec.js';
import type { SimNode } from '../cluster.js';
import { drawDelay, type DelayProfile } from '../delay-profile.js';
import type { NodeId } from '../network.js';
import type { ReplicaClock } from '../replica-clock.js';
import type { ToReplica } from './client-links.js';
import { MS_PER_TICK, type PlantedBug, type TornWrites } from './settings.js';
import { tornPrng } from './torn-writes.js';

/** Where a replica's effects go, and who looks at its state after each turn. */
export interface ReplicaGlue {
  readonly now: number;
  sendPeer(from: NodeId, to: NodeId, bytes: Uint8Array): void;
  sendClient(from: NodeId, connectionId: ConnectionId, frame: ReplicaFrame): void;
  closeClient(from: NodeId, connectionId: ConnectionId, reason: string): void;
  crashed(id: NodeId): void;
  restarted(id: NodeId): void;
  /** Called after every turn (effects taken), with the replica's core. */
  observe(node: ReplicaNode): void;
  /** A core was made (at start and at each restart), before it runs. */
  coreStarted(id: NodeId, core: ReplicaCore): void;
}

export interface ReplicaNodeConfig {
  readonly id: NodeId;
  readonly clock: ReplicaClock;
  readonly bootstrap: { readonly recovered: RecoveredState; readonly batch: WriteBatch };
  readonly coreOptions: Partial<ReplicaCoreOptions>;
  readonly storageLatency: DelayProfile;
  /** Chance that each write pending at a crash is lost (a prefix survives whole). */
  readonly unsyncedWriteLossChance: number;
  readonly tornWrites: TornWrites;
  readonly clientCodec: boolean;
  readonly plantedBug: PlantedBug;
  readonly prng: Prng;
  readonly glue: ReplicaGlue;
}

interface PendingWrite {
  readonly ticket: number;
  readonly writeNumber: number;
  readonly batch: WriteBatch;
  readonly completeAt: number;
}

/**
 * One replica process in the simulation: the production ReplicaCore over a MemoryStorage on a
 * MemoryDisk that outlives crashes. Writes complete after the plan's storage latency, in order; a
 * crash loses what was not durable (a prefix of the pending writes may land, the next one torn);
 * a restart recovers from the disk with a fresh core. Its clock is its own ReplicaClock.
 * This is the glue: peer messages leave through the real peer codec, client frames (optionally)
 * through the client codec.
 */
export class ReplicaNode implements SimNode<never> {
  readonly id: NodeId;
  readonly disk = new MemoryDisk();
  private storage: MemoryStorage;
  private current: ReplicaCore | null;
  private pending: PendingWrite[] = [];
  private lastCompleteAt = 0;
  private durableTerm: number;
  private dirty = false;
  stats = { crashes: 0, restarts: 0, writes: 0 };

  constructor(private readonly config: ReplicaNodeConfig) {
    this.id = config.id;
    this.storage = new MemoryStorage(this.disk);
    this.storage.openSync();
    this.storage.submit(config.bootstrap.batch);
    this.storage.completeAll();
    this.durableTerm = config.bootstrap.recovered.hardState.term;
    this.current = this.makeCore(config.bootstrap.recovered);
  }

  /** The live core; null while crashed. */
  get core(): ReplicaCore | null {
    return this.current;
  }

  get nowMs(): number {
    return this.config.clock.now() * MS_PER_TICK;
  }

  tick(): void {
    const core = this.current;
    if (core === null) return;
    core.tick(this.nowMs);
    this.dirty = true;
    this.flush();
  }

  receive(): void {
    throw new Error('meshkeeper assertion failed: replica nodes take their frames from the links, not the cluster network');
  }

  crash(): void {
    assert(this.current !== null, `${this.id} crashes twice`);
    this.stats.crashes += 1;
    this.current = null;
    // Pending writes land in order until one is lost; the one lost may be torn.
    let survivors = 0;
    while (survivors < this.pending.length && this.config.prng.chance(1 - this.config.unsyncedWriteLossChance)) survivors++;
    for (let i = 0; i < survivors; i++) this.completeOne();
    const first = this.pending[0];
    if (first !== undefined && this.config.tornWrites !== 'none' && this.config.prng.chance(0.5)) {
      this.storage.crash({ torn: tornPrng(this.config.prng.fork(), this.config.tornWrites, first.batch, this.durableTerm) });
    } else {
      this.storage.crash();
    }
    this.pending = [];
    this.lastCompleteAt = 0;
    this.config.glue.crashed(this.id);
  }

  restart(): void {
    assert(this.current === null, `${this.id} restarts while running`);
    this.stats.restarts += 1;
    this.storage = new MemoryStorage(this.disk);
    const recovered = this.storage.openSync();
    this.durableTerm = recovered.hardState.term;
    this.current = this.makeCore(recovered);
    this.config.glue.restarted(this.id);
  }

  /** A peer frame arrived on a link. */
  peerFrame(from: NodeId, bytes: Uint8Array): void {
    const core = this.live();
    core.observeTime(this.nowMs);
    core.peerMessage(from, decodePeerMessage(bytes));
    this.dirty = true;
  }

  linkChanged(peer: NodeId, up: boolean): void {
    const core = this.live();
    if (up) core.linkUp(peer);
    // Half the time the link's end reads as the peer leaving for good ('bye'), true or not: a
    // leader that "left" is then replaced early (RaftNode.leaderLeft), which must never cost safety.
    else core.linkDown(peer, this.config.prng.chance(0.5));
    this.dirty = true;
  }

  /** Something arrived on a client connection. */
  clientItem(connectionId: ConnectionId, item: ToReplica): void {
    const core = this.live();
    core.observeTime(this.nowMs);
    this.dirty = true;
    if (item.kind === 'open') return core.clientOpen(connectionId, { fateShared: item.fateShared });
    if (item.kind === 'close') return core.clientClose(connectionId);
    const frame = this.config.clientCodec ? decodeClientFrame(encodeClientFrame(item.frame)) : item.frame;
    if (frame.kind === 'connectRequest') return core.clientConnect(connectionId, frame.message);
    if (this.config.plantedBug === 'sync-skips-read-index' && frame.message.body.type === 'sync' && this.idle(connectionId)) {
      // PLANTED BUG: the sync is answered from this replica's state, without a read index (after
      // whatever the replica already answered: the bug is the missing read index, not the order).
      this.flush();
      const reply = { xid: frame.message.xid, zxid: core.status().lastZxid, err: 0 as const, body: { type: 'sync' as const, path: frame.message.body.path } };
      this.config.glue.sendClient(this.id, connectionId, { kind: 'reply', message: reply });
      return;
    }
    core.clientRequest(connectionId, frame.message);
  }

  /** Completes the writes whose latency has passed (the core hears `durable`). */
  completeDueWrites(): void {
    if (this.current === null) return;
    const now = this.config.glue.now;
    while (this.pending.length > 0 && this.pending[0]!.completeAt <= now) this.completeOne();
  }

  /** Ends the turn if anything happened since the last: routes the core's effects. */
  flush(): void {
    const core = this.current;
    if (core === null || !this.dirty) return;
    this.dirty = false;
    this.route(core.takeEffects());
    this.config.glue.observe(this);
  }

  private route(effects: CoreEffects): void {
    const glue = this.config.glue;
    for (const { to, message } of effects.peerMessages) glue.sendPeer(this.id, to, encodePeerMessage(message));
    const frames = this.plantReplyBugs(effects.clientMessages);
    for (const { connectionId, frame } of frames) {
      glue.sendClient(this.id, connectionId, this.config.clientCodec ? decodeReplicaFrame(encodeReplicaFrame(frame)) : frame);
    }
    for (const { connectionId, reason } of effects.clientCloses) glue.closeClient(this.id, connectionId, reason);
    const now = glue.now;
    for (const { writeNumber, batch } of effects.writes) {
      const ticket = this.storage.submit(batch);
      this.stats.writes += 1;
      const completeAt = Math.max(this.lastCompleteAt, now + drawDelay(this.config.prng, this.config.storageLatency) - 1);
      this.lastCompleteAt = completeAt;
      this.pending.push({ ticket, writeNumber, batch, completeAt });
    }
  }

  private plantReplyBugs(frames: CoreEffects['clientMessages']): CoreEffects['clientMessages'] {
    const bug = this.config.plantedBug;
    if (bug === 'drop-watch-events') return frames.filter(({ frame }) => frame.kind !== 'watchEvent' || !this.config.prng.chance(0.3));
    if (bug !== 'reorder-replies' || frames.length < 2) return frames;
    const out = frames.slice();
    for (let i = 0; i + 1 < out.length; i++) {
      // PLANTED BUG: two frames for one client leave swapped.
      if (out[i]!.connectionId === out[i + 1]!.connectionId && this.config.prng.chance(0.3)) [out[i], out[i + 1]] = [out[i + 1]!, out[i]!];
    }
    return out;
  }

  private completeOne(): void {
    const write = this.pending.shift();
    assert(write !== undefined, 'no pending write to complete');
    const ticket = this.storage.completeNext();
    assert(ticket === write.ticket, `storage completed ticket ${ticket}, expected ${write.ticket}`);
    if (write.batch.hardState !== undefined) this.durableTerm = write.batch.hardState.term;
    const core = this.current;
    if (core === null) return;
    core.durable(write.writeNumber);
    this.dirty = true;
  }

  private idle(connectionId: ConnectionId): boolean {
    const connection = this.live().status().connections.find((c) => c.connectionId === connectionId);
    return connection !== undefined && connection.queued === 0;
  }

  private live(): ReplicaCore {
    assert(this.current !== null, `${this.id} is crashed`);
    return this.current;
  }

  private makeCore(recovered: RecoveredState): ReplicaCore {
    const core = new ReplicaCore({
      id: this.id,
      recovered,
      seed: this.config.prng.nextUint32(),
      nowMs: this.nowMs,
      options: this.config.coreOptions,
    });
    this.config.glue.coreStarted(this.id, core);
    return core;
  }
}
