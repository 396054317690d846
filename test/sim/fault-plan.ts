import { assert } from '../../src/errors/keeper-error.js';
import { createPrng, type Prng } from '../../src/util/prng.js';
import { describeDelayProfile, formatPercent, type DelayProfile } from './delay-profile.js';
import { describeNetworkOptions, validateNetworkOptions, type NetworkOptions, type NodeId } from './network.js';
import { drawClockSkew, type ClockSkew } from './replica-clock.js';

/** A fault that comes and goes: each tick it starts with `chancePerTick`, and lasts min..max ticks. */
export interface IntermittentFault {
  readonly enabled: boolean;
  readonly chancePerTick: number;
  readonly minDurationTicks: number;
  readonly maxDurationTicks: number;
}

export interface PartitionFaults extends IntermittentFault {
  /** Of the partitions started, the share that isolates one replica from everyone. */
  readonly isolateShare: number;
  /** The share that cuts links in one direction only (one link, or all into / out of a replica). */
  readonly oneWayShare: number;
}

/**
 * Which faults a seed enables and how hard each hits (TigerBeetle's swarm testing: each seed tests
 * a different mix, so rare combinations get their turn and no one fault drowns the others).
 */
export interface FaultPlan {
  readonly seed: number;
  readonly replicaIds: readonly NodeId[];
  readonly network: NetworkOptions;
  readonly partitions: PartitionFaults;
  /** A crash loses what is volatile; the replica restarts from its durable storage. */
  readonly crashes: IntermittentFault;
  /** A paused replica (a frozen background tab) neither ticks nor receives until resumed. */
  readonly pauses: IntermittentFault;
  readonly clocks: { readonly maxDriftPpm: number; readonly maxOffsetTicks: number; readonly skews: ReadonlyMap<NodeId, ClockSkew> };
  readonly storage: {
    readonly latency: DelayProfile;
    /** Chance that each write not yet durable when its replica crashes is lost (for the storage simulator). */
    readonly unsyncedWriteLossChance: number;
  };
  /** The most replicas crashed, paused or cut off at once. A minority unless quorum loss is allowed. */
  readonly maxFaultyReplicas: number;
  readonly quorumLossAllowed: boolean;
  describe(): string;
}

export interface FaultPlanLimits {
  /** Chance that a seed lets faults take out a quorum for a while (safety must hold regardless). */
  readonly quorumLossChance?: number;
  /** Caps every rate the seed may draw (a calmer swarm), 0..1. */
  readonly intensity?: number;
}

export const MAX_REPLICAS = 16;

const minority = (replicaCount: number) => Math.floor((replicaCount - 1) / 2);

/** Draws the plan for `seed`; the same seed and replicas always give the same plan. */
export function drawFaultPlan(seed: number, replicaIds: readonly NodeId[], limits: FaultPlanLimits = {}): FaultPlan {
  assert(replicaIds.length >= 1 && replicaIds.length <= MAX_REPLICAS, `a plan covers 1..${MAX_REPLICAS} replicas, got ${replicaIds.length}`);
  assert(new Set(replicaIds).size === replicaIds.length, 'replica ids must be distinct');
  const intensity = limits.intensity ?? 1;
  assert(intensity >= 0 && intensity <= 1, `intensity must be in [0, 1], got ${intensity}`);
  const prng = createPrng(seed);
  const rate = (max: number) => prng.nextFloat() * max * intensity;
  const network: NetworkOptions = {
    delay: drawDelayProfile(prng),
    lossRate: prng.chance(0.6) ? rate(0.3) : 0,
    duplicationRate: prng.chance(0.4) ? rate(0.1) : 0,
    maxQueuedPerLink: pick(prng, [64, 256, 1024]),
  };
  validateNetworkOptions(network);
  const partitions: PartitionFaults = {
    ...drawIntermittent(prng, 0.5 * intensity, 200, 3000, 20, 600),
    isolateShare: prng.nextFloat() * 0.5,
    oneWayShare: prng.nextFloat() * 0.5,
  };
  const crashes = drawIntermittent(prng, 0.5 * intensity, 300, 4000, 10, 500);
  const pauses = drawIntermittent(prng, 0.4 * intensity, 300, 4000, 10, 1000);
  const skewed = prng.chance(0.5 * intensity);
  const maxDriftPpm = skewed ? prng.nextIntBetween(1, 100_000) : 0;
  const maxOffsetTicks = prng.nextIntBetween(0, 10_000);
  const skews = new Map(replicaIds.map((id) => [id, drawClockSkew(prng, maxDriftPpm, maxOffsetTicks)] as const));
  const storage = {
    latency: prng.chance(0.5) ? ({ kind: 'fixed', ticks: 1 } as const) : ({ kind: 'uniform', minTicks: 1, maxTicks: prng.nextIntBetween(2, 20) } as const),
    unsyncedWriteLossChance: crashes.enabled && prng.chance(0.5) ? prng.nextFloat() : 0,
  };
  const quorumLossAllowed = prng.chance(limits.quorumLossChance ?? 0.15);
  const maxFaultyReplicas = quorumLossAllowed ? replicaIds.length : minority(replicaIds.length);
  const plan: Omit<FaultPlan, 'describe'> = {
    seed,
    replicaIds: [...replicaIds],
    network,
    partitions,
    crashes,
    pauses,
    clocks: { maxDriftPpm, maxOffsetTicks, skews },
    storage,
    maxFaultyReplicas,
    quorumLossAllowed,
  };
  return { ...plan, describe: () => describeFaultPlan(plan) };
}

function pick<T>(prng: Prng, items: readonly T[]): T {
  return items[prng.nextInt(items.length)]!;
}

function drawDelayProfile(prng: Prng): DelayProfile {
  switch (prng.nextInt(4)) {
    case 0:
      return { kind: 'fixed', ticks: prng.nextIntBetween(1, 3) };
    case 1:
      return { kind: 'uniform', minTicks: 1, maxTicks: prng.nextIntBetween(2, 20) };
    case 2:
      return { kind: 'exponential', minTicks: 1, meanTicks: prng.nextIntBetween(2, 10), maxTicks: 200 };
    default:
      return {
        kind: 'long-tail',
        base: { kind: 'uniform', minTicks: 1, maxTicks: prng.nextIntBetween(2, 10) },
        tailChance: 0.005 + prng.nextFloat() * 0.045,
        tailMinTicks: 50,
        tailMaxTicks: prng.nextIntBetween(100, 1000),
      };
  }
}

function drawIntermittent(prng: Prng, enabledChance: number, minMeanGapTicks: number, maxMeanGapTicks: number, minDurationTicks: number, maxDurationTicks: number): IntermittentFault {
  const enabled = prng.chance(enabledChance);
  const meanGapTicks = prng.nextIntBetween(minMeanGapTicks, maxMeanGapTicks);
  const shortest = prng.nextIntBetween(minDurationTicks, maxDurationTicks);
  const longest = prng.nextIntBetween(shortest, maxDurationTicks);
  return { enabled, chancePerTick: enabled ? 1 / meanGapTicks : 0, minDurationTicks: shortest, maxDurationTicks: longest };
}

function describeIntermittent(fault: IntermittentFault, what: string): string {
  if (!fault.enabled) return 'off';
  return `${what} about every ${Math.round(1 / fault.chancePerTick)} ticks, lasting ${fault.minDurationTicks}..${fault.maxDurationTicks} ticks`;
}

export function describeFaultPlan(plan: Omit<FaultPlan, 'describe'>): string {
  const n = plan.replicaIds.length;
  const p = plan.partitions;
  const lines = [
    `fault plan for seed ${plan.seed} (${n} replica(s): ${plan.replicaIds.join(' ')})`,
    `  network: ${describeNetworkOptions(plan.network)}`,
    `  partitions: ${describeIntermittent(p, 'one')}${p.enabled ? `; ${formatPercent(p.isolateShare)} isolate a replica, ${formatPercent(p.oneWayShare)} one-way, the rest split the replicas` : ''}`,
    `  crashes: ${describeIntermittent(plan.crashes, 'a crash')}`,
    `  pauses (frozen tabs): ${describeIntermittent(plan.pauses, 'a pause')}`,
    `  clocks: ${plan.clocks.maxDriftPpm === 0 ? 'no drift' : `drift up to ±${plan.clocks.maxDriftPpm} ppm`}, offsets up to ${plan.clocks.maxOffsetTicks} ticks (${[...plan.clocks.skews]
      .map(([id, skew]) => `${id} ${skew.driftPpm >= 0 ? '+' : ''}${skew.driftPpm} ppm @${skew.offsetTicks}`)
      .join(', ')})`,
    `  storage: latency ${describeDelayProfile(plan.storage.latency)}; unsynced writes lost at a crash: ${plan.storage.unsyncedWriteLossChance === 0 ? 'none' : formatPercent(plan.storage.unsyncedWriteLossChance)}`,
    plan.quorumLossAllowed
      ? `  at most ${plan.maxFaultyReplicas} replica(s) faulty at once: quorum loss allowed`
      : `  at most ${plan.maxFaultyReplicas} replica(s) faulty at once: a quorum of ${n - plan.maxFaultyReplicas} stays healthy`,
  ];
  return lines.join('\n');
}
