import type { ConnectFn } from '../client/connection.js';
import { KeeperError } from '../errors/keeper-error.js';
import type { EnsemblePolicyOptions } from '../membership/ensemble-policy.js';
import type { MeshStatus } from '../mesh/mesh-node.js';
import { WORKER_MESSAGE_LIMITS, type WorkerNodeOptions, type WorkerToPage } from '../mesh/worker-protocol.js';
import type { ReplicaCoreOptions } from '../server/core-options.js';
import type { LogDurability } from '../storage/idb-store.js';
import { announceDeparture } from '../transport/broadcast-transport.js';
import { SignalingClient } from '../transport/signaling-client.js';
import type { SignalingClientState } from '../transport/signaling-client-events.js';
import { foundsEnsemble, freshEnsembleId, storeEnsembleId, storedEnsembleId } from './ensemble-id.js';
import { claimReplicaIdentity, type ReplicaIdentity } from './replica-identity.js';
import { WebRtcMesh } from './webrtc-mesh.js';
import { ReplicaWorkerHost, type WorkerLike } from './worker-host.js';

/** How a page joins a room's mesh. */
export interface MeshOptions {
  /** The room: every tab and device with the same room and secret forms one ensemble. */
  readonly room: string;
  /** The signaling server's ws:// or wss:// URL. */
  readonly signaling: string;
  /** The room's secret (use a high-entropy one: see signaling/README.md, "Threat model"). */
  readonly secret: string;
  /** STUN/TURN servers for WebRTC (none by default: same host or LAN). */
  readonly iceServers?: readonly RTCIceServer[];
  /** The replica's options (tick, timeouts, limits: src/server/core-options.ts). */
  readonly replica?: Partial<ReplicaCoreOptions>;
  /** Ensemble management: voters wanted, grace periods (src/membership/ensemble-policy.ts). */
  readonly policy?: Partial<EnsemblePolicyOptions>;
  /** How often the replica re-announces its presence, with its applied zxid, to its peers (default 5 s; at least 250 ms). */
  readonly presenceRefreshMs?: number;
  /** When IndexedDB writes count as durable ('strict' by default). */
  readonly durability?: LogDurability;
  /** The SignalingClient's reconnect backoff, heartbeat, and PBKDF2 iterations (every peer must use the same). */
  readonly signalingOptions?: {
    readonly reconnectInitialDelayMs?: number;
    readonly reconnectMaxDelayMs?: number;
    readonly heartbeatIntervalMs?: number;
    readonly pbkdf2Iterations?: number;
  };
  /** How long the worker may take to leave cleanly on pagehide (default 500 ms). */
  readonly leaveTimeoutMs?: number;
  /** Where the replica worker's module is (default: worker/replica-worker.ts next to this package's src). */
  readonly workerUrl?: string | URL;
  /** How many tabs of one device may hold replicas of the room (default 16). */
  readonly maxSlots?: number;
  /** Diagnostics (connections, dropped signals, worker errors). */
  readonly log?: (line: string) => void;
}

/** A page's mesh state, for status views and tests. */
export interface BrowserMeshStatus extends MeshStatus {
  readonly slot: number;
  readonly signaling: SignalingClientState;
  readonly ensembleId: string | null;
  /** Peers on other devices with a WebRTC connection (up or negotiating). */
  readonly webrtcPeers: readonly string[];
}

function startWorker(options: MeshOptions): WorkerLike {
  if (options.workerUrl !== undefined) return new Worker(options.workerUrl, { type: 'module', name: `meshkeeper ${options.room}` });
  return new Worker(new URL('../../worker/replica-worker.ts', import.meta.url), { type: 'module', name: `meshkeeper ${options.room}` });
}

/**
 * One page's part of a room's mesh: this tab's replica identity (device id + Web Locks slot), its
 * replica worker, the SignalingClient and the WebRTC connections to other devices (their data
 * channels handed to the worker). The page's clients connect through `endpoint`. `pagehide` makes
 * the worker leave (close this tab's sessions, hand over leadership) and tells this profile's
 * other tabs at once over BroadcastChannel.
 */
export class BrowserMesh {
  readonly room: string;
  readonly replicaId: string;
  readonly deviceId: string;
  /** Rejects when the mesh fails for good (wrong secret, storage failure); never resolves. */
  readonly failed: Promise<never>;
  private readonly options: MeshOptions;
  private readonly identity: ReplicaIdentity;
  private readonly host: ReplicaWorkerHost;
  private readonly signaling: SignalingClient;
  private readonly webrtc: WebRtcMesh;
  private readonly proposedFresh: boolean;
  private readonly failureListeners = new Set<(error: KeeperError) => void>();
  private readonly onPageHide = () => this.leaveNow();
  private broadcastInstance: string | null = null;
  private ensembleId: string | null;
  private foundingSent = false;
  private failure: KeeperError | null = null;
  private leaving = false;
  private rejectFailed: (error: KeeperError) => void = () => undefined;

  private constructor(options: MeshOptions, identity: ReplicaIdentity, host: ReplicaWorkerHost) {
    this.options = options;
    this.room = options.room;
    this.identity = identity;
    this.replicaId = identity.replicaId;
    this.deviceId = identity.deviceId;
    this.host = host;
    this.failed = new Promise<never>((_, reject) => {
      this.rejectFailed = reject;
    });
    this.failed.catch(() => undefined);
    const stored = storedEnsembleId(localStorage, options.room);
    this.ensembleId = stored;
    this.proposedFresh = stored === null;
    const signalingOptions = options.signalingOptions ?? {};
    this.signaling = new SignalingClient({
      url: options.signaling,
      WebSocket,
      room: options.room,
      peerId: identity.replicaId,
      ensembleId: stored ?? freshEnsembleId(),
      secret: options.secret,
      ...(signalingOptions.reconnectInitialDelayMs === undefined ? {} : { reconnectInitialDelayMs: signalingOptions.reconnectInitialDelayMs }),
      ...(signalingOptions.reconnectMaxDelayMs === undefined ? {} : { reconnectMaxDelayMs: signalingOptions.reconnectMaxDelayMs }),
      ...(signalingOptions.heartbeatIntervalMs === undefined ? {} : { heartbeatIntervalMs: signalingOptions.heartbeatIntervalMs }),
      ...(signalingOptions.pbkdf2Iterations === undefined ? {} : { pbkdf2Iterations: signalingOptions.pbkdf2Iterations }),
    });
    this.webrtc = new WebRtcMesh({
      self: identity.replicaId,
      signaling: this.signaling,
      worker: host.worker,
      connected: (id) => host.post({ type: 'mk:webrtc-connected', id }),
      ensembleId: () => this.ensembleId ?? undefined,
      ...(options.iceServers === undefined ? {} : { iceServers: options.iceServers }),
      ...(options.log === undefined ? {} : { log: options.log }),
    });
    host.on((message) => this.fromWorker(message));
    this.signaling.on('joined', (event) => {
      if (this.ensembleId === null) {
        this.ensembleId = event.ensembleId;
        storeEnsembleId(localStorage, this.room, event.ensembleId);
      } else if (event.ensembleId !== this.ensembleId) {
        options.log?.(`the room now names ensemble ${event.ensembleId}; this device's replicas belong to ${this.ensembleId} and link to its members only`);
      }
      options.log?.(`joined the room (founder: ${event.founder}, rejoin: ${event.rejoin}, ${event.peers.length} peers)`);
      if (!this.foundingSent) {
        this.foundingSent = true;
        host.post({ type: 'mk:founding', founder: foundsEnsemble(this.proposedFresh, event) && event.ensembleId === this.ensembleId });
      }
      this.rosterChanged();
    });
    this.signaling.on('peer-joined', () => this.rosterChanged());
    this.signaling.on('peer-left', () => this.rosterChanged());
    this.signaling.on('signal', (event) => this.webrtc.handleSignal(event));
    this.signaling.on('error', (event) => {
      options.log?.(`signaling: ${event.code}: ${event.message}`);
      if (!event.fatal) return;
      const code = event.code === 'auth-failed' ? 'AUTHFAILED' : 'SYSTEMERROR';
      this.fail(new KeeperError(code, `the signaling server refused this peer: ${event.code}: ${event.message}`));
    });
    addEventListener('pagehide', this.onPageHide);
  }

  /** Claims this tab's identity, starts the worker and joins the room. */
  static async start(options: MeshOptions): Promise<BrowserMesh> {
    const identity = await claimReplicaIdentity({ room: options.room, ...(options.maxSlots === undefined ? {} : { maxSlots: options.maxSlots }) });
    let worker: WorkerLike;
    try {
      worker = startWorker(options);
    } catch (error) {
      identity.release();
      throw new KeeperError('SYSTEMERROR', `cannot start the replica worker: ${error instanceof Error ? error.message : String(error)}`);
    }
    const host = new ReplicaWorkerHost(worker);
    // The mesh listens to the worker before the worker starts: no message of it is missed.
    const mesh = new BrowserMesh(options, identity, host);
    const started = host.next((message) => (message.type === 'mk:started' || (message.type === 'mk:error' && message.fatal) ? message : undefined));
    const nodeOptions: WorkerNodeOptions = {
      ...(options.replica === undefined ? {} : { replica: options.replica }),
      ...(options.policy === undefined ? {} : { policy: options.policy }),
      ...(options.durability === undefined ? {} : { durability: options.durability }),
      ...(options.presenceRefreshMs === undefined ? {} : { presenceRefreshMs: Math.max(250, options.presenceRefreshMs) }),
    };
    host.post({ type: 'mk:init', room: options.room, replicaId: identity.replicaId, deviceId: identity.deviceId, options: nodeOptions });
    const first = await started;
    if (first.type !== 'mk:started') {
      mesh.dispose();
      throw new KeeperError('SYSTEMERROR', first.type === 'mk:error' ? first.message : 'the replica worker did not start');
    }
    if (mesh.failure !== null) throw mesh.failure;
    mesh.signaling.start();
    return mesh;
  }

  /** Undoes a start that failed. */
  private dispose(): void {
    this.leaving = true;
    removeEventListener('pagehide', this.onPageHide);
    this.signaling.close();
    this.webrtc.close();
    this.host.worker.terminate();
    this.identity.release();
  }

  /** The endpoint of this tab's replica, for a MeshKeeperClient. */
  readonly endpoint: ConnectFn = () => {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.leaving) return Promise.reject(new KeeperError('CONNECTIONLOSS', 'this tab left the mesh'));
    return Promise.resolve(this.host.openClientConnection());
  };

  get failureReason(): KeeperError | null {
    return this.failure;
  }

  /** Called once if the mesh fails for good. */
  onFailure(listener: (error: KeeperError) => void): () => void {
    if (this.failure !== null) listener(this.failure);
    else this.failureListeners.add(listener);
    return () => this.failureListeners.delete(listener);
  }

  async status(): Promise<BrowserMeshStatus> {
    const status = await this.host.status();
    return { ...status, slot: this.identity.slot, signaling: this.signaling.state, ensembleId: this.ensembleId, webrtcPeers: this.webrtc.peers() };
  }

  /**
   * Freezes this tab's replica for `durationMs` (at most 60 s), as a browser freezes a hidden tab:
   * it stops ticking and answering, its links stay open, and what arrives waits until it thaws on
   * its own. For demos and failover drills; `status().frozen` says whether it is frozen.
   */
  freeze(durationMs: number): void {
    if (!Number.isInteger(durationMs) || durationMs < 0 || durationMs > WORKER_MESSAGE_LIMITS.freezeMaxMs) {
      throw new KeeperError('BADARGUMENTS', `a freeze lasts a whole number of milliseconds in [0, ${WORKER_MESSAGE_LIMITS.freezeMaxMs}]`);
    }
    if (this.leaving) throw new KeeperError('CONNECTIONLOSS', 'this tab left the mesh');
    this.host.post({ type: 'mk:freeze', durationMs });
  }

  /** True once this tab left the mesh (`leave`, pagehide, or a failure). */
  get left(): boolean {
    return this.leaving;
  }

  /** Leaves the mesh as a closing tab does, and waits for the worker to finish. */
  async leave(): Promise<void> {
    if (this.leaving) return;
    const left = this.host.next((message) => (message.type === 'mk:left' ? true : undefined));
    this.leaveNow();
    await Promise.race([left, new Promise((resolve) => setTimeout(resolve, (this.options.leaveTimeoutMs ?? 500) + 2_000))]);
    this.webrtc.close();
    this.host.worker.terminate();
    this.identity.release();
  }

  private leaveNow(): void {
    if (this.leaving) return;
    this.leaving = true;
    removeEventListener('pagehide', this.onPageHide);
    this.host.post({ type: 'mk:leave', timeoutMs: this.options.leaveTimeoutMs ?? 500 });
    // The worker may not outlive the tab long enough to say bye itself: the window says it now.
    if (this.broadcastInstance !== null) announceDeparture(this.room, this.replicaId, this.broadcastInstance);
    this.signaling.close();
  }

  private rosterChanged(): void {
    this.host.post({ type: 'mk:roster', peers: [...this.signaling.peers] });
    this.webrtc.rosterChanged();
  }

  private fromWorker(message: WorkerToPage): void {
    switch (message.type) {
      case 'mk:wanted':
        this.webrtc.setWanted(message.webrtc);
        return;
      case 'mk:opened':
        this.broadcastInstance = message.broadcastInstance;
        this.options.log?.('the replica runs');
        return;
      case 'mk:link-closed':
        this.webrtc.linkClosed(message.peer, message.id);
        return;
      case 'mk:error':
        this.options.log?.(`replica worker: ${message.message}`);
        if (message.fatal) this.fail(new KeeperError('SYSTEMERROR', `the replica stopped: ${message.message}`));
        return;
      default:
        return;
    }
  }

  private fail(error: KeeperError): void {
    if (this.failure !== null) return;
    this.failure = error;
    this.leaveNow();
    this.webrtc.close();
    this.rejectFailed(error);
    for (const listener of [...this.failureListeners]) listener(error);
    this.failureListeners.clear();
  }
}
