import { assert } from '../../src/errors/keeper-error.js';
import type { Prng } from '../../src/util/prng.js';
import type { FaultPlan, IntermittentFault } from './fault-plan.js';
import type { NodeId, SimNetwork } from './network.js';

export type Link = readonly [from: NodeId, to: NodeId];

export type FaultEvent =
  | { readonly kind: 'partition'; readonly sides: readonly [readonly NodeId[], readonly NodeId[]] }
  | { readonly kind: 'isolate'; readonly replica: NodeId }
  /** One-way cuts: one link, every link into a replica (deaf) or every link out of it (mute). */
  | { readonly kind: 'block-links'; readonly shape: 'link' | 'deaf' | 'mute'; readonly links: readonly Link[] }
  /** Ends the current network fault: every link works again. */
  | { readonly kind: 'heal' }
  | { readonly kind: 'crash'; readonly replica: NodeId }
  | { readonly kind: 'restart'; readonly replica: NodeId }
  | { readonly kind: 'pause'; readonly replica: NodeId }
  | { readonly kind: 'resume'; readonly replica: NodeId };

interface NetworkFault {
  readonly event: FaultEvent;
  /** The replicas it counts as faulty (cut off from a quorum, or not hearing part of it). */
  readonly affected: readonly NodeId[];
  readonly untilTick: number;
}

/**
 * Turns a fault plan into events, tick by tick. At most one network fault holds at a time (it is
 * healed before the next), and the replicas crashed, paused or cut off never exceed the plan's
 * `maxFaultyReplicas`, so unless the plan allows quorum loss a healthy quorum always remains.
 * What counts as cut off: an isolated replica, the smaller side of a split, the receiving end of a
 * one-way link, a deaf or mute replica.
 */
export class FaultSchedule {
  private readonly crashedUntil = new Map<NodeId, number>();
  private readonly pausedUntil = new Map<NodeId, number>();
  private networkFault: NetworkFault | null = null;
  private stopped = false;

  constructor(
    readonly plan: FaultPlan,
    private readonly prng: Prng,
  ) {
    assert(
      plan.maxFaultyReplicas >= 0 && plan.maxFaultyReplicas <= plan.replicaIds.length,
      `maxFaultyReplicas must be in 0..${plan.replicaIds.length}, got ${plan.maxFaultyReplicas}`,
    );
  }

  /** Replicas currently crashed, paused or cut off by the network fault. */
  get faultyReplicas(): ReadonlySet<NodeId> {
    return new Set([...this.crashedUntil.keys(), ...this.pausedUntil.keys(), ...(this.networkFault?.affected ?? [])]);
  }

  isCrashed(replica: NodeId): boolean {
    return this.crashedUntil.has(replica);
  }

  isPaused(replica: NodeId): boolean {
    return this.pausedUntil.has(replica);
  }

  /** True after `recoverAll`: no new fault starts. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** The events for tick `now`: faults whose time is up end, then at most one new fault of each kind starts. */
  next(now: number): FaultEvent[] {
    const events: FaultEvent[] = [];
    for (const [replica, until] of [...this.crashedUntil]) {
      if (until <= now) {
        this.crashedUntil.delete(replica);
        events.push({ kind: 'restart', replica });
      }
    }
    for (const [replica, until] of [...this.pausedUntil]) {
      if (until <= now) {
        this.pausedUntil.delete(replica);
        events.push({ kind: 'resume', replica });
      }
    }
    if (this.networkFault !== null && this.networkFault.untilTick <= now) {
      this.networkFault = null;
      events.push({ kind: 'heal' });
    }
    if (this.stopped) return events;
    const crash = this.maybeStartNodeFault(now, this.plan.crashes, this.crashedUntil);
    if (crash !== null) events.push({ kind: 'crash', replica: crash });
    const pause = this.maybeStartNodeFault(now, this.plan.pauses, this.pausedUntil);
    if (pause !== null) events.push({ kind: 'pause', replica: pause });
    const network = this.maybeStartNetworkFault(now);
    if (network !== null) events.push(network);
    return events;
  }

  /** Ends every fault now and starts no more: the liveness phase, where a quorum must converge. */
  recoverAll(): FaultEvent[] {
    this.stopped = true;
    const events: FaultEvent[] = [];
    for (const replica of this.crashedUntil.keys()) events.push({ kind: 'restart', replica });
    for (const replica of this.pausedUntil.keys()) events.push({ kind: 'resume', replica });
    if (this.networkFault !== null) events.push({ kind: 'heal' });
    this.crashedUntil.clear();
    this.pausedUntil.clear();
    this.networkFault = null;
    return events;
  }

  private duration(fault: IntermittentFault): number {
    return this.prng.nextIntBetween(fault.minDurationTicks, fault.maxDurationTicks);
  }

  private fits(extra: readonly NodeId[]): boolean {
    return new Set([...this.faultyReplicas, ...extra]).size <= this.plan.maxFaultyReplicas;
  }

  private maybeStartNodeFault(now: number, fault: IntermittentFault, until: Map<NodeId, number>): NodeId | null {
    if (!fault.enabled || !this.prng.chance(fault.chancePerTick)) return null;
    const candidates = this.plan.replicaIds.filter((id) => !this.crashedUntil.has(id) && !this.pausedUntil.has(id) && this.fits([id]));
    if (candidates.length === 0) return null;
    const replica = candidates[this.prng.nextInt(candidates.length)]!;
    until.set(replica, now + this.duration(fault));
    return replica;
  }

  private maybeStartNetworkFault(now: number): FaultEvent | null {
    const fault = this.plan.partitions;
    if (!fault.enabled || this.networkFault !== null || !this.prng.chance(fault.chancePerTick)) return null;
    const replicas = this.plan.replicaIds;
    if (replicas.length < 2) return null;
    const shuffled = shuffle(this.prng, replicas);
    const roll = this.prng.nextFloat();
    let event: FaultEvent;
    let affected: NodeId[];
    if (roll < fault.isolateShare) {
      affected = [shuffled[0]!];
      event = { kind: 'isolate', replica: shuffled[0]! };
    } else if (roll < fault.isolateShare + fault.oneWayShare) {
      const replica = shuffled[0]!;
      const others = shuffled.slice(1);
      const shape = (['link', 'deaf', 'mute'] as const)[this.prng.nextInt(3)]!;
      const links: Link[] = shape === 'link' ? [[others[0]!, replica]] : shape === 'deaf' ? others.map((o) => [o, replica] as const) : others.map((o) => [replica, o] as const);
      affected = [replica];
      event = { kind: 'block-links', shape, links };
    } else {
      const smallSize = this.prng.nextIntBetween(1, Math.floor(replicas.length / 2));
      affected = shuffled.slice(0, smallSize);
      event = { kind: 'partition', sides: [affected, shuffled.slice(smallSize)] };
    }
    if (!this.fits(affected)) return null;
    this.networkFault = { event, affected, untilTick: now + this.duration(fault) };
    return event;
  }
}

function shuffle<T>(prng: Prng, items: readonly T[]): T[] {
  const result = items.slice();
  for (let i = result.length - 1; i > 0; i--) {
    const j = prng.nextInt(i + 1);
    [result[i], result[j]] = [result[j]!, result[i]!];
  }
  return result;
}

/** Applies a network event to a network; answers false for events that are not the network's. */
export function applyNetworkFault<Message>(network: SimNetwork<Message>, event: FaultEvent): boolean {
  switch (event.kind) {
    case 'partition':
      network.partition(event.sides[0], event.sides[1]);
      return true;
    case 'isolate':
      network.isolate(event.replica);
      return true;
    case 'block-links':
      for (const [from, to] of event.links) network.blockLink(from, to);
      return true;
    case 'heal':
      network.heal();
      return true;
    default:
      return false;
  }
}

export function describeFaultEvent(event: FaultEvent): string {
  switch (event.kind) {
    case 'partition':
      return `partition ${event.sides[0].join(',')} | ${event.sides[1].join(',')}`;
    case 'isolate':
      return `isolate ${event.replica}`;
    case 'block-links':
      return `one-way (${event.shape}) ${event.links.map(([from, to]) => `${from}->${to}`).join(' ')}`;
    case 'heal':
      return 'heal the network';
    case 'crash':
    case 'restart':
    case 'pause':
    case 'resume':
      return `${event.kind} ${event.replica}`;
  }
}
