import { describe, expect, it } from 'vitest';
import { createPrng } from '../../src/util/prng.js';
import { SimNetwork, type Envelope, type NetworkOptions } from './network.js';
import { SimTime } from './sim-time.js';

const calm: NetworkOptions = { delay: { kind: 'fixed', ticks: 2 }, lossRate: 0, duplicationRate: 0, maxQueuedPerLink: 10_000 };

function setup(options: Partial<NetworkOptions> = {}, seed = 1) {
  const time = new SimTime();
  const network = new SimNetwork<number>(createPrng(seed), time, { ...calm, ...options });
  /** Runs time until nothing is in flight; returns everything delivered. */
  const drain = (limitTicks = 10_000) => {
    const delivered: Envelope<number>[] = [];
    for (let i = 0; i < limitTicks && network.inFlight > 0; i++) delivered.push(...network.deliver(time.advance()));
    return delivered;
  };
  const balanced = () => {
    const s = network.stats;
    return s.sent + s.duplicated === s.delivered + s.droppedLoss + s.droppedPartition + s.droppedOverflow + s.droppedDiscarded + network.inFlight;
  };
  return { time, network, drain, balanced };
}

describe('simulated network: delivery', () => {
  it('a message arrives when its delay has passed, not before', () => {
    const { time, network } = setup();
    network.send('a', 'b', 1);
    expect(network.deliver(time.advance())).toEqual([]);
    const [envelope] = network.deliver(time.advance());
    expect(envelope).toMatchObject({ from: 'a', to: 'b', message: 1, sentAtTick: 0, deliverAtTick: 2 });
  });

  it('messages due at the same tick come in send order', () => {
    const { network, drain } = setup();
    for (let i = 0; i < 5; i++) network.send('a', 'b', i);
    expect(drain().map((e) => e.message)).toEqual([0, 1, 2, 3, 4]);
  });

  it('independent delays reorder messages on one link', () => {
    const { network, drain } = setup({ delay: { kind: 'uniform', minTicks: 1, maxTicks: 20 } });
    for (let i = 0; i < 50; i++) network.send('a', 'b', i);
    const order = drain().map((e) => e.message);
    expect(order.slice().sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(order).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('the same seed delivers the same messages at the same ticks', () => {
    const run = (seed: number) => {
      const { time, network } = setup({ delay: { kind: 'exponential', minTicks: 1, meanTicks: 4, maxTicks: 50 }, lossRate: 0.2, duplicationRate: 0.1 }, seed);
      const log: string[] = [];
      for (let tick = 0; tick < 200; tick++) {
        network.send('a', 'b', tick);
        network.send('b', 'c', tick);
        for (const e of network.deliver(time.advance())) log.push(`${time.now}:${e.from}>${e.to}:${e.message}`);
      }
      return log;
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
  });
});

describe('simulated network: loss and duplication', () => {
  it('loses about lossRate of messages, and counts them', () => {
    const { network, drain, balanced } = setup({ lossRate: 0.3 });
    for (let i = 0; i < 5000; i++) network.send('a', 'b', i);
    const delivered = drain().length;
    expect(network.stats.droppedLoss).toBeGreaterThan(1300);
    expect(network.stats.droppedLoss).toBeLessThan(1700);
    expect(delivered).toBe(5000 - network.stats.droppedLoss);
    expect(balanced()).toBe(true);
  });

  it('duplicates about duplicationRate of messages, each copy delivered', () => {
    const { network, drain, balanced } = setup({ duplicationRate: 0.1, delay: { kind: 'uniform', minTicks: 1, maxTicks: 9 } });
    for (let i = 0; i < 5000; i++) network.send('a', 'b', i);
    const delivered = drain().map((e) => e.message);
    expect(network.stats.duplicated).toBeGreaterThan(400);
    expect(network.stats.duplicated).toBeLessThan(600);
    expect(delivered.length).toBe(5000 + network.stats.duplicated);
    expect(new Set(delivered).size).toBe(5000);
    expect(balanced()).toBe(true);
  });
});

describe('simulated network: partitions', () => {
  it('a symmetric partition cuts both directions until healed', () => {
    const { network, drain } = setup();
    network.partition(['a'], ['b', 'c']);
    expect(network.send('a', 'b', 1)).toBe(false);
    expect(network.send('c', 'a', 2)).toBe(false);
    expect(network.send('b', 'c', 3)).toBe(true);
    network.heal();
    expect(network.send('a', 'b', 4)).toBe(true);
    expect(drain().map((e) => e.message)).toEqual([3, 4]);
    expect(network.stats.droppedPartition).toBe(2);
  });

  it('an asymmetric partition blocks a -> b but not b -> a', () => {
    const { network, drain } = setup();
    network.blockLink('a', 'b');
    network.send('a', 'b', 1);
    network.send('b', 'a', 2);
    expect(drain().map((e) => `${e.from}>${e.to}`)).toEqual(['b>a']);
    network.unblockLink('a', 'b');
    network.send('a', 'b', 3);
    expect(drain().map((e) => e.message)).toEqual([3]);
  });

  it('isolate cuts a node from every other node', () => {
    const { network } = setup();
    network.isolate('a');
    expect(network.isBlocked('a', 'b')).toBe(true);
    expect(network.isBlocked('z', 'a')).toBe(true);
    expect(network.isBlocked('b', 'c')).toBe(false);
    expect(network.isPartitioned).toBe(true);
    network.heal();
    expect(network.isBlocked('a', 'b')).toBe(false);
    expect(network.isPartitioned).toBe(false);
  });

  it('a message in flight when its link is cut is lost', () => {
    const { network, drain } = setup();
    network.send('a', 'b', 1);
    network.partition(['a'], ['b']);
    expect(drain()).toEqual([]);
    expect(network.stats.droppedPartition).toBe(1);
  });
});

describe('simulated network: bounds', () => {
  it('a full link drops new messages and counts them; other links are unaffected', () => {
    const { network, drain, balanced } = setup({ maxQueuedPerLink: 3 });
    for (let i = 0; i < 5; i++) network.send('a', 'b', i);
    expect(network.send('a', 'c', 9)).toBe(true);
    expect(network.stats.droppedOverflow).toBe(2);
    expect(network.stats.maxQueuedOnALink).toBe(3);
    expect(drain().map((e) => e.message)).toEqual([0, 1, 2, 9]);
    expect(network.send('a', 'b', 5)).toBe(true);
    expect(balanced()).toBe(true);
  });

  it('dropInFlight discards matching messages and frees their link', () => {
    const { network, drain, balanced } = setup({ maxQueuedPerLink: 2 });
    network.send('a', 'b', 1);
    network.send('a', 'b', 2);
    network.send('a', 'c', 3);
    expect(network.dropInFlight((e) => e.to === 'b')).toBe(2);
    expect(network.send('a', 'b', 4)).toBe(true);
    expect(drain().map((e) => e.message)).toEqual([3, 4]);
    expect(balanced()).toBe(true);
  });

  it('rejects options outside their bounds', () => {
    expect(() => setup({ lossRate: 1.5 })).toThrow(/lossRate/);
    expect(() => setup({ maxQueuedPerLink: 0 })).toThrow(/maxQueuedPerLink/);
  });
});
