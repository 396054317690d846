import { handOffDataChannel, type HandoffTarget } from '../transport/channel-handoff.js';
import type { ReceivedSignal } from '../transport/signaling-client-events.js';
import { createWebRtcPeer, type WebRtcPeer, type WebRtcSignal } from '../transport/webrtc-peer.js';
import { parseSignalEnvelope, signalEnvelope } from './signal-envelope.js';

/** The part of SignalingClient the WebRTC mesh uses. */
export interface SignalingLike {
  readonly state: string;
  readonly session: string;
  readonly peers: readonly string[];
  isInitiator(peer: string): boolean;
  resetNegotiation(peer: string): void;
  sendSignal(to: string, data: object): Promise<void>;
}

export interface WebRtcMeshOptions {
  readonly self: string;
  readonly signaling: SignalingLike;
  /** The replica worker: data channels are handed to it, and told when their connection is up. */
  readonly worker: HandoffTarget;
  readonly connected: (id: string) => void;
  /** The ensemble this device's replicas belong to (signals of another are dropped). */
  readonly ensembleId: () => string | undefined;
  readonly iceServers?: readonly RTCIceServer[];
  readonly connectTimeoutMs?: number;
  /** The higher id of a pair waits this long for the lower id's offer before offering itself. */
  readonly answerWaitMs?: number;
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  /** Bridge data channels through a port instead of transferring them (tests; old browsers). */
  readonly forceBridge?: boolean;
  readonly log?: (line: string) => void;
}

interface Connection {
  readonly peer: string;
  readonly id: string;
  readonly initiator: boolean;
  readonly rtc: WebRtcPeer;
  connected: boolean;
}

interface Retry {
  delayMs: number;
  notBeforeMs: number;
}

/** Connections (and so links) held at once at most. */
export const MAX_WEBRTC_CONNECTIONS = 64;
const CHECK_INTERVAL_MS = 250;

/**
 * The window's side of the links to other devices: one simple-peer connection per wanted peer,
 * negotiated through the signaling server, its replica data channel handed to the worker at once.
 * Either end may offer (the higher id after a short wait, so usually only the lower id does);
 * crossing offers are settled by SignalingClient's glare rule. A connection that closes is retried
 * with backoff while the peer is still wanted and in the room. A connection this end offered is
 * closed when the worker no longer wants it; the other end's are kept (it decides).
 * The signaling roster only gates new offers: existing connections outlive the signaling server.
 */
export class WebRtcMesh {
  private readonly options: WebRtcMeshOptions;
  private readonly connections = new Map<string, Connection>();
  private readonly retries = new Map<string, Retry>();
  private readonly wantedSinceMs = new Map<string, number>();
  /** When each peer last (re)appeared in the room or lost its connection: the higher id waits from then. */
  private readonly changedAtMs = new Map<string, number>();
  private inRoom = new Set<string>();
  private readonly timer: ReturnType<typeof setInterval>;
  private counter = 0;
  private stopped = false;

  constructor(options: WebRtcMeshOptions) {
    this.options = options;
    this.timer = setInterval(() => this.check(), CHECK_INTERVAL_MS);
  }

  /** Peers with a connection (connected or negotiating). */
  peers(): string[] {
    return [...this.connections.keys()];
  }

  /** The worker's plan: the peers on other devices it wants links to. */
  setWanted(peers: readonly string[]): void {
    const nowMs = Date.now();
    const wanted = new Set(peers);
    for (const peer of [...this.wantedSinceMs.keys()]) if (!wanted.has(peer)) this.wantedSinceMs.delete(peer);
    for (const peer of wanted) if (!this.wantedSinceMs.has(peer)) this.wantedSinceMs.set(peer, nowMs);
    for (const connection of [...this.connections.values()]) {
      if (connection.initiator && !wanted.has(connection.peer)) connection.rtc.destroy('unwanted');
    }
    this.check();
  }

  /** The signaling roster changed (someone joined, or we rejoined). */
  rosterChanged(): void {
    const nowMs = Date.now();
    const roster = new Set(this.options.signaling.peers);
    for (const peer of roster) if (!this.inRoom.has(peer)) this.changedAtMs.set(peer, nowMs);
    for (const peer of [...this.changedAtMs.keys()]) if (!roster.has(peer) && !this.wantedSinceMs.has(peer)) this.changedAtMs.delete(peer);
    this.inRoom = roster;
    this.check();
  }

  /** A signal from the signaling client. */
  handleSignal(event: ReceivedSignal): void {
    if (this.stopped) return;
    const envelope = parseSignalEnvelope(event.data);
    if (typeof envelope === 'string') {
      this.options.log?.(`signal from ${event.from} dropped: ${envelope}`);
      return;
    }
    const mine = this.options.ensembleId();
    if (mine === undefined || envelope.ensembleId !== mine) {
      this.options.log?.(`signal from ${event.from} dropped: it belongs to ensemble ${envelope.ensembleId}, not ${String(mine)}`);
      return;
    }
    const existing = this.connections.get(event.from);
    if (envelope.type === 'offer' && (existing === undefined || existing.id !== envelope.conn)) {
      // A new connection from the peer: glare rolled ours back, or the peer lost (or restarted) the old one.
      if (existing !== undefined) this.drop(existing, event.action === 'rollback' ? 'glare: the lower id offered' : 'superseded by a new offer');
      if (this.connections.size >= MAX_WEBRTC_CONNECTIONS) return;
      const connection = this.open(event.from, envelope.conn, false);
      connection.rtc.signal(envelope.signal);
      return;
    }
    if (existing !== undefined && existing.id === envelope.conn) existing.rtc.signal(envelope.signal);
  }

  /** The worker's link `id` to `peer` closed: its connection goes too. */
  linkClosed(peer: string, id: string): void {
    const connection = this.connections.get(peer);
    if (connection !== undefined && connection.id === id) connection.rtc.destroy('link closed');
  }

  /** Closes every connection and stops. */
  close(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    for (const connection of [...this.connections.values()]) connection.rtc.destroy('closed');
    this.connections.clear();
  }

  private check(): void {
    const { signaling } = this.options;
    if (this.stopped || signaling.state !== 'joined') return;
    const nowMs = Date.now();
    const inRoom = new Set(signaling.peers);
    for (const [peer, sinceMs] of this.wantedSinceMs) {
      if (this.connections.has(peer) || !inRoom.has(peer)) continue;
      if (this.connections.size >= MAX_WEBRTC_CONNECTIONS) return;
      const retry = this.retries.get(peer);
      if (retry !== undefined && nowMs < retry.notBeforeMs) continue;
      const waitFromMs = Math.max(sinceMs, this.changedAtMs.get(peer) ?? 0);
      if (!signaling.isInitiator(peer) && nowMs - waitFromMs < (this.options.answerWaitMs ?? 1_500)) continue;
      this.open(peer, `${this.options.self}~${signaling.session}~${++this.counter}`, true);
    }
  }

  private open(peer: string, id: string, initiator: boolean): Connection {
    const rtc = createWebRtcPeer({
      initiator,
      iceServers: this.options.iceServers ?? [],
      ...(this.options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: this.options.connectTimeoutMs }),
      sendSignal: (signal) => this.send(connection, signal),
    });
    const connection: Connection = { peer, id, initiator, rtc, connected: false };
    this.connections.set(peer, connection);
    this.options.log?.(`connection ${id} to ${peer}: ${initiator ? 'offering' : 'answering'}`);
    handOffDataChannel(this.options.worker, rtc.dataChannel, { peer, id }, { forceBridge: this.options.forceBridge ?? false });
    rtc.onConnect(() => {
      connection.connected = true;
      this.retries.delete(peer);
      this.options.log?.(`connection ${id} to ${peer}: up`);
      this.options.connected(id);
    });
    rtc.onClose((reason) => {
      if (this.connections.get(peer) !== connection) return;
      this.connections.delete(peer);
      this.changedAtMs.set(peer, Date.now());
      this.options.signaling.resetNegotiation(peer);
      this.options.log?.(`connection ${id} to ${peer} closed: ${reason}`);
      if (reason !== 'unwanted') this.backOff(peer, connection.connected);
      queueMicrotask(() => this.check());
    });
    return connection;
  }

  private send(connection: Connection, signal: WebRtcSignal): void {
    const ensembleId = this.options.ensembleId();
    if (ensembleId === undefined) {
      connection.rtc.destroy('no ensemble id yet');
      return;
    }
    this.options.signaling.sendSignal(connection.peer, signalEnvelope(ensembleId, connection.id, signal)).catch((error: unknown) => {
      // The negotiation cannot finish without this signal: start over once signaling is back.
      connection.rtc.destroy(`signal not sent: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  private drop(connection: Connection, reason: string): void {
    this.connections.delete(connection.peer);
    connection.rtc.destroy(reason);
  }

  private backOff(peer: string, wasConnected: boolean): void {
    const initialMs = this.options.retryInitialMs ?? 250;
    const previous = this.retries.get(peer);
    const delayMs = wasConnected || previous === undefined ? initialMs : Math.min(previous.delayMs * 2, this.options.retryMaxMs ?? 10_000);
    this.retries.set(peer, { delayMs, notBeforeMs: Date.now() + delayMs * (0.5 + Math.random() / 2) });
  }
}
