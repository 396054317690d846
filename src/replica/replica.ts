import { bootstrapState } from '../consensus/bootstrap.js';
import type { ConfChange } from '../consensus/conf-change.js';
import type { ProposeResult } from '../consensus/raft-node.js';
import type { ConfState, ReplicaId } from '../consensus/types.js';
import { isKeeperError, type KeeperError } from '../errors/keeper-error.js';
import type { ConnectionId, CoreEffects } from '../server/core-effects.js';
import type { ReplicaCoreOptions } from '../server/core-options.js';
import type { PeerMessage } from '../server/peer-message.js';
import { ReplicaCore } from '../server/replica-core.js';
import type { ReplicaStatus } from '../server/replica-status.js';
import type { DurableStorage, RecoveredState } from '../storage/durable-storage.js';
import type { LinkHub } from '../transport/link-hub.js';
import { CloseReason, remoteReason, type Unsubscribe } from '../transport/link.js';
import { decodePeerMessage, encodePeerMessage } from '../wire/peer-codec.js';
import type { ReplicaFrame } from '../wire/client-message.js';
import { decodeClientFrame, encodeReplicaFrame } from '../wire/session-codec.js';
import type { ClientConnectionEnd } from './client-connection.js';

/** How peer messages become frames; src/wire/peer-codec.ts unless a test injects another. */
export interface PeerCodec {
  encode(message: PeerMessage): Uint8Array;
  /**
   * The peer message in `frame`; null for a frame of another protocol that shares the link (the
   * browser mesh's presence frames), which the replica ignores. Throws KeeperError for bad bytes.
   */
  decode(frame: Uint8Array): PeerMessage | null;
}

export const WIRE_PEER_CODEC: PeerCodec = { encode: encodePeerMessage, decode: decodePeerMessage };

export interface ReplicaConfig {
  readonly id: ReplicaId;
  readonly storage: DurableStorage;
  readonly hub: LinkHub;
  /** The founding configuration: a replica whose storage is empty starts the cluster with it. */
  readonly founding?: ConfState;
  readonly options?: Partial<ReplicaCoreOptions>;
  readonly peerCodec?: PeerCodec;
  /** The clock (Date.now by default). */
  readonly now?: () => number;
  /** The core's PRNG seed (crypto.getRandomValues by default). */
  readonly seed?: number;
  /** Told when the replica stops because its storage failed (it must be reopened). */
  readonly onFatal?: (error: KeeperError) => void;
}

/** Inputs a paused replica holds before it gives up (a tab frozen for too long). */
const MAX_HELD_INPUTS = 1_000_000;

function randomSeed(): number {
  const words = new Uint32Array(2);
  crypto.getRandomValues(words);
  return (words[0] as number) * 2 ** 21 + ((words[1] as number) >>> 11);
}

function isEmpty(recovered: RecoveredState): boolean {
  return recovered.snapshot === null && recovered.entries.length === 0 && recovered.hardState.term === 0;
}

/**
 * The glue around a ReplicaCore (DESIGN.md, "Layers"): a timer ticks it every tickMs, its durable
 * writes go to a DurableStorage in order, its peer messages over a LinkHub's links, its client
 * frames over ClientConnectionEnds. It moves bytes and nothing else; effects are taken once per
 * microtask, so everything that arrived in one task is one turn (one forward, one proposal).
 */
export class Replica {
  readonly id: ReplicaId;
  private readonly core: ReplicaCore;
  private readonly storage: DurableStorage;
  private readonly hub: LinkHub;
  private readonly codec: PeerCodec;
  private readonly now: () => number;
  private readonly clients = new Map<ConnectionId, ClientConnectionEnd>();
  private readonly tickets = new Map<number, number>();
  private readonly unsubscribe: Unsubscribe[] = [];
  private nextConnectionId = 1;
  private timer: ReturnType<typeof setInterval> | null = null;
  private flushQueued = false;
  private stopped: string | null = null;
  /** While paused (a frozen tab): inputs wait here, in order, and no tick runs. */
  private held: (() => void)[] | null = null;

  private constructor(config: ReplicaConfig, recovered: RecoveredState, private readonly onFatal: (error: KeeperError) => void) {
    this.id = config.id;
    this.storage = config.storage;
    this.hub = config.hub;
    this.codec = config.peerCodec ?? WIRE_PEER_CODEC;
    this.now = config.now ?? Date.now;
    this.core = new ReplicaCore({ id: config.id, recovered, seed: config.seed ?? randomSeed(), nowMs: this.now(), options: config.options ?? {} });
    this.unsubscribe.push(
      this.storage.onDurable((ticket) => this.durable(ticket)),
      this.storage.onError((error) => this.fail(error)),
      this.hub.onLinkUp((link) => this.input(() => this.core.linkUp(link.peer))),
      this.hub.onLinkDown((peer, reason) => this.input(() => this.core.linkDown(peer, saidLeaving(reason)))),
      this.hub.onFrame((peer, frame) => this.peerFrame(peer, frame)),
    );
    for (const peer of this.hub.peers()) this.core.linkUp(peer);
    this.startTimer();
    this.schedule();
  }

  /**
   * Opens the storage, bootstraps a founding replica's empty storage, and starts the replica.
   * Rejects when the storage cannot be read (DATAINCONSISTENCY) or the options are invalid.
   */
  static async open(config: ReplicaConfig): Promise<Replica> {
    let recovered = await config.storage.open();
    if (isEmpty(recovered) && config.founding !== undefined) {
      const boot = bootstrapState(config.founding);
      const ticket = config.storage.submit(boot.batch);
      await new Promise<void>((resolve, reject) => {
        const offDurable = config.storage.onDurable((done) => {
          if (done < ticket) return;
          offDurable();
          offError();
          resolve();
        });
        const offError = config.storage.onError((error) => {
          offDurable();
          offError();
          reject(error);
        });
      });
      recovered = boot.recovered;
    }
    return new Replica(config, recovered, config.onFatal ?? (() => undefined));
  }

  get closed(): boolean {
    return this.stopped !== null;
  }

  /**
   * Serves a client over `connection` (the replica's end of a pair). `fateShared`: the client lives
   * in this replica's tab, so its session ends as soon as this replica leaves.
   */
  accept(connection: ClientConnectionEnd, options: { readonly fateShared?: boolean } = {}): void {
    if (this.stopped !== null) {
      connection.close(`replica stopped: ${this.stopped}`);
      return;
    }
    const id = this.nextConnectionId++;
    this.clients.set(id, connection);
    this.core.clientOpen(id, { fateShared: options.fateShared ?? false });
    const offMessage = connection.onMessage((frame) => this.clientFrame(id, connection, frame));
    connection.onClose(() => {
      offMessage();
      if (this.clients.get(id) !== connection) return;
      this.clients.delete(id);
      this.input(() => this.core.clientClose(id));
    });
    this.schedule();
  }

  status(): ReplicaStatus {
    return this.core.status();
  }

  /** Starts an election at once (a replica that knows the leader is gone; tests). */
  campaign(): void {
    this.input(() => this.core.campaign());
  }

  /** Proposes one membership change (leader only; see ReplicaCore.proposeConfChange). */
  proposeConfChange(change: ConfChange): ProposeResult {
    if (this.stopped !== null) return { ok: false, reason: 'not-leader', leader: null, message: `replica stopped: ${this.stopped}` };
    const result = this.core.proposeConfChange(change);
    this.schedule();
    return result;
  }

  /** Asks to hand leadership to `transferee`. */
  transferLeadership(transferee: ReplicaId): boolean {
    const accepted = this.core.transferLeadership(transferee);
    this.schedule();
    return accepted;
  }

  get paused(): boolean {
    return this.held !== null;
  }

  /** Freezes the replica as a hidden tab's worker is frozen: no ticks; frames and events wait. */
  pause(): void {
    if (this.held !== null || this.stopped !== null) return;
    this.held = [];
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Thaws a paused replica: what arrived meanwhile is handled in order, then the ticks resume. */
  resume(): void {
    const held = this.held;
    if (held === null || this.stopped !== null) return;
    this.held = null;
    for (const step of held) this.input(step);
    this.startTimer();
  }

  /**
   * Leaves cleanly (pagehide): the sessions of this tab's clients are closed by txns and a leading
   * replica hands over leadership, waiting at most `timeoutMs` for both; then closes.
   */
  async leave(timeoutMs = 1_000): Promise<void> {
    if (this.stopped !== null) return;
    this.core.leave();
    this.schedule();
    const deadline = this.now() + timeoutMs;
    const done = (): boolean => {
      const status = this.core.status();
      return status.role !== 'leader' && !status.connections.some((connection) => connection.fateShared && connection.sessionId !== 0n);
    };
    while (!done() && this.now() < deadline && this.stopped === null) {
      await new Promise((resolve) => setTimeout(resolve, this.core.options.tickMs));
    }
    await this.close('replica left');
  }

  /**
   * Stops: no more ticks, client connections closed, links left to their owner (the hub), storage
   * drained and closed. A crash is the same without `storage.close()` (see the test ensemble).
   */
  async close(reason = 'replica closed'): Promise<void> {
    if (this.stopped !== null) return;
    this.stop(reason);
    await this.storage.close().catch(() => undefined);
  }

  /** Stops at once without draining storage (for a simulated crash). */
  stop(reason: string): void {
    if (this.stopped !== null) return;
    this.stopped = reason;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    for (const off of this.unsubscribe.splice(0)) off();
    for (const connection of [...this.clients.values()]) connection.close(reason);
    this.clients.clear();
  }

  // ---------------------------------------------------------------- inputs

  private input(step: () => void): void {
    if (this.stopped !== null) return;
    if (this.held !== null) {
      if (this.held.length >= MAX_HELD_INPUTS) this.stop(`more than ${MAX_HELD_INPUTS} inputs arrived while paused`);
      else this.held.push(step);
      return;
    }
    step();
    this.schedule();
  }

  private startTimer(): void {
    this.timer = setInterval(() => this.input(() => this.core.tick(this.now())), this.core.options.tickMs);
  }

  private peerFrame(peer: ReplicaId, frame: Uint8Array): void {
    if (this.stopped !== null) return;
    let message: PeerMessage | null;
    try {
      message = this.codec.decode(frame);
    } catch (error) {
      if (!isKeeperError(error)) throw error;
      this.hub.closeLink(peer, `MARSHALLINGERROR: ${error.message}`);
      return;
    }
    if (message === null) return;
    const decoded = message;
    this.input(() => this.core.peerMessage(peer, decoded));
  }

  private clientFrame(id: ConnectionId, connection: ClientConnectionEnd, frame: Uint8Array): void {
    if (this.held !== null) {
      this.input(() => this.clientFrame(id, connection, frame));
      return;
    }
    if (this.stopped !== null || this.clients.get(id) !== connection) return;
    let decoded;
    try {
      decoded = decodeClientFrame(frame);
    } catch (error) {
      if (!isKeeperError(error)) throw error;
      this.clients.delete(id);
      this.core.clientClose(id);
      connection.close(`MARSHALLINGERROR: ${error.message}`);
      this.schedule();
      return;
    }
    this.core.observeTime(this.now());
    if (decoded.kind === 'connectRequest') this.core.clientConnect(id, decoded.message);
    else this.core.clientRequest(id, decoded.message);
    this.schedule();
  }

  private durable(ticket: number): void {
    let latest = 0;
    for (const [done, writeNumber] of this.tickets) {
      if (done > ticket) continue;
      this.tickets.delete(done);
      if (writeNumber > latest) latest = writeNumber;
    }
    if (latest > 0) this.input(() => this.core.durable(latest));
  }

  private fail(error: KeeperError): void {
    this.stop(`storage failed: ${error.message}`);
    this.onFatal(error);
  }

  // ---------------------------------------------------------------- effects

  private schedule(): void {
    if (this.flushQueued || this.stopped !== null) return;
    this.flushQueued = true;
    queueMicrotask(() => {
      this.flushQueued = false;
      if (this.stopped === null) this.dispatch(this.core.takeEffects());
    });
  }

  private dispatch(effects: CoreEffects): void {
    for (const { writeNumber, batch } of effects.writes) {
      try {
        this.tickets.set(this.storage.submit(batch), writeNumber);
      } catch (error) {
        if (!isKeeperError(error)) throw error;
        this.fail(error);
        return;
      }
    }
    // Replies first: the links send on a microtask each, in the order they were first used, so a
    // client's answer does not wait behind the turn's peer frames (which nothing here orders it after).
    for (const { connectionId, frame } of effects.clientMessages) this.sendClient(connectionId, frame);
    for (const { connectionId, reason } of effects.clientCloses) {
      const connection = this.clients.get(connectionId);
      this.clients.delete(connectionId);
      connection?.close(reason);
    }
    for (const { to, message } of effects.peerMessages) this.sendPeer(to, message);
  }

  private sendClient(connectionId: ConnectionId, frame: ReplicaFrame): void {
    const connection = this.clients.get(connectionId);
    if (connection === undefined) return;
    let bytes: Uint8Array;
    try {
      bytes = encodeReplicaFrame(frame);
    } catch (error) {
      if (!isKeeperError(error)) throw error;
      // A reply the wire cannot carry (a list past its limit): the client cannot be answered.
      this.clients.delete(connectionId);
      this.core.clientClose(connectionId);
      connection.close(`MARSHALLINGERROR: ${error.message}`);
      this.schedule();
      return;
    }
    connection.send(bytes);
  }

  private sendPeer(to: ReplicaId, message: PeerMessage): void {
    const link = this.hub.get(to);
    if (link === undefined) return;
    const frame = this.codec.encode(message);
    if (frame.byteLength > link.maxFrameBytes) {
      link.close(`a ${message.type} frame of ${frame.byteLength} bytes exceeds the link's ${link.maxFrameBytes}`);
      return;
    }
    link.send(frame);
  }
}

/**
 * Whether a link's close reason says its peer went away: it said 'bye' (its tab is leaving), or its
 * channel closed under it without a word, which is how a closed or crashed tab's data channel ends.
 * A channel also closes that way when its peer connection is torn down for other reasons (ICE
 * failure, a renegotiation, a link no longer wanted), so this can be wrong; acting on it costs at
 * most an early election (RaftNode.leaderLeft): voters that still hear the leader refuse to vote.
 */
export function saidLeaving(reason: string): boolean {
  return reason === CloseReason.bye || reason === remoteReason(CloseReason.bye) || reason === CloseReason.channelClosed;
}
