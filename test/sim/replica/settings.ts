import type { ReplicaCoreOptions } from '../../../src/server/core-options.js';
import type { Prng } from '../../../src/util/prng.js';
import { maxDelayOf, type DelayProfile } from '../delay-profile.js';

/** Milliseconds of replica time per local tick of the simulation (a replica's nowMs = local ticks * this). */
export const MS_PER_TICK = 5;

/**
 * Which torn writes a crash may leave behind (MemoryStorage keeps a prefix of the first pending
 * write; the hard state only with the whole write):
 * - 'none': pending writes survive only whole (a prefix of them), never torn;
 * - 'term-safe': also torn, but never a prefix that keeps an entry of a term newer than the durable
 *   hard state's without that hard state (a WORKAROUND: the Raft constructor asserts on such a log,
 *   a known consensus bug found by the Raft simulator);
 * - 'any': every prefix.
 */
export type TornWrites = 'none' | 'term-safe' | 'any';

/**
 * A deliberately broken glue, to prove the checks can fail:
 * - 'sync-skips-read-index': the glue answers a sync at once instead of handing it to the replica
 *   (a follower's sync-then-read may then miss committed writes);
 * - 'reorder-replies': now and then two frames for one client leave in swapped order;
 * - 'drop-watch-events': now and then a watch event never reaches its client;
 * - 'replica-skips-an-entry': the last replica never applies its 20th entry of txns.
 */
export type PlantedBug = 'none' | 'sync-skips-read-index' | 'reorder-replies' | 'drop-watch-events' | 'replica-skips-an-entry';

export interface ReplicaScenarioOptions {
  /** Ticks under the fault plan (phase one). */
  readonly safetyTicks?: number;
  /** The most ticks after healing for every live client to finish its work and the replicas to converge. */
  readonly livenessTicks?: number;
  /** Successful operations every live client must complete after healing. */
  readonly livenessOperations?: number;
  /** Voter counts a seed picks from. */
  readonly voterCounts?: readonly number[];
  readonly maxObservers?: number;
  readonly minClients?: number;
  readonly maxClients?: number;
  /** Send client frames through the real client codec too (peer messages always go through theirs). */
  readonly clientCodec?: boolean;
  readonly tornWrites?: TornWrites;
  /** The most operations a run records for the linearizability check (clients stop issuing beyond it). */
  readonly maxHistoryOperations?: number;
  readonly maxCheckerSteps?: number;
  readonly plantedBug?: PlantedBug;
  /**
   * What the linearizability history holds for a write whose reply never came (CONNECTIONLOSS, a
   * lost connection): 'from-log' (default) looks up how the log applied it (its real outcome,
   * returning when first applied; nothing if never applied); 'pending' records it pending, as a
   * black-box tester must (many pending writes on one path can exhaust the checker).
   */
  readonly unknownOutcomes?: 'from-log' | 'pending';
  /** Replica options every seed uses (on top of the drawn ones). */
  readonly coreOptions?: Partial<ReplicaCoreOptions>;
}

export type ReplicaScenarioSettings = Required<Omit<ReplicaScenarioOptions, 'coreOptions'>> & { readonly coreOptions: Partial<ReplicaCoreOptions> };

export const REPLICA_SCENARIO_DEFAULTS: ReplicaScenarioSettings = {
  safetyTicks: 3000,
  livenessTicks: 6000,
  livenessOperations: 2,
  voterCounts: [3, 5],
  maxObservers: 2,
  minClients: 4,
  maxClients: 9,
  clientCodec: true,
  tornWrites: 'any',
  maxHistoryOperations: 6000,
  maxCheckerSteps: 5_000_000,
  plantedBug: 'none',
  unknownOutcomes: 'from-log',
  coreOptions: {},
};

export function resolveSettings(options: ReplicaScenarioOptions): ReplicaScenarioSettings {
  const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  return { ...REPLICA_SCENARIO_DEFAULTS, ...defined } as ReplicaScenarioSettings;
}

/** What one seed draws beyond the fault plan: the shape of the ensemble and of the workload. */
export interface SeedShape {
  readonly voters: readonly string[];
  readonly observers: readonly string[];
  readonly clientCount: number;
  /** Share of clients living in a replica's tab with a fate-shared session. */
  readonly fateSharedShare: number;
  /** Chance per tick that a connected client with room in its pipeline sends an operation. */
  readonly requestChance: number;
  /** Requests a client keeps in flight at most (ZooKeeper pipelines). */
  readonly pipelineDepth: number;
  /** Chance per tick that one open client connection is reset (a client's network glitch). */
  readonly connectionResetChance: number;
  /** Chance per operation that a client closes its session instead, or walks away from it. */
  readonly closeChance: number;
  readonly abandonChance: number;
  readonly coreOptions: Partial<ReplicaCoreOptions>;
}

export function drawSeedShape(prng: Prng, settings: ReplicaScenarioSettings): SeedShape {
  const voterCount = settings.voterCounts[prng.nextInt(settings.voterCounts.length)]!;
  const observerCount = prng.nextIntBetween(0, settings.maxObservers);
  const coreOptions: Partial<ReplicaCoreOptions> = {
    snapshotEveryEntries: prng.chance(0.5) ? prng.nextIntBetween(8, 40) : prng.nextIntBetween(100, 400),
    sweepIntervalMs: 500,
    activityReportMs: 100,
    maxQueuedPerSession: prng.chance(0.2) ? 2 : 1_000,
    ...settings.coreOptions,
  };
  return {
    voters: Array.from({ length: voterCount }, (_, i) => `r${i + 1}`),
    observers: Array.from({ length: observerCount }, (_, i) => `o${i + 1}`),
    clientCount: prng.nextIntBetween(settings.minClients, settings.maxClients),
    fateSharedShare: prng.chance(0.5) ? prng.nextFloat() * 0.4 : 0,
    requestChance: 0.03 + prng.nextFloat() * 0.2,
    pipelineDepth: prng.nextIntBetween(1, 4),
    connectionResetChance: prng.chance(0.5) ? prng.nextFloat() * 0.01 : 0,
    closeChance: prng.nextFloat() * 0.01,
    abandonChance: prng.nextFloat() * 0.005,
    coreOptions,
  };
}

/** A delay most messages stay under (the 99th percentile, a long tail's tail left out). */
export function typicalMaxDelayTicks(profile: DelayProfile): number {
  switch (profile.kind) {
    case 'fixed':
      return profile.ticks;
    case 'uniform':
      return profile.maxTicks;
    case 'exponential':
      return Math.min(profile.maxTicks, profile.minTicks + Math.ceil(profile.meanTicks * 4.6));
    case 'long-tail':
      return typicalMaxDelayTicks(profile.base);
  }
}

/** Raft and session timing fitted to the seed's network, as an operator would tune them. */
export interface Timing {
  readonly coreOptions: Partial<ReplicaCoreOptions>;
  /** The session timeouts clients ask for. */
  readonly minClientTimeoutMs: number;
  readonly maxClientTimeoutMs: number;
  /** How long a peer link may stay cut before its ends notice. */
  readonly linkDetectTicks: number;
}

export function timingFor(delay: DelayProfile, storageLatency: DelayProfile): Timing {
  const tickMs = 10;
  // A heartbeat's round trip: there and back, and the follower's write before it answers.
  const roundTripMs = (2 * typicalMaxDelayTicks(delay) + maxDelayOf(storageLatency)) * MS_PER_TICK;
  // An election timeout of at least three round trips; a heartbeat ten times as often.
  const electionTicks = Math.max(10, Math.ceil((3 * roundTripMs) / tickMs));
  const heartbeatTicks = Math.max(1, Math.floor(electionTicks / 10));
  const electionMs = electionTicks * tickMs;
  const graceMs = Math.max(2_000, 3 * electionMs);
  return {
    coreOptions: {
      tickMs,
      electionTicks,
      heartbeatTicks,
      minSessionTimeoutMs: 400,
      maxSessionTimeoutMs: 60_000,
      connectWaitMs: graceMs,
      leaderlessGraceMs: graceMs,
      fateShareGraceMs: graceMs,
    },
    minClientTimeoutMs: Math.max(1_000, 4 * electionMs),
    maxClientTimeoutMs: Math.max(4_000, 10 * electionMs),
    linkDetectTicks: Math.max(20, 2 * typicalMaxDelayTicks(delay)),
  };
}
