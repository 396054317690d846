import { describe, expect, it } from 'vitest';
import { createPrng } from '../../src/util/prng.js';
import { SimCluster, type Outbox, type SimNode } from './cluster.js';
import { drawFaultPlan, type FaultPlan } from './fault-plan.js';
import { FaultSchedule } from './fault-schedule.js';
import { SimNetwork, type NodeId } from './network.js';
import { runTwoPhases } from './phases.js';
import { SimTime } from './sim-time.js';

/** Pings every peer each tick; counts what it hears. */
class Pinger implements SimNode<string> {
  heard = 0;
  constructor(private readonly peers: readonly NodeId[]) {}
  tick(out: Outbox<string>): void {
    for (const peer of this.peers) out.send(peer, 'ping');
  }
  receive(): void {
    this.heard += 1;
  }
  crash(): void {}
  restart(): void {}
}

const ids = ['r0', 'r1', 'r2'];

function setup(seed: number) {
  const base = drawFaultPlan(seed, ids);
  const often = { enabled: true, chancePerTick: 0.05, minDurationTicks: 5, maxDurationTicks: 40 };
  const plan: FaultPlan = { ...base, crashes: often, pauses: often, partitions: { ...often, isolateShare: 0.3, oneWayShare: 0.3 } };
  const time = new SimTime();
  const network = new SimNetwork<string>(createPrng(seed), time, { ...plan.network, lossRate: 0 });
  const nodes = new Map(ids.map((id) => [id, new Pinger(ids.filter((other) => other !== id))] as const));
  const cluster = new SimCluster<string>({ time, network, nodes });
  const schedule = new FaultSchedule(plan, createPrng(seed + 1));
  return { cluster, network, nodes, schedule };
}

describe('two-phase run', () => {
  it('runs under faults, then heals every one of them before phase two', () => {
    const { cluster, network, nodes, schedule } = setup(3);
    const faults: string[] = [];
    let heardAtHeal = 0;
    const result = runTwoPhases({
      cluster,
      schedule,
      safetyTicks: 500,
      livenessTicks: 100,
      onHealed: () => {
        heardAtHeal = nodes.get('r0')!.heard;
        expect(ids.every((id) => cluster.isRunning(id))).toBe(true);
        expect(network.isPartitioned).toBe(false);
      },
      converged: () => nodes.get('r0')!.heard >= heardAtHeal + 20,
      log: (line) => faults.push(line),
    });
    expect(result.kind).toBe('converged');
    expect(nodes.get('r0')!.heard).toBeGreaterThanOrEqual(heardAtHeal + 20);
    expect(schedule.isStopped).toBe(true);
    expect(faults.at(-1)).toMatch(/phase two/);
  });

  it('answers not-converged when the budget runs out', () => {
    const { cluster, schedule } = setup(4);
    expect(runTwoPhases({ cluster, schedule, safetyTicks: 10, livenessTicks: 30, converged: () => false })).toEqual({ kind: 'not-converged', livenessTicksUsed: 30 });
  });

  it('stops at the first tick an invariant breaks', () => {
    const { cluster, schedule } = setup(5);
    const result = runTwoPhases({
      cluster,
      schedule,
      safetyTicks: 100,
      livenessTicks: 10,
      converged: () => true,
      invariant: () => (cluster.now >= 42 ? 'two leaders' : null),
    });
    expect(result).toEqual({ kind: 'invariant-broken', tick: 42, reason: 'two leaders' });
  });
});
