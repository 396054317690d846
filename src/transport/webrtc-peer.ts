import SimplePeer from 'simple-peer/simplepeer.min.js';
import { assert } from '../errors/keeper-error.js';
import type { Unsubscribe } from './link.js';

/**
 * The window's side of one WebRTC connection to another device: simple-peer does the SDP/ICE dance
 * (signals leave through `sendSignal` and come back through `signal`), and the replica gets its own
 * data channel the moment the connection object exists, untouched, so it can be transferred to the
 * worker before anything is sent on it.
 *
 * The channels: simple-peer is given a negotiated channel (id 0, 'mk-control') that it alone uses
 * for its 'connect'/'close' bookkeeping and that stays in the window; the replica's channel is
 * negotiated too (id 1, 'mk') and made by us on simple-peer's RTCPeerConnection, which we get through
 * simple-peer's documented `wrtc` option (a subclass that records the instance). So nothing relies
 * on simple-peer's private `_channel`/`_pc`, and simple-peer never sets handlers on the channel we
 * transfer. Negotiated channels exist at both ends as soon as the peers are created (no
 * 'datachannel' event to wait for), so both ends can transfer theirs at once.
 */

export type WebRtcSignal = SimplePeer.SignalData;

export interface WebRtcPeerOptions {
  /** Exactly one end initiates (makes the offer); the signaling client decides which. */
  readonly initiator: boolean;
  /** Carries a signal to the other end (through the signaling server). */
  readonly sendSignal: (signal: WebRtcSignal) => void;
  /** STUN/TURN servers; none by default (same host or LAN, and the loopback-only tests). */
  readonly iceServers?: readonly RTCIceServer[];
  /** The connection is destroyed ('connect timeout') if not connected within this. */
  readonly connectTimeoutMs?: number;
  /** Trickle ICE candidates as separate signals (default true). */
  readonly trickle?: boolean;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 20_000;
/** The data channel ids both ends agree on without in-band negotiation. */
export const CONTROL_CHANNEL_ID = 0;
export const REPLICA_CHANNEL_ID = 1;
export const REPLICA_CHANNEL_LABEL = 'mk';
/** The largest SDP accepted in a signal. */
export const MAX_SDP_CHARS = 64 * 1024;

export interface WebRtcPeer {
  /**
   * The replica's data channel (negotiated id 1): created with the peer, still 'connecting', no
   * handler set. Transfer it to the worker now (channel-handoff.ts), or wrap it with createWebRtcLink.
   */
  readonly dataChannel: RTCDataChannel;
  readonly connected: boolean;
  readonly closed: boolean;
  /** The largest message the connection takes (RTCSctpTransport.maxMessageSize), once known. */
  maxMessageBytes(): number | undefined;
  /** A signal from the other end. One that is not an offer, answer or candidate closes the peer. */
  signal(signal: unknown): void;
  onConnect(listener: () => void): Unsubscribe;
  /** Once, with why: 'connect timeout', 'destroyed: …', 'malformed signal: …', 'error: …', 'closed'. */
  onClose(listener: (reason: string) => void): Unsubscribe;
  /** Closes the connection; the data channel closes with it, wherever it lives. */
  destroy(reason?: string): void;
}

export function createWebRtcPeer(options: WebRtcPeerOptions): WebRtcPeer {
  return new SimpleWebRtcPeer(options);
}

/** Why `value` is not a signal meshkeeper exchanges, or undefined when it is one. */
export function checkWebRtcSignal(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not an object';
  const fields = value as Readonly<Record<string, unknown>>;
  switch (fields.type) {
    case 'offer':
    case 'answer':
      return typeof fields.sdp === 'string' && fields.sdp.length <= MAX_SDP_CHARS ? undefined : `${fields.type} without a usable sdp`;
    case 'candidate': {
      const candidate = fields.candidate;
      if (typeof candidate !== 'object' || candidate === null) return 'candidate without a candidate';
      const { candidate: line } = candidate as { candidate?: unknown };
      return typeof line === 'string' && line.length <= 4096 ? undefined : 'candidate without a candidate line';
    }
    default:
      return `unexpected signal type ${JSON.stringify(String(fields.type)).slice(0, 40)}`;
  }
}

class SimpleWebRtcPeer implements WebRtcPeer {
  readonly dataChannel: RTCDataChannel;
  private readonly peer: SimplePeer.Instance;
  private readonly connection: RTCPeerConnection;
  private readonly connectListeners = new Set<() => void>();
  private readonly closeListeners = new Set<(reason: string) => void>();
  private readonly timer: ReturnType<typeof setTimeout>;
  private isConnected = false;
  private closeReason: string | undefined = undefined;

  constructor(options: WebRtcPeerOptions) {
    let captured: RTCPeerConnection | undefined;
    class RecordingPeerConnection extends RTCPeerConnection {
      constructor(configuration?: RTCConfiguration) {
        super(configuration);
        captured = this;
      }
    }
    this.peer = new SimplePeer({
      initiator: options.initiator,
      config: { iceServers: [...(options.iceServers ?? [])] },
      channelName: 'mk-control',
      channelConfig: { negotiated: true, id: CONTROL_CHANNEL_ID },
      trickle: options.trickle ?? true,
      wrtc: { RTCPeerConnection: RecordingPeerConnection, RTCSessionDescription, RTCIceCandidate },
    });
    assert(captured !== undefined, 'simple-peer created its RTCPeerConnection through the wrtc option');
    this.connection = captured;
    this.dataChannel = this.connection.createDataChannel(REPLICA_CHANNEL_LABEL, { negotiated: true, id: REPLICA_CHANNEL_ID, ordered: true });
    this.peer.on('signal', (signal: WebRtcSignal) => {
      if (this.closeReason === undefined) options.sendSignal(signal);
    });
    this.peer.on('connect', () => {
      if (this.closeReason !== undefined) return;
      this.isConnected = true;
      clearTimeout(this.timer);
      for (const listener of [...this.connectListeners]) listener();
    });
    this.peer.on('error', (error: Error & { code?: string }) => this.finish(`error: ${error.code ?? 'ERR'}: ${error.message}`));
    this.peer.on('close', () => this.finish('closed'));
    this.timer = setTimeout(() => {
      if (!this.isConnected) this.destroy('connect timeout');
    }, options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
  }

  get connected(): boolean {
    return this.isConnected && this.closeReason === undefined;
  }

  get closed(): boolean {
    return this.closeReason !== undefined;
  }

  maxMessageBytes(): number | undefined {
    return this.connection.sctp?.maxMessageSize ?? undefined;
  }

  signal(signal: unknown): void {
    if (this.closeReason !== undefined) return;
    const problem = checkWebRtcSignal(signal);
    if (problem !== undefined) {
      this.destroy(`malformed signal: ${problem}`);
      return;
    }
    this.peer.signal(signal as WebRtcSignal);
  }

  onConnect(listener: () => void): Unsubscribe {
    this.connectListeners.add(listener);
    return () => this.connectListeners.delete(listener);
  }

  onClose(listener: (reason: string) => void): Unsubscribe {
    if (this.closeReason !== undefined) {
      listener(this.closeReason);
      return () => undefined;
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  destroy(reason = 'destroyed'): void {
    this.finish(reason);
  }

  private finish(reason: string): void {
    if (this.closeReason !== undefined) return;
    this.closeReason = reason;
    clearTimeout(this.timer);
    this.peer.destroy();
    // simple-peer closes its RTCPeerConnection on a later microtask; close it now so the replica's
    // channel (possibly in a worker) hears 'close' without waiting.
    this.connection.close();
    this.connectListeners.clear();
    const listeners = [...this.closeListeners];
    this.closeListeners.clear();
    for (const listener of listeners) listener(reason);
  }
}
