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
   * A former WORKAROUND, off by default since the bug is fixed: a replica that was not a voter in its
   * own log refused every vote (src/consensus/raft.ts handleVoteRequest checked isVoter()), so a
   * learner promoted by an entry it had not received yet, or a leader that appended its own removal,
   * could not vote, and a configuration whose quorum needed it never elected a leader again (seeds
   * 39, 35, 1980, 2403). Now a replica answers vote requests on their merits whatever its own log
   * says (as etcd-raft: the candidate's configuration decides whose votes count), and a voter whose
   * own removal is the latest, uncommitted change still campaigns (dissertation §4.2.2). With the
   * option on, the operator avoids those sequences: it promotes no learner while the configuration
   * has one voter, removes no voter while it has two, and changes nothing until every voter holds
   * the latest configuration (its match at the leader has reached the commit index).
   */
  readonly learnerVoteWorkaround?: boolean;
  readonly leaderTransfers?: boolean;
  /**
   * Which torn prefixes of the pending write a crash may leave (see TornWrites). 'any', the default,
   * also tears a write between a new term's entries and the hard state raising the term; the Raft
   * constructor then adopts the log's last term with no vote. 'term-safe' is the former WORKAROUND
   * for the bug that made such a restart fail an assertion.
   */
  readonly tornWrites?: TornWrites;
  readonly snapshotEveryEntries?: number;
  /**
   * Whether snapshots travel in chunks of `snapshotChunkBytes` (so a transfer spans many MsgSnaps),
   * or whole in one MsgSnap. Chunked by default. Whole was a WORKAROUND for a core bug: a follower's
   * SnapshotReceiver refused a snapshot with a lower index than one it held part of
   * (src/consensus/snapshot-receiver.ts accept), even from a newer leader, and never dropped that
   * part when the leader changed, so the new leader's transfer was refused forever (seeds 85, 560,
   * 610). Now a transfer belongs to one leader and term, and a chunk from a newer one starts over.
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
  /**
   * How replicas drive their Readys: 'pipelined' accepts a Ready without waiting for its write (as
   * the replica core does), 'sync' waits for each write; 'by-seed' pipelines even seeds and waits
   * on odd ones, so both drivers run in every batch of seeds.
   */
  readonly writeMode?: 'pipelined' | 'sync' | 'by-seed';
  /**
   * Per tick, the chance a follower is told its leader left (RaftNode.leaderLeft, as when the
   * leader's tab closes its links with 'bye'), whether or not it did: a false bye must cost at most
   * an election, never safety.
   */
  readonly leaderByeChance?: number;
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
  learnerVoteWorkaround: false,
  leaderTransfers: true,
  tornWrites: 'any',
  crashHeavyShare: 0.25,
  snapshotEveryEntries: 24,
  chunkedSnapshots: true,
  snapshotChunkBytes: 48,
  plantedBug: 'none',
  durableQuorumCheck: true,
  maxCheckerSteps: 20_000_000,
  maxHistoryOperations: 4000,
  traceMessages: false,
  writeMode: 'by-seed',
  leaderByeChance: 0.0005,
};
