import { assert } from '../../../src/errors/keeper-error.js';
import type { Prng } from '../../../src/util/prng.js';
import { drawDelay, type DelayProfile } from '../delay-profile.js';
import type { NodeId } from '../network.js';

/** What the links need to know of the world each tick. */
export interface LinkWorld {
  readonly now: number;
  isUp(id: NodeId): boolean;
  isRunning(id: NodeId): boolean;
  /** Whether the network cuts `from` -> `to` now (partitions, one-way cuts). */
  isBlocked(from: NodeId, to: NodeId): boolean;
}

export interface PeerLinkOptions {
  readonly delay: DelayProfile;
  /** Chance per message that the link breaks as it is sent (the plan's loss, as a transport sees it). */
  readonly breakChancePerMessage: number;
  /** Messages one direction may hold; more break the link (a full send buffer). */
  readonly maxQueued: number;
  /** How long a cut must last before both ends notice and the link closes. */
  readonly detectTicks: number;
  /** How long a closed link takes to come back once nothing cuts it. */
  readonly reconnectTicks: number;
}

interface Queued {
  readonly bytes: Uint8Array;
  readonly deliverAt: number;
}

interface Direction {
  readonly queue: Queued[];
  lastDeliverAt: number;
}

interface PairLink {
  readonly a: NodeId;
  readonly b: NodeId;
  up: boolean;
  /** Counts the link's lives: each time it comes up it is a new connection. */
  epoch: number;
  cutSince: number | null;
  reconnectAt: number | null;
  readonly directions: Map<NodeId, Direction>;
}

export interface LinkStats {
  sent: number;
  delivered: number;
  dropped: number;
  breaks: number;
}

/**
 * The replicas' peer links as a browser's data channels behave: ordered and reliable while up (a
 * frame is never lost, duplicated or reordered on a live link), with delays from the plan. A cut
 * (partition, one-way block) stalls frames in the cut direction; once it has lasted `detectTicks`
 * both ends notice and the link closes, losing what was in flight. A link whose cut heals comes
 * back after `reconnectTicks` as a new connection. A crash closes its links at once. Each endpoint
 * learns of ups and downs when it next runs (`reconcile`), as linkUp/linkDown.
 */
export class PeerLinks {
  private readonly pairs = new Map<string, PairLink>();
  /** Per node, its links in id order (for the per-tick loops). */
  private readonly adjacent = new Map<NodeId, readonly { readonly peer: NodeId; readonly link: PairLink }[]>();
  /** What each endpoint last reported to its replica: peer -> epoch it saw up (absent when down). */
  private readonly views = new Map<NodeId, Map<NodeId, number>>();
  readonly stats: LinkStats = { sent: 0, delivered: 0, dropped: 0, breaks: 0 };

  constructor(
    readonly ids: readonly NodeId[],
    private options: PeerLinkOptions,
    private readonly prng: Prng,
    private readonly world: LinkWorld,
  ) {
    for (let i = 0; i < ids.length; i++) {
      for (let j = i + 1; j < ids.length; j++) {
        const a = ids[i]!;
        const b = ids[j]!;
        const directions = new Map<NodeId, Direction>([
          [a, { queue: [], lastDeliverAt: 0 }],
          [b, { queue: [], lastDeliverAt: 0 }],
        ]);
        this.pairs.set(pairKey(a, b), { a, b, up: true, epoch: 1, cutSince: null, reconnectAt: null, directions });
      }
    }
    for (const id of ids) {
      this.views.set(id, new Map());
      this.adjacent.set(
        id,
        ids.filter((peer) => peer !== id).map((peer) => ({ peer, link: this.pair(id, peer) })),
      );
    }
  }

  /** Advances every link's state by one tick: cuts noticed, crashed ends closed, healed links back. */
  update(): void {
    const now = this.world.now;
    for (const link of this.pairs.values()) {
      const bothUp = this.world.isUp(link.a) && this.world.isUp(link.b);
      const cut = this.world.isBlocked(link.a, link.b) || this.world.isBlocked(link.b, link.a);
      if (link.up) {
        if (!bothUp) {
          this.break(link);
          continue;
        }
        if (!cut) link.cutSince = null;
        else if (link.cutSince === null) link.cutSince = now;
        else if (now - link.cutSince >= this.options.detectTicks) this.break(link);
        continue;
      }
      if (!bothUp || cut) {
        link.reconnectAt = null;
        continue;
      }
      if (link.reconnectAt === null) link.reconnectAt = now + this.options.reconnectTicks;
      if (now >= link.reconnectAt) {
        link.up = true;
        link.epoch += 1;
        link.cutSince = null;
        link.reconnectAt = null;
      }
    }
  }

  /**
   * The link changes `node` has not been told of yet: a link that closed (or closed and came back
   * as a new connection) is reported down; one up that the node thinks down is reported up.
   */
  reconcile(node: NodeId, report: (peer: NodeId, up: boolean) => void): void {
    const view = this.views.get(node)!;
    for (const { peer, link } of this.adjacent.get(node)!) {
      const seen = view.get(peer);
      if (seen !== undefined && (!link.up || seen !== link.epoch)) {
        view.delete(peer);
        report(peer, false);
      }
      if (link.up && !view.has(peer)) {
        view.set(peer, link.epoch);
        report(peer, true);
      }
    }
  }

  /** The node restarted: its replica knows no link (it will be told of each again). */
  forget(node: NodeId): void {
    this.views.get(node)!.clear();
  }

  /** Sends a frame; it is dropped unless the link is up and the sender knows it (a closed channel takes nothing). */
  send(from: NodeId, to: NodeId, bytes: Uint8Array): void {
    this.stats.sent += 1;
    const link = this.pair(from, to);
    if (!link.up || this.views.get(from)!.get(to) !== link.epoch) {
      this.stats.dropped += 1;
      return;
    }
    if (this.prng.chance(this.options.breakChancePerMessage)) {
      this.stats.dropped += 1;
      this.break(link);
      return;
    }
    const direction = link.directions.get(to)!;
    if (direction.queue.length >= this.options.maxQueued) {
      this.stats.dropped += 1;
      this.break(link);
      return;
    }
    const deliverAt = Math.max(direction.lastDeliverAt, this.world.now + drawDelay(this.prng, this.options.delay));
    direction.lastDeliverAt = deliverAt;
    direction.queue.push({ bytes, deliverAt });
  }

  /**
   * Hands `to` the frames due for it, in order per link. A frame waits while its direction is cut
   * or its receiver is paused, and is delivered only once the receiver knows the link is up.
   */
  deliver(to: NodeId, receive: (from: NodeId, bytes: Uint8Array) => void): void {
    if (!this.world.isRunning(to)) return;
    const now = this.world.now;
    const view = this.views.get(to)!;
    for (const { peer: from, link } of this.adjacent.get(to)!) {
      const direction = link.directions.get(to)!;
      if (direction.queue.length === 0 || direction.queue[0]!.deliverAt > now) continue;
      if (!link.up || view.get(from) !== link.epoch || this.world.isBlocked(from, to)) continue;
      const queue = direction.queue;
      let taken = 0;
      while (taken < queue.length && queue[taken]!.deliverAt <= now) taken++;
      if (taken === 0) continue;
      const due = queue.splice(0, taken);
      for (const frame of due) {
        this.stats.delivered += 1;
        receive(from, frame.bytes);
        // A frame's handling may close the link (it never does today, but stay safe).
        if (!link.up) break;
      }
    }
  }

  /** Changes delays and break chances from now on (frames in flight keep their times). */
  reconfigure(options: PeerLinkOptions): void {
    this.options = options;
  }

  isLinkUp(a: NodeId, b: NodeId): boolean {
    return this.pair(a, b).up;
  }

  private break(link: PairLink): void {
    link.up = false;
    link.cutSince = null;
    link.reconnectAt = null;
    this.stats.breaks += 1;
    for (const direction of link.directions.values()) {
      this.stats.dropped += direction.queue.length;
      direction.queue.length = 0;
      direction.lastDeliverAt = 0;
    }
  }

  private pair(x: NodeId, y: NodeId): PairLink {
    const link = this.pairs.get(pairKey(x, y));
    assert(link !== undefined, `no link between ${x} and ${y}`);
    return link;
  }
}

function pairKey(x: NodeId, y: NodeId): string {
  return x < y ? `${x}\u0000${y}` : `${y}\u0000${x}`;
}
