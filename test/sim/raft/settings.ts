import type { PlantedBug } from './replica-node.js';
import type { TornWrites } from './torn-write.js';

export interface RaftScenarioOptions {
  /** Phase one: ticks under the seed's faults, membership changes and transfers. */
  readonly safetyTicks?: number;
  /**
   * Phase two, the liveness budget: after every fault is healed, within this many ticks a leader
   * must be elected, every client must complete `livenessOperations` more operations, and every
   * member must apply everything the leader appended.
   */
  readonly livenessTicks?: number;
  readonly livenessOperations?: number;
  /** Founding voter counts, one drawn per seed. */
  readonly voterCounts?: readonly number[];
  readonly maxLearners?: number;
  /** Replicas outside the founding configuration, for add-learner (only with membership changes). */
  readonly spareReplicas?: number;
  readonly clientCount?: number;
  readonly keys?: readonly string[];
  readonly membershipChanges?: boolean;
  /**
   * A WORKAROUND for a core bug, on by default: a replica that is not a voter in its own log refuses
   * every vote (src/consensus/raft.ts handleVoteRequest checks isVoter()). So a learner promoted by
   * an entry it has not received yet, or a voter that appended its own removal while others did not,
   * cannot vote, and a configuration whose quorum needs it never elects a leader again (seeds 39,
   * 35, 1980, 2403). With the workaround the operator avoids those sequences: it promotes no learner
   * while the configuration has one voter, removes no voter while it has two, and changes nothing
   * until every voter holds the latest configuration (its match at the leader has reached the
   * commit index). Turn it off once a replica votes when asked, whatever its own log says (as
   * etcd-raft does: the candidate's configuration decides whose votes count).
   */
  readonly learnerVoteWorkaround?: boolean;
  readonly leaderTransfers?: boolean;
  /**
   * Which torn prefixes of the pending write a crash may leave (see TornWrites). 'term-safe', the
   * default, is a WORKAROUND for a core bug: 'any' also tears a write between a new term's entries
   * and the hard state raising the term, and the restart then fails an assertion in the Raft
   * constructor.
   */
  readonly tornWrites?: TornWrites;
  readonly snapshotEveryEntries?: number;
  /**
   * Whether snapshots travel in chunks of `snapshotChunkBytes` (so a transfer spans many MsgSnaps),
   * or whole in one MsgSnap. Whole by default: a WORKAROUND for a core bug. A follower's
   * SnapshotReceiver refuses a snapshot with a lower index than one it holds part of
   * (src/consensus/snapshot-receiver.ts accept), even from a newer leader, and never drops that part
   * when the leader changes; the new leader's transfer (pinned to the snapshot it started with,
   * leader.ts sendSnapshotChunks) is refused forever and the follower never catches up (seeds 85,
   * 560, 610). Turn it on once the receiver starts over for a newer leader.
   */
  readonly chunkedSnapshots?: boolean;
  readonly snapshotChunkBytes?: number;
  readonly plantedBug?: PlantedBug;
  /** Whether to check that every commit is on disk on a quorum (off only to show the other invariants at work). */
  readonly durableQuorumCheck?: boolean;
  /** Overrides the plan's crashes: every seed crashes replicas this often (for the planted-bug tests). */
  readonly crashChancePerTick?: number;
  /**
   * The share of seeds whose plan gets frequent crashes (a crash about every 150 ticks) instead of
   * the plan's own: crash and restart from disk is what this scenario is most about.
   */
  readonly crashHeavyShare?: number;
  /**
   * The linearizability checker's step budget per key; running out is a failure ('unknown'). Many
   * given-up writes on one key make a history expensive: seed 5780 needs 2.9 million steps.
   */
  readonly maxCheckerSteps?: number;
  readonly maxHistoryOperations?: number;
  /** Traces every Raft message a replica receives (verbose runs only; for diagnosing one seed). */
  readonly traceMessages?: boolean;
}

/** The options with every default filled in. */
export type RaftScenarioSettings = Required<Omit<RaftScenarioOptions, 'crashChancePerTick'>> & Pick<RaftScenarioOptions, 'crashChancePerTick'>;

export const RAFT_SCENARIO_DEFAULTS: RaftScenarioSettings = {
  safetyTicks: 6000,
  livenessTicks: 6000,
  livenessOperations: 2,
  voterCounts: [1, 3, 5, 7],
  maxLearners: 2,
  spareReplicas: 1,
  clientCount: 4,
  keys: ['a', 'b', 'c', 'd'],
  membershipChanges: true,
  learnerVoteWorkaround: true,
  leaderTransfers: true,
  tornWrites: 'term-safe',
  crashHeavyShare: 0.25,
  snapshotEveryEntries: 24,
  chunkedSnapshots: false,
  snapshotChunkBytes: 48,
  plantedBug: 'none',
  durableQuorumCheck: true,
  maxCheckerSteps: 20_000_000,
  maxHistoryOperations: 4000,
  traceMessages: false,
};
