import { bootstrapState } from '../../../src/consensus/bootstrap.js';
import { MemoryDisk } from '../../../src/storage/memory-disk.js';
import { MemoryStorage } from '../../../src/storage/memory-storage.js';
import type { Prng } from '../../../src/util/prng.js';
import { SimCluster, type SimNode } from '../cluster.js';
import { describeFaultPlan, drawFaultPlan, type FaultPlan } from '../fault-plan.js';
import type { KvInput, KvOutput } from '../lincheck/kv-model.js';
import { HistoryRecorder } from '../lincheck/recorder.js';
import { SimNetwork, type NodeId } from '../network.js';
import { ReplicaClock } from '../replica-clock.js';
import type { ScenarioContext } from '../run-seeds.js';
import type { SimTime } from '../sim-time.js';
import { RaftClient } from './client.js';
import { findLeader } from './convergence.js';
import { RaftInvariants } from './invariants.js';
import type { RaftSimMessage } from './messages.js';
import { Operator, type OperatorView } from './operator.js';
import { RaftReplicaNode } from './replica-node.js';
import type { RaftScenarioSettings } from './settings.js';
import { drawRaftConfig, drawTopology, MAX_SIM_VOTERS, type Topology } from './topology.js';
import type { TraceLog } from './trace-log.js';

/** A chunk larger than any snapshot of the simulation's small KV map: one MsgSnap carries it whole. */
const WHOLE_SNAPSHOT_CHUNK_BYTES = 1024 * 1024;

/** Everything one seed's run is made of. */
export interface RaftRun {
  readonly topology: Topology;
  readonly plan: FaultPlan;
  readonly electionTicks: number;
  readonly bootstrapEntries: number;
  readonly invariants: RaftInvariants;
  readonly replicas: readonly RaftReplicaNode[];
  readonly clients: readonly RaftClient[];
  readonly operator: Operator;
  readonly recorder: HistoryRecorder<KvInput, KvOutput>;
  readonly network: SimNetwork<RaftSimMessage>;
  readonly cluster: SimCluster<RaftSimMessage>;
}

/** The seed's fault plan, bounded by a minority of the voters, with the crash-heavy override. */
function planFor(seed: number, prng: Prng, topology: Topology, settings: RaftScenarioSettings): FaultPlan {
  const drawn = drawFaultPlan(seed, topology.all);
  // The plan bounds faulty replicas by all replicas; what must stay healthy is a quorum of voters.
  const voterMinority = Math.max(1, Math.floor((topology.voters.length - 1) / 2));
  const crashChance = settings.crashChancePerTick ?? (prng.chance(settings.crashHeavyShare) ? 1 / 150 : undefined);
  const plan: Omit<FaultPlan, 'describe'> = {
    ...drawn,
    maxFaultyReplicas: drawn.quorumLossAllowed ? drawn.maxFaultyReplicas : Math.min(voterMinority, drawn.maxFaultyReplicas),
    crashes: crashChance === undefined ? drawn.crashes : { enabled: true, chancePerTick: crashChance, minDurationTicks: 5, maxDurationTicks: 200 },
  };
  return { ...plan, describe: () => describeFaultPlan(plan) };
}

/** A founder's disk holds the bootstrap log before its first start; a spare's is empty. */
function diskFor(founder: boolean, bootstrap: ReturnType<typeof bootstrapState>): MemoryDisk {
  const disk = new MemoryDisk();
  if (!founder) return disk;
  const installer = new MemoryStorage(disk);
  installer.openSync();
  installer.submit(bootstrap.batch);
  installer.completeAll();
  void installer.close();
  return disk;
}

/**
 * What the operator sees: the leader of the highest term, its configuration, and whether every
 * voter holds everything the leader committed (so each holds the latest configuration, and knows
 * whether it is a voter). Asking each voter's own configuration would not do: a voter removed,
 * re-added and promoted while frozen still lists itself in its stale log (seeds 1980, 2403).
 */
function operatorView(replicas: readonly RaftReplicaNode[], cluster: SimCluster<RaftSimMessage>): OperatorView | null {
  const leader = findLeader(replicas, cluster);
  if (leader === null) return null;
  const { confState: conf, progress, commit, id } = leader.status;
  const votersAware = conf.voters.every((voter) => voter === id || (progress.get(voter)?.match ?? 0) >= commit);
  return { leader: leader.replica.id, conf, votersAware };
}

/** Builds the run from the seed: topology, plan, replicas, clients, operator, cluster (in a fixed draw order). */
export function buildRun(context: ScenarioContext, prng: Prng, time: SimTime, trace: TraceLog, clusterLog: (line: string) => void, settings: RaftScenarioSettings): RaftRun {
  const spares = settings.membershipChanges ? settings.spareReplicas : 0;
  const topology = drawTopology(prng.fork(), settings.voterCounts, settings.maxLearners, spares);
  const plan = planFor(context.seed, prng.fork(), topology, settings);
  const chunkBytes = settings.chunkedSnapshots ? settings.snapshotChunkBytes : WHOLE_SNAPSHOT_CHUNK_BYTES;
  const raftConfig = drawRaftConfig(prng.fork(), plan.network.delay, plan.storage.latency, chunkBytes);
  const electionTicks = raftConfig.electionTicks ?? 10;
  if (context.verbose) {
    context.log(plan.describe());
    context.log(`  cluster: voters ${topology.voters.join(' ')}; learners ${topology.learners.join(' ') || '-'}; spares ${topology.spares.join(' ') || '-'}`);
    context.log(`  raft: ${JSON.stringify(raftConfig)}; snapshot every ${settings.snapshotEveryEntries} entries; planted bug: ${settings.plantedBug}; writes ${settings.writeMode === 'by-seed' ? (context.seed % 2 === 0 ? 'pipelined' : 'sync') : settings.writeMode}`);
  }
  const network = new SimNetwork<RaftSimMessage>(prng.fork(), time, plan.network);
  const invariants = new RaftInvariants(settings.durableQuorumCheck);
  const bootstrap = bootstrapState({ voters: topology.voters, learners: topology.learners });
  const traceMessages = settings.traceMessages && context.verbose;
  const replicas = topology.all.map(
    (id) =>
      new RaftReplicaNode({
        id,
        raft: raftConfig,
        disk: diskFor(!topology.spares.includes(id), bootstrap),
        prng: prng.fork(),
        storageLatency: plan.storage.latency,
        unsyncedWriteLossChance: plan.storage.unsyncedWriteLossChance,
        tornWrites: settings.tornWrites,
        snapshotEveryEntries: settings.snapshotEveryEntries,
        maxPendingReads: 64,
        invariants,
        plantedBug: settings.plantedBug,
        trace: (line) => trace.add(line),
        traceMessages,
        pipelinedWrites: settings.writeMode === 'pipelined' || (settings.writeMode === 'by-seed' && context.seed % 2 === 0),
        leaderByeChance: settings.leaderByeChance,
      }),
  );
  const recorder = new HistoryRecorder<KvInput, KvOutput>(settings.maxHistoryOperations);
  const clientTrace = traceMessages ? (line: string) => trace.add(line) : null;
  const clients = Array.from({ length: settings.clientCount }, (_, clientId) => {
    const clientOptions = {
      clientId,
      replicaIds: topology.all,
      keys: settings.keys,
      startChance: 0.05,
      resendTicks: 2 * electionTicks,
      operationTimeoutTicks: 10 * electionTicks,
      refusalBackoffTicks: Math.ceil(electionTicks / 2),
      followerReadChance: 0.3,
    };
    return new RaftClient(clientOptions, prng.fork(), recorder, time, clientTrace);
  });
  const operatorOptions = {
    replicaIds: topology.all,
    membershipChanges: settings.membershipChanges,
    leaderTransfers: settings.leaderTransfers,
    minIntervalTicks: 3 * electionTicks,
    maxIntervalTicks: 10 * electionTicks,
    minVoters: Math.max(1, topology.voters.length - 2),
    maxVoters: Math.min(MAX_SIM_VOTERS, topology.voters.length + 2),
    answerTimeoutTicks: 4 * electionTicks,
    learnerVoteWorkaround: settings.learnerVoteWorkaround,
  };
  const operator = new Operator(operatorOptions, prng.fork(), () => operatorView(replicas, cluster), time, (line) => trace.add(line));
  const cluster: SimCluster<RaftSimMessage> = new SimCluster<RaftSimMessage>({
    time,
    network,
    nodes: new Map<NodeId, SimNode<RaftSimMessage>>([
      ...replicas.map((replica) => [replica.id, replica] as const),
      ...clients.map((client, i) => [`client${i}`, client] as const),
      ['operator', operator],
    ]),
    clocks: new Map([...plan.clocks.skews].map(([id, skew]) => [id, new ReplicaClock(time, skew)] as const)),
    log: clusterLog,
  });
  return { topology, plan, electionTicks, bootstrapEntries: bootstrap.batch.entries.length, invariants, replicas, clients, operator, recorder, network, cluster };
}
