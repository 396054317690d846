import type { ReplicaId } from '../consensus/types.js';
import { assert } from '../errors/keeper-error.js';
import { CloseReason, type Link, type LinkKind, type SendResult, type Unsubscribe } from './link.js';

export interface LinkHubOptions {
  /** This replica; a link to itself is refused. */
  readonly self: ReplicaId;
  /** The most links held at once (voters link to every replica of the room). */
  readonly maxLinks?: number;
}

export const DEFAULT_MAX_LINKS = 100;

/**
 * What `add` did. 'added': the link is now the peer's. 'replaced': it is now the peer's and the
 * previous one was closed with 'duplicate'. The others refuse the link and close it
 * ('duplicate', 'too many links', 'self', 'hub closed') or ignore it because it already closed ('closed').
 */
export type AddLinkResult = 'added' | 'replaced' | 'duplicate' | 'too many links' | 'self' | 'hub closed' | 'closed';

export type LinkUpListener = (link: Link) => void;
export type LinkDownListener = (peer: ReplicaId, reason: string, link: Link) => void;
export type HubFrameListener = (peer: ReplicaId, frame: Uint8Array, link: Link) => void;

/** Cheaper media win: BroadcastChannel beats a data channel; a port bridges a data channel (same rank). */
const KIND_RANK: Readonly<Record<LinkKind, number>> = { memory: 0, broadcast: 1, webrtc: 2, port: 2 };

/**
 * The duplicate rule: of two links between the same pair, keep the one with the cheaper kind, then
 * the smaller id. Both ends see the same kinds (up to webrtc/port, ranked alike) and the same ids,
 * so both keep the same link.
 */
export function preferredLink(first: Link, second: Link): Link {
  const rankDifference = KIND_RANK[first.kind] - KIND_RANK[second.kind];
  if (rankDifference !== 0) return rankDifference < 0 ? first : second;
  return first.id <= second.id ? first : second;
}

interface Held {
  readonly link: Link;
  readonly unsubscribe: readonly Unsubscribe[];
}

/**
 * The replica's current link to each peer. Transports hand it every link they open; it keeps one per
 * peer (the duplicate rule), bounds their number, and reports linkUp ("from now on, this is the link
 * to link.peer", also when a better link replaces one) and linkDown ("no link to peer now").
 */
export class LinkHub {
  readonly self: ReplicaId;
  readonly maxLinks: number;
  private readonly held = new Map<ReplicaId, Held>();
  private readonly upListeners = new Set<LinkUpListener>();
  private readonly downListeners = new Set<LinkDownListener>();
  private readonly frameListeners = new Set<HubFrameListener>();
  private closedReason: string | undefined = undefined;

  constructor(options: LinkHubOptions) {
    this.self = options.self;
    this.maxLinks = options.maxLinks ?? DEFAULT_MAX_LINKS;
    assert(Number.isInteger(this.maxLinks) && this.maxLinks > 0, `maxLinks must be a positive integer, got ${this.maxLinks}`);
  }

  get size(): number {
    return this.held.size;
  }

  get(peer: ReplicaId): Link | undefined {
    return this.held.get(peer)?.link;
  }

  peers(): ReplicaId[] {
    return [...this.held.keys()];
  }

  links(): Link[] {
    return [...this.held.values()].map((held) => held.link);
  }

  add(link: Link): AddLinkResult {
    if (link.closed) return 'closed';
    if (this.closedReason !== undefined) return this.refuse(link, 'hub closed');
    if (link.peer === this.self) return this.refuse(link, 'self');
    const current = this.held.get(link.peer);
    if (current === undefined) {
      if (this.held.size >= this.maxLinks) return this.refuse(link, CloseReason.tooManyLinks);
      this.hold(link);
      this.emitUp(link);
      return 'added';
    }
    if (current.link === link) return 'added';
    if (preferredLink(current.link, link) === current.link) return this.refuse(link, CloseReason.duplicate);
    this.release(current);
    current.link.close(CloseReason.duplicate);
    this.hold(link);
    this.emitUp(link);
    return 'replaced';
  }

  /** Sends on the peer's current link; 'no link' when there is none. */
  send(peer: ReplicaId, frame: Uint8Array): SendResult | 'no link' {
    const held = this.held.get(peer);
    return held === undefined ? 'no link' : held.link.send(frame);
  }

  /** Closes the peer's link (linkDown follows). */
  closeLink(peer: ReplicaId, reason: string = CloseReason.local): void {
    this.held.get(peer)?.link.close(reason);
  }

  /** Closes every link and refuses new ones. */
  close(reason: string = CloseReason.transportClosed): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    for (const held of [...this.held.values()]) held.link.close(reason);
  }

  onLinkUp(listener: LinkUpListener): Unsubscribe {
    this.upListeners.add(listener);
    return () => this.upListeners.delete(listener);
  }

  onLinkDown(listener: LinkDownListener): Unsubscribe {
    this.downListeners.add(listener);
    return () => this.downListeners.delete(listener);
  }

  onFrame(listener: HubFrameListener): Unsubscribe {
    this.frameListeners.add(listener);
    return () => this.frameListeners.delete(listener);
  }

  private refuse(link: Link, reason: Exclude<AddLinkResult, 'added' | 'replaced' | 'closed'>): AddLinkResult {
    link.close(reason);
    return reason;
  }

  private hold(link: Link): void {
    const entry: Held = {
      link,
      unsubscribe: [
        link.onFrame((frame) => {
          for (const listener of [...this.frameListeners]) listener(link.peer, frame, link);
        }),
        link.onClose((reason) => {
          if (this.held.get(link.peer) !== entry) return;
          this.release(entry);
          for (const listener of [...this.downListeners]) listener(link.peer, reason, link);
        }),
      ],
    };
    this.held.set(link.peer, entry);
  }

  private release(entry: Held): void {
    if (this.held.get(entry.link.peer) === entry) this.held.delete(entry.link.peer);
    for (const unsubscribe of entry.unsubscribe) unsubscribe();
  }

  private emitUp(link: Link): void {
    for (const listener of [...this.upListeners]) listener(link);
  }
}
