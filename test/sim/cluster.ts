import { assert } from '../../src/errors/keeper-error.js';
import { applyNetworkFault, describeFaultEvent, type FaultEvent } from './fault-schedule.js';
import type { NodeId, SimNetwork } from './network.js';
import { ReplicaClock } from './replica-clock.js';
import type { SimTime } from './sim-time.js';

export interface Outbox<Message> {
  send(to: NodeId, message: Message): void;
}

/**
 * A process in the simulation (a replica, or a client): it reacts to messages and to ticks of its
 * own clock, and sends through its outbox. It must be deterministic given its inputs.
 */
export interface SimNode<Message> {
  /** One tick of the node's own clock; called once per local tick elapsed while up and not paused. */
  tick(out: Outbox<Message>): void;
  receive(from: NodeId, message: Message, out: Outbox<Message>): void;
  /** The process dies: it forgets everything not durable. */
  crash(): void;
  /** The process starts again from what it had made durable. */
  restart(out: Outbox<Message>): void;
}

export interface ClusterOptions<Message> {
  readonly time: SimTime;
  readonly network: SimNetwork<Message>;
  /** The nodes, ticked and fed in id order (for determinism). */
  readonly nodes: ReadonlyMap<NodeId, SimNode<Message>>;
  /** Skewed clocks by node; a node without one follows global time exactly. */
  readonly clocks?: ReadonlyMap<NodeId, ReplicaClock>;
  /** The most messages held for a paused node; later ones are dropped (default 1024). */
  readonly maxBufferedWhilePaused?: number;
  /** The most tick() calls a node gets in one global tick (a fast clock's catch-up; default 4). */
  readonly maxTicksPerStep?: number;
  /** Receives a line per fault applied (for a verbose replay). */
  readonly log?: (line: string) => void;
}

export interface ClusterStats {
  droppedToCrashed: number;
  droppedWhilePausedOverflow: number;
  /** Messages held while their node was paused and delivered when it resumed. */
  deliveredAfterPause: number;
  ticksMissedWhilePaused: number;
}

interface NodeSlot<Message> {
  readonly id: NodeId;
  readonly node: SimNode<Message>;
  readonly clock: ReplicaClock;
  readonly outbox: Outbox<Message>;
  crashed: boolean;
  paused: boolean;
  readonly heldWhilePaused: { readonly from: NodeId; readonly message: Message }[];
}

/**
 * Drives nodes over the simulated network: each global tick it delivers the messages due, then
 * ticks every running node by its own clock. Crashed nodes get nothing (messages to them are lost);
 * paused nodes (frozen tabs) get their messages on resume and miss the ticks of the pause, as a
 * throttled tab's timers do.
 */
export class SimCluster<Message> {
  private readonly slots: NodeSlot<Message>[];
  private readonly byId = new Map<NodeId, NodeSlot<Message>>();
  private readonly maxBufferedWhilePaused: number;
  private readonly maxTicksPerStep: number;
  readonly stats: ClusterStats = { droppedToCrashed: 0, droppedWhilePausedOverflow: 0, deliveredAfterPause: 0, ticksMissedWhilePaused: 0 };

  constructor(private readonly options: ClusterOptions<Message>) {
    this.maxBufferedWhilePaused = options.maxBufferedWhilePaused ?? 1024;
    this.maxTicksPerStep = options.maxTicksPerStep ?? 4;
    assert(this.maxTicksPerStep >= 1, 'maxTicksPerStep must be at least 1');
    this.slots = [...options.nodes.keys()].sort().map((id) => {
      const clock = options.clocks?.get(id) ?? new ReplicaClock(options.time, { driftPpm: 0, offsetTicks: 0 });
      const outbox: Outbox<Message> = { send: (to, message) => this.send(id, to, message) };
      return { id, node: options.nodes.get(id)!, clock, outbox, crashed: false, paused: false, heldWhilePaused: [] };
    });
    for (const slot of this.slots) this.byId.set(slot.id, slot);
  }

  get now(): number {
    return this.options.time.now;
  }

  isUp(id: NodeId): boolean {
    return !this.slot(id).crashed;
  }

  isPaused(id: NodeId): boolean {
    return this.slot(id).paused;
  }

  /** Whether the node is up and not paused. */
  isRunning(id: NodeId): boolean {
    const slot = this.slot(id);
    return !slot.crashed && !slot.paused;
  }

  /** One global tick: deliver what is due, then tick every running node. */
  step(): void {
    const now = this.options.time.advance();
    for (const envelope of this.options.network.deliver(now)) this.deliverTo(envelope.to, envelope.from, envelope.message);
    for (const slot of this.slots) {
      const elapsed = slot.clock.takeElapsedTicks();
      if (slot.crashed || slot.paused) {
        this.stats.ticksMissedWhilePaused += slot.paused ? elapsed : 0;
        continue;
      }
      const ticks = Math.min(elapsed, this.maxTicksPerStep);
      for (let i = 0; i < ticks; i++) slot.node.tick(slot.outbox);
    }
  }

  /** Runs `ticks` global ticks. */
  run(ticks: number): void {
    for (let i = 0; i < ticks; i++) this.step();
  }

  /** Applies a fault event from a fault schedule. */
  applyFault(event: FaultEvent): void {
    this.options.log?.(`[${this.now}] fault: ${describeFaultEvent(event)}`);
    if (applyNetworkFault(this.options.network, event)) return;
    switch (event.kind) {
      case 'crash':
        return this.crash(event.replica);
      case 'restart':
        return this.restart(event.replica);
      case 'pause':
        return this.pause(event.replica);
      case 'resume':
        return this.resume(event.replica);
      default:
        throw new Error(`meshkeeper assertion failed: unhandled fault ${event.kind}`);
    }
  }

  crash(id: NodeId): void {
    const slot = this.slot(id);
    assert(!slot.crashed, `${id} is already crashed`);
    slot.crashed = true;
    slot.paused = false;
    slot.heldWhilePaused.length = 0;
    // The connections die with the process: what was on its way to it is lost.
    this.options.network.dropInFlight((envelope) => envelope.to === id);
    slot.node.crash();
  }

  restart(id: NodeId): void {
    const slot = this.slot(id);
    assert(slot.crashed, `${id} is not crashed`);
    slot.crashed = false;
    slot.clock.takeElapsedTicks();
    slot.node.restart(slot.outbox);
  }

  pause(id: NodeId): void {
    const slot = this.slot(id);
    assert(!slot.crashed && !slot.paused, `${id} cannot be paused: it is ${slot.crashed ? 'crashed' : 'paused already'}`);
    slot.paused = true;
  }

  resume(id: NodeId): void {
    const slot = this.slot(id);
    assert(slot.paused, `${id} is not paused`);
    slot.paused = false;
    const held = slot.heldWhilePaused.splice(0);
    this.stats.deliveredAfterPause += held.length;
    for (const { from, message } of held) slot.node.receive(from, message, slot.outbox);
  }

  private send(from: NodeId, to: NodeId, message: Message): void {
    const slot = this.slot(from);
    assert(!slot.crashed && !slot.paused, `${from} sends while ${slot.crashed ? 'crashed' : 'paused'}`);
    this.slot(to);
    this.options.network.send(from, to, message);
  }

  private deliverTo(to: NodeId, from: NodeId, message: Message): void {
    const slot = this.slot(to);
    if (slot.crashed) {
      this.stats.droppedToCrashed += 1;
    } else if (slot.paused) {
      if (slot.heldWhilePaused.length >= this.maxBufferedWhilePaused) this.stats.droppedWhilePausedOverflow += 1;
      else slot.heldWhilePaused.push({ from, message });
    } else {
      slot.node.receive(from, message, slot.outbox);
    }
  }

  private slot(id: NodeId): NodeSlot<Message> {
    const slot = this.byId.get(id);
    assert(slot !== undefined, `no node ${id} in the cluster`);
    return slot;
  }
}
