import type { ConfState, ReplicaId } from '../consensus/types.js';
import { KeeperError } from '../errors/keeper-error.js';
import type { EnsemblePolicyOptions } from '../membership/ensemble-policy.js';
import type { ClientConnectionEnd } from '../replica/client-connection.js';
import { Replica } from '../replica/replica.js';
import type { ReplicaCoreOptions } from '../server/core-options.js';
import type { PeerLag, ReplicaStatus } from '../server/replica-status.js';
import type { DurableStorage, RecoveredState } from '../storage/durable-storage.js';
import { createBroadcastTransport, type BroadcastTransport, type BroadcastTransportOptions } from '../transport/broadcast-transport.js';
import { LinkHub } from '../transport/link-hub.js';
import type { Link, Unsubscribe } from '../transport/link.js';
import type { PresenceState } from '../transport/room-presence.js';
import { EnsembleManager } from './ensemble-manager.js';
import { MAX_FREEZE_MS } from './freeze-limit.js';
import { MESH_PEER_CODEC } from './mesh-frames.js';
import { deviceOfReplica, wantedLinks } from './mesh-roster.js';
import { EagerCommitStorage } from './eager-commit-storage.js';
import { leaveTransferee } from './leave-handover.js';
import { OpenedStorage, isEmptyState } from './opened-storage.js';
import { PresenceExchange } from './presence-exchange.js';
import { StickySet } from './sticky-set.js';

/** What the window (or a test) hears from a mesh node. */
export interface MeshNodeEvents {
  /** The peers on other devices this replica wants WebRTC links to (sorted), whenever the set changes. */
  readonly wantedWebRtc?: (peers: readonly ReplicaId[]) => void;
  /** A WebRTC link handed to this node closed (its peer connection in the window can go). */
  readonly webRtcLinkClosed?: (peer: ReplicaId, id: string, reason: string) => void;
  /** The replica runs (recovered from storage, founded, or joining empty). */
  readonly opened?: () => void;
  /** The replica stopped for good (its storage failed). */
  readonly fatal?: (message: string) => void;
}

export interface MeshNodeConfig {
  readonly room: string;
  readonly replicaId: ReplicaId;
  readonly deviceId: string;
  /** The replica's storage, not opened yet (IndexedDbStorage in a tab). */
  readonly storage: DurableStorage;
  /**
   * Whether a write that only moves the commit index counts as durable at once
   * (eager-commit-storage.ts); true unless told otherwise.
   */
  readonly eagerCommit?: boolean;
  readonly replicaOptions?: Partial<ReplicaCoreOptions>;
  readonly policy?: Partial<EnsemblePolicyOptions>;
  /** BroadcastChannel transport options; false for none (a node linked by other means only). */
  readonly broadcast?: Partial<Omit<BroadcastTransportOptions, 'room' | 'self'>> | false;
  /** How often the node re-plans links, refreshes presence and (leading) manages the ensemble. */
  readonly meshTickMs?: number;
  /** How often presence is re-announced (with the applied zxid). */
  readonly presenceRefreshMs?: number;
  /** A peer stays wanted this long after the plan stops naming it (no flapping links). */
  readonly unwantGraceMs?: number;
  readonly maxLinks?: number;
  readonly events?: MeshNodeEvents;
  readonly now?: () => number;
}

/**
 * A tab's replica options unless told otherwise: an election timeout of 300-600 ms (30 ticks of
 * 10 ms, randomized up to twice that) rather than the core's 100-200 ms. A busy or throttled tab
 * stalls for a few hundred milliseconds now and then, and with 100 ms that re-elected the leader
 * under load (failing writes in flight with CONNECTIONLOSS). A tab that closes does not wait it out:
 * its links close saying 'bye' and the other voters campaign within ticks (RaftNode.leaderLeft).
 */
export const MESH_REPLICA_DEFAULTS: Partial<ReplicaCoreOptions> = { electionTicks: 30 };

export const DEFAULT_MESH_TICK_MS = 100;
export const DEFAULT_PRESENCE_REFRESH_MS = 5_000;
export const DEFAULT_UNWANT_GRACE_MS = 5_000;
/** Client connections that may wait for the replica to open. */
export const MAX_WAITING_CLIENTS = 64;
/** WebRTC links handed over and not connected yet. */
export const MAX_PENDING_WEBRTC_LINKS = 64;
/** Peers the signaling roster may name. */
export const MAX_SIGNALING_ROSTER = 1024;

/** A node's state for the window, the demo and the tests (structured-clone friendly). */
export interface MeshStatus {
  readonly replicaId: ReplicaId;
  readonly deviceId: string;
  /** 'waiting': empty storage, waiting for the founding verdict; 'running'; 'stopped'. */
  readonly phase: 'waiting' | 'running' | 'stopped';
  readonly role: ReplicaStatus['role'] | 'none';
  readonly leader: ReplicaId | null;
  readonly term: number;
  readonly voters: readonly ReplicaId[];
  readonly learners: readonly ReplicaId[];
  /** The last applied zxid, hex. */
  readonly lastZxid: string;
  readonly appliedIndex: number;
  readonly commitIndex: number;
  /** The last index in this replica's log. */
  readonly lastIndex: number;
  /** Leader only: every other member's replication progress (entries behind, recently active). */
  readonly peers: readonly PeerLag[];
  /** The replica is frozen (`freeze`): no ticks, its inputs wait. */
  readonly frozen: boolean;
  readonly nodeCount: number;
  readonly sessionCount: number;
  readonly links: readonly { readonly peer: ReplicaId; readonly kind: string }[];
  readonly presence: readonly PresenceState[];
}

/**
 * Everything a tab's worker runs around its Replica: the LinkHub every link goes into (the
 * BroadcastChannel transport's, WebRTC data channels handed over from the window), presence over
 * those links, the link plan (mesh-roster.ts), and ensemble management while it leads
 * (ensemble-manager.ts). A replica whose storage holds a log starts at once; an empty one waits
 * for `decideFounding`: it founds the ensemble (sole voter) only when the signaling server said
 * this peer founded the room, and otherwise starts empty and is added as a learner by the leader.
 */
export class MeshNode {
  readonly replicaId: ReplicaId;
  readonly deviceId: string;
  readonly hub: LinkHub;
  /** The storage held nothing when the node started. */
  readonly startedEmpty: boolean;
  private readonly config: MeshNodeConfig;
  private readonly now: () => number;
  private broadcast: BroadcastTransport | null = null;
  private readonly presence: PresenceExchange;
  private readonly ensemble: EnsembleManager;
  private readonly wanted: StickySet;
  private readonly unsubscribe: Unsubscribe[] = [];
  private readonly pendingWebRtc = new Map<string, Link>();
  private readonly waitingClients: ClientConnectionEnd[] = [];
  private readonly timer: ReturnType<typeof setInterval>;
  private replica: Replica | null = null;
  private opening: Promise<void> | null = null;
  private signalingRoster: readonly ReplicaId[] = [];
  private lastWantedWebRtc = '';
  private lastRefreshMs: number;
  private planQueued = false;
  private stopped = false;
  private thawTimer: ReturnType<typeof setTimeout> | null = null;

  private constructor(
    config: MeshNodeConfig,
    private readonly storage: DurableStorage,
    private readonly recovered: RecoveredState,
  ) {
    this.config = config;
    this.replicaId = config.replicaId;
    this.deviceId = config.deviceId;
    this.now = config.now ?? Date.now;
    this.startedEmpty = isEmptyState(recovered);
    this.hub = new LinkHub({ self: config.replicaId, ...(config.maxLinks === undefined ? {} : { maxLinks: config.maxLinks }) });
    this.ensemble = new EnsembleManager(config.policy);
    this.wanted = new StickySet(config.unwantGraceMs ?? DEFAULT_UNWANT_GRACE_MS);
    this.presence = new PresenceExchange(this.hub, {
      replicaId: config.replicaId,
      deviceId: config.deviceId,
      role: 'joining',
      term: 0,
      appliedZxid: '0',
      leaderId: null,
    });
    this.unsubscribe.push(
      this.hub.onLinkUp(() => this.queuePlan()),
      this.hub.onLinkDown(() => this.queuePlan()),
    );
    this.lastRefreshMs = this.now();
    this.timer = setInterval(() => this.tick(), config.meshTickMs ?? DEFAULT_MESH_TICK_MS);
  }

  /** Reads the storage and starts; a storage that holds a log opens its replica at once. */
  static async start(config: MeshNodeConfig): Promise<MeshNode> {
    const storage = config.eagerCommit === false ? config.storage : new EagerCommitStorage(config.storage);
    const recovered = await storage.open();
    const node = new MeshNode(config, storage, recovered);
    if (!node.startedEmpty) await node.openReplica(undefined);
    node.queuePlan();
    return node;
  }

  /**
   * The BroadcastChannel transport's instance (the window's pagehide announces its departure);
   * null until the replica starts, or without BroadcastChannel.
   */
  get broadcastInstance(): string | null {
    return this.broadcast?.instance ?? null;
  }

  get running(): boolean {
    return this.replica !== null && !this.replica.closed;
  }

  /**
   * The signaling server's verdict for an empty replica: `founder` founds the ensemble with this
   * replica as its sole voter; otherwise it starts empty and joins. Ignored once the replica runs.
   */
  decideFounding(founder: boolean): Promise<void> {
    if (this.stopped || this.replica !== null || this.opening !== null) return this.opening ?? Promise.resolve();
    const founding: ConfState | undefined = founder && this.startedEmpty ? { voters: [this.replicaId], learners: [] } : undefined;
    return this.openReplica(founding);
  }

  /** The other peers in the signaling room (the window's SignalingClient roster). */
  setSignalingRoster(peers: readonly ReplicaId[]): void {
    this.signalingRoster = peers.filter((peer) => peer !== this.replicaId).slice(0, MAX_SIGNALING_ROSTER);
    this.queuePlan();
  }

  /**
   * A WebRTC link handed over by the window (channel-handoff.ts). It joins the hub once the window
   * reports the connection up (`webRtcConnected`), so a negotiation that fails never counts as a
   * link that went down.
   */
  addWebRtcLink(link: Link): void {
    if (link.closed) return;
    if (this.stopped || this.pendingWebRtc.size >= MAX_PENDING_WEBRTC_LINKS) {
      link.close(this.stopped ? 'replica left' : 'too many pending links');
      return;
    }
    this.pendingWebRtc.get(link.id)?.close('superseded');
    this.pendingWebRtc.set(link.id, link);
    link.onClose((reason) => {
      if (this.pendingWebRtc.get(link.id) === link) this.pendingWebRtc.delete(link.id);
      this.config.events?.webRtcLinkClosed?.(link.peer, link.id, reason);
    });
  }

  /** The window's peer connection for link `id` is up: the link joins the hub. */
  webRtcConnected(id: string): void {
    const link = this.pendingWebRtc.get(id);
    if (link === undefined) return;
    this.pendingWebRtc.delete(id);
    this.hub.add(link);
  }

  /** Serves a client of this tab (its session ends with the tab: fate-shared). */
  acceptClient(end: ClientConnectionEnd): void {
    if (this.stopped) {
      end.close('replica left');
      return;
    }
    if (this.replica !== null) {
      this.replica.accept(end, { fateShared: true });
      return;
    }
    if (this.waitingClients.length >= MAX_WAITING_CLIENTS) {
      end.close(`more than ${MAX_WAITING_CLIENTS} clients wait for the replica to start`);
      return;
    }
    this.waitingClients.push(end);
  }

  status(): MeshStatus {
    const replica = this.replica;
    const status = replica === null || replica.closed ? null : replica.status();
    return {
      replicaId: this.replicaId,
      deviceId: this.deviceId,
      phase: this.stopped || replica?.closed === true ? 'stopped' : replica === null ? 'waiting' : 'running',
      role: status?.role ?? 'none',
      leader: status?.leader ?? null,
      term: status?.term ?? 0,
      voters: status?.voters ?? [],
      learners: status?.learners ?? [],
      lastZxid: (status?.lastZxid ?? 0n).toString(16),
      appliedIndex: status?.appliedIndex ?? 0,
      commitIndex: status?.commitIndex ?? 0,
      lastIndex: status?.lastIndex ?? 0,
      peers: status?.peers ?? [],
      frozen: this.frozen,
      nodeCount: status?.nodeCount ?? 0,
      sessionCount: status?.sessionCount ?? 0,
      links: this.hub.links().map((link) => ({ peer: link.peer, kind: link.kind })),
      presence: [...this.presence.peers().values()],
    };
  }

  /** The replica is frozen: see `freeze`. */
  get frozen(): boolean {
    return this.thawTimer !== null && this.replica?.paused === true;
  }

  /**
   * Freezes this replica for `durationMs` as a browser freezes a hidden tab: no ticks, no presence,
   * no link plan; frames and client requests wait in order (Replica.pause) and are handled when it
   * thaws on its own. Its links stay open, so its peers see a silent member, not a departed one.
   * A second freeze restarts the clock. BADARGUMENTS outside [0, MAX_FREEZE_MS]; CONNECTIONLOSS when
   * the replica is not running (not opened yet, or stopped).
   */
  freeze(durationMs: number): void {
    if (!Number.isInteger(durationMs) || durationMs < 0 || durationMs > MAX_FREEZE_MS) {
      throw new KeeperError('BADARGUMENTS', `a freeze lasts a whole number of milliseconds in [0, ${MAX_FREEZE_MS}], got ${durationMs}`);
    }
    const replica = this.replica;
    if (this.stopped || replica === null || replica.closed) throw new KeeperError('CONNECTIONLOSS', 'the replica is not running');
    replica.pause();
    if (this.thawTimer !== null) clearTimeout(this.thawTimer);
    this.thawTimer = setTimeout(() => this.thaw(), durationMs);
  }

  /** Ends a freeze now (no effect when not frozen). */
  thaw(): void {
    if (this.thawTimer === null) return;
    clearTimeout(this.thawTimer);
    this.thawTimer = null;
    this.replica?.resume();
    this.queuePlan();
  }

  /**
   * Leaves cleanly (the tab goes away): tells linked peers, hands over leadership at once when it
   * leads (leave-handover.ts), closes this tab's sessions (Replica.leave, at most `timeoutMs`),
   * then closes every link.
   */
  async leave(timeoutMs: number): Promise<void> {
    if (this.stopped) return;
    // A frozen tab that closes thaws first, so it can still close its sessions and hand over.
    this.thaw();
    this.presence.leave();
    const replica = this.replica;
    const status = this.replicaStatus();
    const transferee = status === null ? null : leaveTransferee(status, new Set(this.hub.peers()));
    if (replica !== null && transferee !== null) replica.transferLeadership(transferee);
    this.halt();
    if (replica !== null) await replica.leave(timeoutMs);
    else await this.storage.close().catch(() => undefined);
    this.shutLinks('bye');
  }

  /** Stops at once (tests: a crash keeps what storage already has). */
  async close(): Promise<void> {
    if (this.stopped) return;
    this.presence.stop();
    const replica = this.replica;
    this.halt();
    if (replica !== null) await replica.close('mesh node closed');
    else await this.storage.close().catch(() => undefined);
    this.shutLinks('closed');
  }

  // ---------------------------------------------------------------- internals

  private halt(): void {
    this.stopped = true;
    clearInterval(this.timer);
    if (this.thawTimer !== null) clearTimeout(this.thawTimer);
    this.thawTimer = null;
    for (const off of this.unsubscribe.splice(0)) off();
    for (const end of this.waitingClients.splice(0)) end.close('replica left');
  }

  private shutLinks(reason: string): void {
    this.broadcast?.close();
    for (const link of [...this.pendingWebRtc.values()]) link.close(reason);
    this.pendingWebRtc.clear();
    this.hub.close(reason);
  }

  /**
   * Joins this profile's tabs over BroadcastChannel. Only once the replica may run: an empty one
   * waits for the signaling server (which checks the room secret) before any peer sees it.
   */
  private startBroadcast(): void {
    if (this.broadcast !== null || this.config.broadcast === false) return;
    const broadcast = createBroadcastTransport({ room: this.config.room, self: this.replicaId, ...this.config.broadcast });
    this.broadcast = broadcast;
    this.unsubscribe.push(
      broadcast.onLink((link) => this.hub.add(link)),
      broadcast.onPresence(() => this.queuePlan()),
    );
  }

  private openReplica(founding: ConfState | undefined): Promise<void> {
    this.startBroadcast();
    this.opening = (async () => {
      const replica = await Replica.open({
        id: this.replicaId,
        storage: new OpenedStorage(this.storage, this.recovered),
        hub: this.hub,
        peerCodec: MESH_PEER_CODEC,
        ...(founding === undefined ? {} : { founding }),
        options: { ...MESH_REPLICA_DEFAULTS, ...this.config.replicaOptions },
        ...(this.config.now === undefined ? {} : { now: this.config.now }),
        onFatal: (error) => this.config.events?.fatal?.(`storage failed: ${error.message}`),
      });
      if (this.stopped) {
        await replica.close('replica left');
        return;
      }
      this.replica = replica;
      for (const end of this.waitingClients.splice(0)) if (!end.closed) replica.accept(end, { fateShared: true });
      this.config.events?.opened?.();
      this.queuePlan();
    })();
    return this.opening;
  }

  private queuePlan(): void {
    if (this.planQueued || this.stopped) return;
    this.planQueued = true;
    queueMicrotask(() => {
      this.planQueued = false;
      if (this.stopped || this.thawTimer !== null) return;
      const status = this.replicaStatus();
      if (status !== null) this.manageEnsemble(status, this.now());
      this.plan(status);
    });
  }

  private replicaStatus(): ReplicaStatus | null {
    const replica = this.replica;
    return replica === null || replica.closed ? null : replica.status();
  }

  /** Which links to hold now: BroadcastChannel ones directly, WebRTC ones through the window. */
  private plan(status: ReplicaStatus | null): void {
    const nowMs = this.now();
    const heardOf = [...this.signalingRoster, ...(this.broadcast?.present() ?? []), ...this.hub.peers()];
    const wanted = wantedLinks({
      self: this.replicaId,
      selfDeviceId: this.deviceId,
      heardOf,
      voters: status?.voters ?? [],
      learners: status?.learners ?? [],
      leader: status?.leader ?? null,
      presence: this.presence.peers(),
    });
    const sticky = this.wanted.update([...wanted.broadcast, ...wanted.webrtc], nowMs);
    const announced = this.presence.peers();
    const onThisDevice = (peer: ReplicaId) => (announced.get(peer)?.deviceId ?? deviceOfReplica(peer)) === this.deviceId;
    const broadcastPeers = sticky.filter(onThisDevice);
    const webrtcPeers = sticky.filter((peer) => !onThisDevice(peer));
    this.broadcast?.setWanted(broadcastPeers);
    const key = webrtcPeers.join('\n');
    if (key !== this.lastWantedWebRtc) {
      this.lastWantedWebRtc = key;
      this.config.events?.wantedWebRtc?.(webrtcPeers);
    }
  }

  private tick(): void {
    if (this.stopped || this.thawTimer !== null) return;
    const status = this.replicaStatus();
    const nowMs = this.now();
    if (status !== null) {
      this.announce(status, nowMs);
      this.manageEnsemble(status, nowMs);
    }
    this.plan(status);
  }

  /** On the leader: the next membership change, if any (ensemble-manager.ts). */
  private manageEnsemble(status: ReplicaStatus, nowMs: number): void {
    if (status.role !== 'leader') return;
    const present = new Map<ReplicaId, string>();
    const announced = this.presence.peers();
    for (const peer of this.hub.peers()) present.set(peer, announced.get(peer)?.deviceId ?? deviceOfReplica(peer));
    const change = this.ensemble.decide(nowMs, status, present, this.deviceId);
    if (change !== null) this.replica?.proposeConfChange(change);
  }

  private announce(status: ReplicaStatus, nowMs: number): void {
    const role = status.voters.includes(this.replicaId) ? 'voter' : status.learners.includes(this.replicaId) ? 'observer' : 'joining';
    const appliedZxid = status.lastZxid.toString(16);
    if (this.presence.update({ role, term: status.term, leaderId: status.leader })) this.lastRefreshMs = nowMs;
    else if (nowMs - this.lastRefreshMs >= (this.config.presenceRefreshMs ?? DEFAULT_PRESENCE_REFRESH_MS)) {
      this.lastRefreshMs = nowMs;
      this.presence.refresh({ appliedZxid });
    }
  }
}
