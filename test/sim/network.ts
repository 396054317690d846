import { assert } from '../../src/errors/keeper-error.js';
import type { Prng } from '../../src/util/prng.js';
import { describeDelayProfile, drawDelay, formatPercent, validateDelayProfile, type DelayProfile } from './delay-profile.js';
import { MinHeap } from './min-heap.js';
import type { TickSource } from './sim-time.js';

export type NodeId = string;

export interface Envelope<Message> {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly message: Message;
  readonly sentAtTick: number;
  readonly deliverAtTick: number;
  /** Send order; breaks ties between messages due at the same tick. */
  readonly sequence: number;
}

export interface NetworkOptions {
  readonly delay: DelayProfile;
  /** Chance in [0, 1] that a message is lost. */
  readonly lossRate: number;
  /** Chance in [0, 1] that a message that is not lost is delivered twice (each copy its own delay). */
  readonly duplicationRate: number;
  /** The most messages in flight on one link (from -> to); more are dropped and counted. */
  readonly maxQueuedPerLink: number;
}

/** Invariant: sent + duplicated = delivered + every dropped + in flight. */
export interface NetworkStats {
  sent: number;
  delivered: number;
  duplicated: number;
  droppedLoss: number;
  /** Dropped because the link was blocked when sent or when due. */
  droppedPartition: number;
  droppedOverflow: number;
  /** Dropped by `dropInFlight` (for instance, the receiver crashed). */
  droppedDiscarded: number;
  /** The most messages ever in flight on one link. */
  maxQueuedOnALink: number;
}

/** Bounds a simulation can rely on. */
export const MAX_QUEUED_PER_LINK = 100_000;

export function validateNetworkOptions(options: NetworkOptions): void {
  validateDelayProfile(options.delay);
  assert(options.lossRate >= 0 && options.lossRate <= 1, `lossRate must be in [0, 1], got ${options.lossRate}`);
  assert(options.duplicationRate >= 0 && options.duplicationRate <= 1, `duplicationRate must be in [0, 1], got ${options.duplicationRate}`);
  assert(
    Number.isInteger(options.maxQueuedPerLink) && options.maxQueuedPerLink >= 1 && options.maxQueuedPerLink <= MAX_QUEUED_PER_LINK,
    `maxQueuedPerLink must be an integer in 1..${MAX_QUEUED_PER_LINK}, got ${options.maxQueuedPerLink}`,
  );
}

export function describeNetworkOptions(options: NetworkOptions): string {
  const rate = (fraction: number) => (fraction === 0 ? 'off' : formatPercent(fraction));
  return `delay ${describeDelayProfile(options.delay)}; loss ${rate(options.lossRate)}; duplication ${rate(options.duplicationRate)}; at most ${options.maxQueuedPerLink} in flight per link`;
}

const linkKey = (from: NodeId, to: NodeId) => `${from}\u0000${to}`;

/**
 * A simulated network between named nodes, generic over the message type. Every message gets its
 * own delay, so messages reorder; some are lost or duplicated; links can be cut in one direction
 * (asymmetric partitions) or both. Messages are delivered by reference: receivers must not mutate
 * them (a duplicate is the same object). Deterministic for a given PRNG.
 */
export class SimNetwork<Message> {
  private readonly queue = new MinHeap<Envelope<Message>>((a, b) =>
    a.deliverAtTick !== b.deliverAtTick ? a.deliverAtTick < b.deliverAtTick : a.sequence < b.sequence,
  );
  private readonly queuedPerLink = new Map<string, number>();
  private readonly blockedLinks = new Set<string>();
  private readonly isolated = new Set<NodeId>();
  private nextSequence = 0;
  private options: NetworkOptions;
  readonly stats: NetworkStats = {
    sent: 0,
    delivered: 0,
    duplicated: 0,
    droppedLoss: 0,
    droppedPartition: 0,
    droppedOverflow: 0,
    droppedDiscarded: 0,
    maxQueuedOnALink: 0,
  };

  constructor(
    private readonly prng: Prng,
    private readonly time: TickSource,
    options: NetworkOptions,
  ) {
    validateNetworkOptions(options);
    this.options = options;
  }

  get currentOptions(): NetworkOptions {
    return this.options;
  }

  /** Changes delay, loss and duplication from now on (messages in flight keep their delays). */
  reconfigure(options: NetworkOptions): void {
    validateNetworkOptions(options);
    this.options = options;
  }

  get inFlight(): number {
    return this.queue.size;
  }

  /** Queues a message; answers false when it was dropped at once (lost, blocked, link full). */
  send(from: NodeId, to: NodeId, message: Message): boolean {
    this.stats.sent += 1;
    if (this.isBlocked(from, to)) {
      this.stats.droppedPartition += 1;
      return false;
    }
    if (this.prng.chance(this.options.lossRate)) {
      this.stats.droppedLoss += 1;
      return false;
    }
    const queued = this.enqueue(from, to, message);
    if (queued && this.prng.chance(this.options.duplicationRate)) {
      this.stats.duplicated += 1;
      this.enqueue(from, to, message);
    }
    return queued;
  }

  /** Removes and returns every message due at `nowTick`, in (due tick, send order). */
  deliver(nowTick: number): Envelope<Message>[] {
    const due: Envelope<Message>[] = [];
    for (let next = this.queue.peek(); next !== undefined && next.deliverAtTick <= nowTick; next = this.queue.peek()) {
      this.queue.pop();
      this.countDequeued(next);
      if (this.isBlocked(next.from, next.to)) {
        this.stats.droppedPartition += 1;
        continue;
      }
      this.stats.delivered += 1;
      due.push(next);
    }
    return due;
  }

  /** Drops every message in flight that matches (e.g. all messages to a node that crashed). */
  dropInFlight(predicate: (envelope: Envelope<Message>) => boolean): number {
    const removed: Envelope<Message>[] = [];
    this.queue.removeWhere((envelope) => {
      if (!predicate(envelope)) return false;
      removed.push(envelope);
      return true;
    });
    for (const envelope of removed) this.countDequeued(envelope);
    this.stats.droppedDiscarded += removed.length;
    return removed.length;
  }

  /** Cuts both directions between every node of `sideA` and every node of `sideB`. */
  partition(sideA: readonly NodeId[], sideB: readonly NodeId[]): void {
    for (const a of sideA) {
      for (const b of sideB) {
        assert(a !== b, `node ${a} cannot be on both sides of a partition`);
        this.blockLink(a, b);
        this.blockLink(b, a);
      }
    }
  }

  /** Cuts one direction only: `from` can no longer reach `to`, while `to` still reaches `from`. */
  blockLink(from: NodeId, to: NodeId): void {
    this.blockedLinks.add(linkKey(from, to));
  }

  unblockLink(from: NodeId, to: NodeId): void {
    this.blockedLinks.delete(linkKey(from, to));
  }

  /** Cuts every link to and from `node` (other than to itself). */
  isolate(node: NodeId): void {
    this.isolated.add(node);
  }

  /** Restores every link. */
  heal(): void {
    this.blockedLinks.clear();
    this.isolated.clear();
  }

  isBlocked(from: NodeId, to: NodeId): boolean {
    if (from === to) return false;
    return this.isolated.has(from) || this.isolated.has(to) || this.blockedLinks.has(linkKey(from, to));
  }

  /** True when some link is cut. */
  get isPartitioned(): boolean {
    return this.blockedLinks.size > 0 || this.isolated.size > 0;
  }

  private enqueue(from: NodeId, to: NodeId, message: Message): boolean {
    const key = linkKey(from, to);
    const queued = this.queuedPerLink.get(key) ?? 0;
    if (queued >= this.options.maxQueuedPerLink) {
      this.stats.droppedOverflow += 1;
      return false;
    }
    this.queuedPerLink.set(key, queued + 1);
    this.stats.maxQueuedOnALink = Math.max(this.stats.maxQueuedOnALink, queued + 1);
    const sentAtTick = this.time.now;
    const deliverAtTick = sentAtTick + drawDelay(this.prng, this.options.delay);
    this.queue.push({ from, to, message, sentAtTick, deliverAtTick, sequence: this.nextSequence++ });
    return true;
  }

  private countDequeued(envelope: Envelope<Message>): void {
    const key = linkKey(envelope.from, envelope.to);
    const queued = this.queuedPerLink.get(key) ?? 0;
    assert(queued > 0, `link ${envelope.from} -> ${envelope.to} had no message counted`);
    if (queued === 1) this.queuedPerLink.delete(key);
    else this.queuedPerLink.set(key, queued - 1);
  }
}
