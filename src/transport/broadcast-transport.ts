import type { ReplicaId } from '../consensus/types.js';
import { assert } from '../errors/keeper-error.js';
import { createPrng, type Prng } from '../util/prng.js';
import { Backoff, DEFAULT_BACKOFF_POLICY, type BackoffPolicy } from './backoff.js';
import { BroadcastLink } from './broadcast-link.js';
import {
  BROADCAST_PROTOCOL_VERSION,
  openBroadcastChannel,
  pairChannelName,
  parsePairMessage,
  parseRoomMessage,
  roomChannelName,
  type BroadcastChannelLike,
  type OpenBroadcastChannel,
  type PairMessage,
  type RoomMessage,
} from './broadcast-protocol.js';
import { CloseReason, DEFAULT_MAX_FRAME_BYTES, type Link, type Unsubscribe } from './link.js';

export interface BroadcastTransportOptions {
  /** Tabs of one profile in the same room share the channel `meshkeeper:<room>`. */
  readonly room: string;
  readonly self: ReplicaId;
  readonly maxFrameBytes?: number;
  /** How often links ping when idle and check for silence. */
  readonly heartbeatIntervalMs?: number;
  /** A link that hears nothing for this long closes with 'timeout'; so does an unanswered open. */
  readonly peerTimeoutMs?: number;
  /** A tab not heard from for this long (and without a link) is no longer present. */
  readonly presenceTimeoutMs?: number;
  /** Links and pending opens together. */
  readonly maxLinks?: number;
  /** Tabs remembered as present. */
  readonly maxPeers?: number;
  /** Whether to accept a link a peer asks for (default: yes, within maxLinks). */
  readonly acceptLink?: (peer: ReplicaId) => boolean;
  readonly backoff?: BackoffPolicy;
  readonly prng?: Prng;
  readonly openChannel?: OpenBroadcastChannel;
}

/**
 * Heartbeat every second; a link silent for 4 s closes (a frozen or crashed tab; a closed tab says
 * bye and is noticed at once). Presence lasts 30 s without news and is re-announced every 10 s.
 */
export const DEFAULT_BROADCAST_TIMINGS = { heartbeatIntervalMs: 1000, peerTimeoutMs: 4000, presenceTimeoutMs: 30_000 } as const;

export interface BroadcastTransport {
  readonly room: string;
  readonly self: ReplicaId;
  /** Random per transport: tells a reloaded tab from the one it replaces. */
  readonly instance: string;
  /** Replicas whose tabs are present in the room (on this profile). */
  present(): ReplicaId[];
  /** Open links. */
  links(): Link[];
  /**
   * The peers this replica wants links to (topology.ts, medium 'broadcast'): links to present ones
   * are opened, and retried with backoff; links to peers no longer wanted are closed ('unwanted').
   */
  setWanted(peers: Iterable<ReplicaId>): void;
  /** Each new link, once both ends agreed (hand it to the LinkHub). */
  onLink(listener: (link: Link) => void): Unsubscribe;
  onPresence(listener: (peer: ReplicaId, present: boolean) => void): Unsubscribe;
  /** Says bye on every link and in the room, and stops. */
  close(): void;
}

interface Presence {
  instance: string;
  lastHeardTick: number;
}

interface PendingOpen {
  readonly peer: ReplicaId;
  readonly id: string;
  readonly channel: BroadcastChannelLike;
  readonly startedTick: number;
  readonly listener: (event: MessageEvent) => void;
}

export function createBroadcastTransport(options: BroadcastTransportOptions): BroadcastTransport {
  return new BroadcastTransportImpl(options);
}

/** Tells the tabs of `room` that `self` (its transport `instance`) leaves: for the window's pagehide. */
export function announceDeparture(room: string, self: ReplicaId, instance: string, openChannel: OpenBroadcastChannel = openBroadcastChannel): void {
  const channel = openChannel(roomChannelName(room));
  channel.postMessage({ v: BROADCAST_PROTOCOL_VERSION, t: 'bye', from: self, instance } satisfies RoomMessage);
  channel.close();
}

function randomInstance(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

class BroadcastTransportImpl implements BroadcastTransport {
  readonly room: string;
  readonly self: ReplicaId;
  readonly instance = randomInstance();
  private readonly maxFrameBytes: number;
  private readonly timeoutTicks: number;
  private readonly presenceTicks: number;
  private readonly announceTicks: number;
  private readonly maxLinks: number;
  private readonly maxPeers: number;
  private readonly acceptLink: (peer: ReplicaId) => boolean;
  private readonly backoffPolicy: BackoffPolicy;
  private readonly prng: Prng;
  private readonly heartbeatIntervalMs: number;
  private readonly openChannel: OpenBroadcastChannel;
  private readonly roomChannel: BroadcastChannelLike;
  private readonly interval: ReturnType<typeof setInterval>;

  private tick = 0;
  private linkCounter = 0;
  private stopped = false;
  private wanted = new Set<ReplicaId>();
  private readonly presence = new Map<ReplicaId, Presence>();
  private readonly established = new Map<ReplicaId, BroadcastLink>();
  private readonly pending = new Map<ReplicaId, PendingOpen>();
  private readonly retry = new Map<ReplicaId, { backoff: Backoff; notBeforeTick: number }>();
  private readonly linkListeners = new Set<(link: Link) => void>();
  private readonly presenceListeners = new Set<(peer: ReplicaId, present: boolean) => void>();
  private readonly onRoomMessage = (event: MessageEvent) => this.receiveRoom(event.data);

  constructor(options: BroadcastTransportOptions) {
    assert(options.room.length > 0 && options.room.length <= 256, 'a room name has 1 to 256 characters');
    assert(options.self.length > 0 && options.self.length <= 256, 'a replica id has 1 to 256 characters');
    this.room = options.room;
    this.self = options.self;
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? DEFAULT_BROADCAST_TIMINGS.heartbeatIntervalMs;
    const peerTimeoutMs = options.peerTimeoutMs ?? DEFAULT_BROADCAST_TIMINGS.peerTimeoutMs;
    const presenceTimeoutMs = options.presenceTimeoutMs ?? DEFAULT_BROADCAST_TIMINGS.presenceTimeoutMs;
    assert(this.heartbeatIntervalMs > 0 && peerTimeoutMs >= 2 * this.heartbeatIntervalMs, 'peerTimeoutMs must be at least two heartbeat intervals');
    assert(presenceTimeoutMs >= 3 * this.heartbeatIntervalMs, 'presenceTimeoutMs must be at least three heartbeat intervals');
    this.timeoutTicks = Math.ceil(peerTimeoutMs / this.heartbeatIntervalMs);
    this.presenceTicks = Math.ceil(presenceTimeoutMs / this.heartbeatIntervalMs);
    this.announceTicks = Math.max(1, Math.floor(this.presenceTicks / 3));
    this.maxLinks = options.maxLinks ?? 64;
    this.maxPeers = options.maxPeers ?? 256;
    this.acceptLink = options.acceptLink ?? (() => true);
    this.backoffPolicy = options.backoff ?? DEFAULT_BACKOFF_POLICY;
    this.prng = options.prng ?? createPrng(crypto.getRandomValues(new Uint32Array(1))[0] ?? 0);
    this.openChannel = options.openChannel ?? openBroadcastChannel;
    this.roomChannel = this.openChannel(roomChannelName(this.room));
    this.roomChannel.addEventListener('message', this.onRoomMessage);
    this.postRoom({ v: BROADCAST_PROTOCOL_VERSION, t: 'hello', from: this.self, instance: this.instance, wantsReply: true });
    this.interval = setInterval(() => this.onTick(), this.heartbeatIntervalMs);
  }

  present(): ReplicaId[] {
    return [...this.presence.keys()];
  }

  links(): Link[] {
    return [...this.established.values()];
  }

  setWanted(peers: Iterable<ReplicaId>): void {
    if (this.stopped) return;
    this.wanted = new Set([...peers].filter((peer) => peer !== this.self));
    for (const [peer, link] of [...this.established]) if (!this.wanted.has(peer) && link.id.startsWith(`${this.self}~${this.instance}~`)) link.close('unwanted');
    for (const peer of [...this.pending.keys()]) if (!this.wanted.has(peer)) this.abandon(peer);
    for (const peer of this.retry.keys()) if (!this.wanted.has(peer)) this.retry.delete(peer);
    this.openWanted();
  }

  onLink(listener: (link: Link) => void): Unsubscribe {
    this.linkListeners.add(listener);
    return () => this.linkListeners.delete(listener);
  }

  onPresence(listener: (peer: ReplicaId, present: boolean) => void): Unsubscribe {
    this.presenceListeners.add(listener);
    return () => this.presenceListeners.delete(listener);
  }

  close(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.interval);
    for (const peer of [...this.pending.keys()]) this.abandon(peer);
    for (const link of [...this.established.values()]) link.close(CloseReason.transportClosed);
    this.postRoom({ v: BROADCAST_PROTOCOL_VERSION, t: 'bye', from: this.self, instance: this.instance });
    this.roomChannel.removeEventListener('message', this.onRoomMessage);
    this.roomChannel.close();
  }

  private onTick(): void {
    if (this.stopped) return;
    this.tick += 1;
    for (const link of [...this.established.values()]) link.heartbeat(this.timeoutTicks);
    for (const open of [...this.pending.values()]) {
      if (this.tick - open.startedTick > this.timeoutTicks) {
        this.abandon(open.peer);
        this.scheduleRetry(open.peer);
      }
    }
    for (const [peer, seen] of [...this.presence]) {
      if (this.established.has(peer)) seen.lastHeardTick = this.tick;
      else if (this.tick - seen.lastHeardTick > this.presenceTicks) this.forget(peer);
    }
    if (this.tick % this.announceTicks === 0) {
      this.postRoom({ v: BROADCAST_PROTOCOL_VERSION, t: 'hello', from: this.self, instance: this.instance, wantsReply: false });
    }
    this.openWanted();
  }

  private receiveRoom(value: unknown): void {
    if (this.stopped) return;
    const message = parseRoomMessage(value);
    if (message === undefined || message.from === this.self) return;
    switch (message.t) {
      case 'hello':
        this.heard(message.from, message.instance);
        if (message.wantsReply) {
          this.postRoom({ v: BROADCAST_PROTOCOL_VERSION, t: 'hello', from: this.self, instance: this.instance, wantsReply: false });
        }
        this.openWanted();
        return;
      case 'open':
        if (message.to !== this.self) return;
        if (message.toInstance !== this.instance) return; // meant for the tab this one replaced
        this.heard(message.from, message.instance);
        this.answerOpen(message.from, message.link);
        return;
      case 'bye': {
        const seen = this.presence.get(message.from);
        if (seen === undefined || seen.instance !== message.instance) return;
        this.forget(message.from);
        return;
      }
    }
  }

  /** Records presence; a new instance of a known replica means its old tab is gone. */
  private heard(peer: ReplicaId, instance: string): void {
    const seen = this.presence.get(peer);
    if (seen !== undefined) {
      if (seen.instance !== instance) {
        this.dropLinks(peer, CloseReason.peerRestarted);
        this.retry.delete(peer); // the new tab is there now: reopen at once, no backoff
        seen.instance = instance;
      }
      seen.lastHeardTick = this.tick;
      return;
    }
    if (this.presence.size >= this.maxPeers) return;
    this.presence.set(peer, { instance, lastHeardTick: this.tick });
    for (const listener of [...this.presenceListeners]) listener(peer, true);
  }

  private forget(peer: ReplicaId): void {
    if (!this.presence.delete(peer)) return;
    this.dropLinks(peer, CloseReason.bye);
    for (const listener of [...this.presenceListeners]) listener(peer, false);
  }

  private dropLinks(peer: ReplicaId, reason: string): void {
    this.abandon(peer);
    this.established.get(peer)?.peerLeft(reason);
  }

  private answerOpen(peer: ReplicaId, id: string): void {
    const channel = this.openChannel(pairChannelName(this.room, id));
    const refuse = (reason: string) => {
      channel.postMessage({ t: 'reject', from: this.self, reason } satisfies PairMessage);
      channel.close();
    };
    const mine = this.pending.get(peer);
    if (mine !== undefined) {
      // Both asked at once: the smaller replica id's request wins at both ends.
      if (this.self < peer) {
        refuse('glare');
        return;
      }
      this.abandon(peer);
    }
    // A peer asks again only when it holds no link to us: whatever we still hold is stale.
    this.established.get(peer)?.peerLeft('superseded');
    if (!this.acceptLink(peer)) {
      refuse('unwanted');
      return;
    }
    if (this.established.size + this.pending.size >= this.maxLinks) {
      refuse(CloseReason.tooManyLinks);
      return;
    }
    channel.postMessage({ t: 'accept', from: this.self } satisfies PairMessage);
    this.establish(peer, id, channel);
  }

  private openWanted(): void {
    for (const peer of this.wanted) {
      const seen = this.presence.get(peer);
      if (seen === undefined || this.established.has(peer) || this.pending.has(peer)) continue;
      const retry = this.retry.get(peer);
      if (retry !== undefined && this.tick < retry.notBeforeTick) continue;
      if (this.established.size + this.pending.size >= this.maxLinks) return;
      this.startOpen(peer, seen.instance);
    }
  }

  private startOpen(peer: ReplicaId, peerInstance: string): void {
    this.linkCounter += 1;
    const id = `${this.self}~${this.instance}~${this.linkCounter}`;
    const channel = this.openChannel(pairChannelName(this.room, id));
    const listener = (event: MessageEvent) => {
      const message = parsePairMessage(event.data);
      if (typeof message === 'string' || message.from !== peer) return;
      if (message.t === 'accept') {
        this.unpend(peer);
        this.establish(peer, id, channel);
      } else if (message.t === 'reject') {
        this.abandon(peer);
        if (message.reason !== 'glare') this.scheduleRetry(peer);
      }
    };
    channel.addEventListener('message', listener);
    this.pending.set(peer, { peer, id, channel, startedTick: this.tick, listener });
    this.postRoom({ v: BROADCAST_PROTOCOL_VERSION, t: 'open', from: this.self, instance: this.instance, to: peer, toInstance: peerInstance, link: id });
  }

  private establish(peer: ReplicaId, id: string, channel: BroadcastChannelLike): void {
    const link = new BroadcastLink({ channel, self: this.self, peer, id, maxFrameBytes: this.maxFrameBytes });
    this.established.set(peer, link);
    link.onClose((reason) => {
      if (this.established.get(peer) === link) this.established.delete(peer);
      if (!this.stopped && reason !== 'unwanted' && this.wanted.has(peer)) this.scheduleRetry(peer);
    });
    for (const listener of [...this.linkListeners]) listener(link);
    if (!link.closed) this.retry.get(peer)?.backoff.reset();
  }

  private scheduleRetry(peer: ReplicaId): void {
    let retry = this.retry.get(peer);
    if (retry === undefined) {
      retry = { backoff: new Backoff(this.prng.fork(), this.backoffPolicy), notBeforeTick: 0 };
      this.retry.set(peer, retry);
    }
    retry.notBeforeTick = this.tick + Math.ceil(retry.backoff.nextDelayMs() / this.heartbeatIntervalMs);
  }

  /** Gives up a pending open; a peer that accepted it meanwhile hears bye on the pair channel. */
  private abandon(peer: ReplicaId): void {
    const open = this.unpend(peer);
    if (open === undefined) return;
    open.channel.postMessage({ t: 'bye', from: this.self, reason: 'abandoned' } satisfies PairMessage);
    open.channel.close();
  }

  private unpend(peer: ReplicaId): PendingOpen | undefined {
    const open = this.pending.get(peer);
    if (open === undefined) return undefined;
    this.pending.delete(peer);
    open.channel.removeEventListener('message', open.listener);
    return open;
  }

  private postRoom(message: RoomMessage): void {
    this.roomChannel.postMessage(message);
  }
}
