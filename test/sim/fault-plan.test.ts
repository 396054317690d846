import { describe, expect, it } from 'vitest';
import { createPrng } from '../../src/util/prng.js';
import { drawFaultPlan, type FaultPlan } from './fault-plan.js';
import { applyNetworkFault, describeFaultEvent, FaultSchedule, type FaultEvent } from './fault-schedule.js';
import { SimNetwork } from './network.js';
import { SimTime } from './sim-time.js';

const replicas = ['r0', 'r1', 'r2', 'r3', 'r4'];
const SEEDS = Array.from({ length: 300 }, (_, i) => i);

/** A plan with every fault on and frequent, to exercise the schedule hard. */
function stormy(seed: number, overrides: Partial<FaultPlan> = {}): FaultPlan {
  const plan = drawFaultPlan(seed, replicas);
  const often = { enabled: true, chancePerTick: 0.05, minDurationTicks: 5, maxDurationTicks: 60 };
  return { ...plan, crashes: often, pauses: often, partitions: { ...often, isolateShare: 0.3, oneWayShare: 0.3 }, ...overrides };
}

describe('fault plan', () => {
  it('the same seed draws the same plan; another seed, another plan', () => {
    expect(drawFaultPlan(7, replicas).describe()).toBe(drawFaultPlan(7, replicas).describe());
    expect(drawFaultPlan(7, replicas).describe()).not.toBe(drawFaultPlan(8, replicas).describe());
  });

  it('swarm testing: each fault is on for some seeds and off for others', () => {
    const plans = SEEDS.map((seed) => drawFaultPlan(seed, replicas));
    for (const on of [
      (p: FaultPlan) => p.network.lossRate > 0,
      (p: FaultPlan) => p.network.duplicationRate > 0,
      (p: FaultPlan) => p.partitions.enabled,
      (p: FaultPlan) => p.crashes.enabled,
      (p: FaultPlan) => p.pauses.enabled,
      (p: FaultPlan) => p.clocks.maxDriftPpm > 0,
      (p: FaultPlan) => p.quorumLossAllowed,
      (p: FaultPlan) => p.network.delay.kind === 'long-tail',
    ]) {
      const count = plans.filter(on).length;
      expect(count).toBeGreaterThan(10);
      expect(count).toBeLessThan(plans.length - 10);
    }
  });

  it('intensities stay within their bounds', () => {
    for (const seed of SEEDS) {
      const plan = drawFaultPlan(seed, replicas);
      expect(plan.network.lossRate).toBeLessThanOrEqual(0.3);
      expect(plan.network.duplicationRate).toBeLessThanOrEqual(0.1);
      for (const skew of plan.clocks.skews.values()) expect(Math.abs(skew.driftPpm)).toBeLessThanOrEqual(plan.clocks.maxDriftPpm);
      expect(plan.maxFaultyReplicas).toBe(plan.quorumLossAllowed ? 5 : 2);
    }
  });

  it('intensity 0 draws a calm plan', () => {
    const plan = drawFaultPlan(3, replicas, { intensity: 0, quorumLossChance: 0 });
    expect(plan.network.lossRate).toBe(0);
    expect(plan.network.duplicationRate).toBe(0);
    expect([plan.partitions.enabled, plan.crashes.enabled, plan.pauses.enabled]).toEqual([false, false, false]);
    expect(plan.quorumLossAllowed).toBe(false);
  });

  it('describes itself readably', () => {
    const text = stormy(11).describe();
    expect(text).toContain('fault plan for seed 11 (5 replica(s): r0 r1 r2 r3 r4)');
    expect(text).toMatch(/network: delay .*; loss (off|.* %); duplication (off|.* %); at most \d+ in flight per link/);
    expect(text).toMatch(/clocks: (no drift|drift up to ±\d+ ppm), offsets up to \d+ ticks \(r0 /);
    expect(text).toMatch(/at most \d replica\(s\) faulty at once/);
  });
});

/** Runs a schedule for `ticks`, checking the bound after every tick; returns all events. */
function runSchedule(plan: FaultPlan, ticks: number, seed: number) {
  const schedule = new FaultSchedule(plan, createPrng(seed));
  const events: { tick: number; event: FaultEvent }[] = [];
  let maxFaulty = 0;
  for (let tick = 1; tick <= ticks; tick++) {
    for (const event of schedule.next(tick)) events.push({ tick, event });
    maxFaulty = Math.max(maxFaulty, schedule.faultyReplicas.size);
  }
  return { schedule, events, maxFaulty };
}

describe('fault schedule', () => {
  it('never has more replicas faulty at once than the plan allows, yet reaches that bound', () => {
    for (const seed of SEEDS.slice(0, 40)) {
      const { maxFaulty } = runSchedule(stormy(seed, { maxFaultyReplicas: 2 }), 2000, seed);
      expect(maxFaulty).toBe(2);
    }
  });

  it('with quorum loss allowed, a majority may be down at once', () => {
    const { maxFaulty } = runSchedule(stormy(1, { maxFaultyReplicas: 5, quorumLossAllowed: true }), 3000, 1);
    expect(maxFaulty).toBeGreaterThanOrEqual(3);
  });

  it('every crash is followed by a restart of the same replica, every pause by a resume, every network fault by a heal', () => {
    const { events } = runSchedule(stormy(5), 3000, 5);
    const down = new Set<string>();
    const paused = new Set<string>();
    let networkFault = false;
    for (const { event } of events) {
      if (event.kind === 'crash') {
        expect(down.has(event.replica)).toBe(false);
        down.add(event.replica);
      } else if (event.kind === 'restart') {
        expect(down.delete(event.replica)).toBe(true);
      } else if (event.kind === 'pause') {
        expect(paused.has(event.replica) || down.has(event.replica)).toBe(false);
        paused.add(event.replica);
      } else if (event.kind === 'resume') {
        expect(paused.delete(event.replica)).toBe(true);
      } else if (event.kind === 'heal') {
        expect(networkFault).toBe(true);
        networkFault = false;
      } else {
        expect(networkFault).toBe(false);
        networkFault = true;
      }
    }
    const kinds = new Set(events.map(({ event }) => event.kind));
    for (const kind of ['crash', 'restart', 'pause', 'resume', 'heal', 'partition', 'isolate', 'block-links']) expect(kinds).toContain(kind);
  });

  it('a disabled fault never happens', () => {
    const plan = stormy(2);
    const { events } = runSchedule({ ...plan, crashes: { ...plan.crashes, enabled: false } }, 2000, 2);
    expect(events.some(({ event }) => event.kind === 'crash')).toBe(false);
  });

  it('the same seed replays the same events', () => {
    const text = (seed: number) => runSchedule(stormy(seed), 1000, seed).events.map(({ tick, event }) => `${tick} ${describeFaultEvent(event)}`);
    expect(text(9)).toEqual(text(9));
    expect(text(9)).not.toEqual(text(10));
  });

  it('recoverAll ends every fault at once and starts no more', () => {
    const { schedule } = runSchedule(stormy(4), 500, 4);
    const before = schedule.faultyReplicas.size;
    const recovery = schedule.recoverAll();
    expect(recovery.length).toBeGreaterThanOrEqual(before > 0 ? 1 : 0);
    expect(schedule.faultyReplicas.size).toBe(0);
    for (let tick = 501; tick < 3000; tick++) expect(schedule.next(tick)).toEqual([]);
  });

  it('network events apply to the simulated network', () => {
    const network = new SimNetwork<number>(createPrng(1), new SimTime(), { delay: { kind: 'fixed', ticks: 1 }, lossRate: 0, duplicationRate: 0, maxQueuedPerLink: 8 });
    applyNetworkFault(network, { kind: 'partition', sides: [['r0'], ['r1', 'r2']] });
    expect(network.isBlocked('r1', 'r0')).toBe(true);
    applyNetworkFault(network, { kind: 'heal' });
    applyNetworkFault(network, { kind: 'block-links', shape: 'deaf', links: [['r1', 'r0'], ['r2', 'r0']] });
    expect([network.isBlocked('r1', 'r0'), network.isBlocked('r0', 'r1')]).toEqual([true, false]);
    expect(applyNetworkFault(network, { kind: 'crash', replica: 'r0' })).toBe(false);
  });
});
