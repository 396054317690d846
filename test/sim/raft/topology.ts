import type { RaftConfigInput } from '../../../src/consensus/config.js';
import { assert } from '../../../src/errors/keeper-error.js';
import type { Prng } from '../../../src/util/prng.js';
import { maxDelayOf, type DelayProfile } from '../delay-profile.js';
import type { NodeId } from '../network.js';

/** Who is in the founding configuration, and who waits outside it (for add-learner). */
export interface Topology {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
  /** Replicas running from the start with empty storage, members of nothing until added. */
  readonly spares: readonly NodeId[];
  readonly all: readonly NodeId[];
}

export const MAX_SIM_VOTERS = 7;

export function drawTopology(prng: Prng, voterCounts: readonly number[], maxLearners: number, spareCount: number): Topology {
  assert(voterCounts.length > 0 && voterCounts.every((n) => Number.isInteger(n) && n >= 1 && n <= MAX_SIM_VOTERS), `voter counts must be in 1..${MAX_SIM_VOTERS}`);
  const voterCount = voterCounts[prng.nextInt(voterCounts.length)]!;
  const learnerCount = prng.nextIntBetween(0, maxLearners);
  const ids = Array.from({ length: voterCount + learnerCount + spareCount }, (_, i) => `r${i + 1}`);
  return {
    voters: ids.slice(0, voterCount),
    learners: ids.slice(voterCount, voterCount + learnerCount),
    spares: ids.slice(voterCount + learnerCount),
    all: ids,
  };
}

/** A delay that most messages stay under: what timeouts must allow for. */
function typicalMaxDelay(profile: DelayProfile): number {
  switch (profile.kind) {
    case 'fixed':
    case 'uniform':
      return maxDelayOf(profile);
    case 'exponential':
      return Math.min(profile.maxTicks, profile.minTicks + 3 * profile.meanTicks);
    case 'long-tail':
      return typicalMaxDelay(profile.base);
  }
}

/**
 * Timeouts sized to the seed's network and storage (a follower's answers wait for its write, so a
 * heartbeat round trip is two network delays plus a storage latency), and small limits so that the
 * code paths behind them run: MsgApps split, windows fill, snapshots go in many chunks, a Ready
 * hands out part of what is committed.
 */
export function drawRaftConfig(prng: Prng, network: DelayProfile, storage: DelayProfile, snapshotChunkBytes: number): Omit<RaftConfigInput, 'id'> {
  const roundTrip = 2 * typicalMaxDelay(network) + maxDelayOf(storage);
  const electionTicks = Math.max(10, Math.ceil(1.5 * roundTrip) + 10);
  const pick = <T>(items: readonly T[]): T => items[prng.nextInt(items.length)]!;
  return {
    electionTicks,
    heartbeatTicks: Math.max(1, Math.floor(electionTicks / 6)),
    maxSizePerMsg: pick([128, 1024, 1024 * 1024]),
    maxEntriesPerMsg: pick([2, 16, 4096]),
    maxInflightMsgs: pick([1, 4, 256]),
    snapshotChunkBytes,
    maxSnapshotChunksInFlight: pick([1, 2, 4]),
    maxCommittedBytesPerReady: pick([64, 1024, 8 * 1024 * 1024]),
    maxPendingReads: 64,
  };
}
