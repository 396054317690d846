import { describe, expect, it } from 'vitest';
import { createPrng } from '../../src/util/prng.js';
import { SimCluster, type Outbox, type SimNode } from './cluster.js';
import { SimNetwork, type NetworkOptions, type NodeId } from './network.js';
import { ReplicaClock } from './replica-clock.js';
import { SimTime } from './sim-time.js';

/** Counts its ticks and what it receives; on every tick sends a ping to each peer. */
class Recorder implements SimNode<string> {
  ticks = 0;
  received: string[] = [];
  crashes = 0;
  restarts = 0;
  constructor(
    private readonly id: NodeId,
    private readonly peers: readonly NodeId[],
    private readonly pingEveryTick = false,
  ) {}
  tick(out: Outbox<string>): void {
    this.ticks += 1;
    if (this.pingEveryTick) for (const peer of this.peers) out.send(peer, `${this.id}#${this.ticks}`);
  }
  receive(from: NodeId, message: string): void {
    this.received.push(`${from}:${message}`);
  }
  crash(): void {
    this.crashes += 1;
    this.received = [];
  }
  restart(): void {
    this.restarts += 1;
  }
}

const calm: NetworkOptions = { delay: { kind: 'fixed', ticks: 3 }, lossRate: 0, duplicationRate: 0, maxQueuedPerLink: 1000 };

function setup(options: { pinging?: boolean; clocks?: (time: SimTime) => Map<NodeId, ReplicaClock>; maxBufferedWhilePaused?: number } = {}) {
  const time = new SimTime();
  const network = new SimNetwork<string>(createPrng(1), time, calm);
  const a = new Recorder('a', ['b'], options.pinging ?? false);
  const b = new Recorder('b', ['a'], false);
  const clocks = options.clocks?.(time);
  const cluster = new SimCluster<string>({
    time,
    network,
    nodes: new Map<NodeId, SimNode<string>>([
      ['a', a],
      ['b', b],
    ]),
    ...(clocks === undefined ? {} : { clocks }),
    ...(options.maxBufferedWhilePaused === undefined ? {} : { maxBufferedWhilePaused: options.maxBufferedWhilePaused }),
  });
  return { time, network, cluster, a, b };
}

describe('simulated cluster', () => {
  it('ticks running nodes once per tick and carries their messages over the network', () => {
    const { cluster, a, b } = setup({ pinging: true });
    cluster.run(5);
    expect(a.ticks).toBe(5);
    expect(b.ticks).toBe(5);
    // Sent at ticks 1..5 with a delay of 3: the first two have arrived.
    expect(b.received).toEqual(['a:a#1', 'a:a#2']);
  });

  it('a crashed node neither ticks nor receives; what was on its way is lost; restart brings it back', () => {
    const { cluster, network, a, b } = setup({ pinging: true });
    cluster.run(2);
    cluster.crash('b');
    expect(b.crashes).toBe(1);
    expect(network.inFlight).toBe(0);
    cluster.run(5);
    expect(b.ticks).toBe(2);
    expect(b.received).toEqual([]);
    expect(cluster.stats.droppedToCrashed).toBe(2);
    cluster.restart('b');
    expect(b.restarts).toBe(1);
    cluster.run(4);
    expect(b.ticks).toBe(6);
    expect(b.received.length).toBeGreaterThan(0);
    expect(a.ticks).toBe(11);
  });

  it('a paused node misses its ticks and gets its messages, in order, when it resumes', () => {
    const { cluster, b } = setup({ pinging: true });
    cluster.pause('b');
    cluster.run(10);
    expect(b.ticks).toBe(0);
    expect(b.received).toEqual([]);
    cluster.resume('b');
    expect(b.received).toEqual(['a:a#1', 'a:a#2', 'a:a#3', 'a:a#4', 'a:a#5', 'a:a#6', 'a:a#7']);
    expect(cluster.stats.ticksMissedWhilePaused).toBe(10);
    cluster.step();
    expect(b.ticks).toBe(1);
  });

  it('what is held for a paused node is bounded', () => {
    const { cluster, b } = setup({ pinging: true, maxBufferedWhilePaused: 3 });
    cluster.pause('b');
    cluster.run(10);
    cluster.resume('b');
    expect(b.received.length).toBe(3);
    expect(cluster.stats.droppedWhilePausedOverflow).toBe(4);
  });

  it('a node with a fast clock ticks more often than one with a slow clock', () => {
    const { cluster, a, b } = setup({
      clocks: (time) =>
        new Map([
          ['a', new ReplicaClock(time, { driftPpm: 500_000, offsetTicks: 0 })],
          ['b', new ReplicaClock(time, { driftPpm: -500_000, offsetTicks: 0 })],
        ]),
    });
    cluster.run(100);
    expect(a.ticks).toBe(150);
    expect(b.ticks).toBe(50);
  });

  it('applies fault events: a partition cuts messages, heal restores them', () => {
    const { cluster, b } = setup({ pinging: true });
    cluster.applyFault({ kind: 'partition', sides: [['a'], ['b']] });
    cluster.run(10);
    expect(b.received).toEqual([]);
    cluster.applyFault({ kind: 'heal' });
    cluster.run(10);
    expect(b.received.length).toBe(7);
    cluster.applyFault({ kind: 'pause', replica: 'a' });
    expect(cluster.isPaused('a')).toBe(true);
    cluster.applyFault({ kind: 'resume', replica: 'a' });
    cluster.applyFault({ kind: 'crash', replica: 'a' });
    expect(cluster.isUp('a')).toBe(false);
  });

  it('refuses impossible transitions and unknown nodes', () => {
    const { cluster } = setup();
    expect(() => cluster.restart('a')).toThrow(/not crashed/);
    expect(() => cluster.resume('a')).toThrow(/not paused/);
    expect(() => cluster.crash('zz')).toThrow(/no node zz/);
  });
});
