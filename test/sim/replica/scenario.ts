import { bootstrapState } from '../../../src/consensus/bootstrap.js';
import { createPrng } from '../../../src/util/prng.js';
import { SimCluster, type SimNode } from '../cluster.js';
import { drawFaultPlan, type FaultPlan } from '../fault-plan.js';
import { FaultSchedule } from '../fault-schedule.js';
import { checkHistory } from '../lincheck/check.js';
import { isPending } from '../lincheck/history.js';
import { HistoryRecorder } from '../lincheck/recorder.js';
import { createZnodeModel, type ZnodeInput, type ZnodeOutput } from '../lincheck/znode-model.js';
import { SimNetwork, type NodeId } from '../network.js';
import { runTwoPhases } from '../phases.js';
import { ReplicaClock } from '../replica-clock.js';
import type { Scenario, ScenarioContext, ScenarioOutcome } from '../run-seeds.js';
import { SimTime } from '../sim-time.js';
import { ReplicaNode } from './replica-node.js';
import { drawSeedShape, resolveSettings, timingFor, type ReplicaScenarioOptions, type SeedShape, type Timing } from './settings.js';
import { SimClient } from './sim-client.js';
import { ReplicaWorld } from './world.js';

/** The fabric's node id: sorts before every replica, so it runs first in each global tick. */
const FABRIC = '!fabric';

/**
 * The whole request path under faults: 3 or 5 voters and 0-2 observers, each the production
 * ReplicaCore over MemoryStorage, linked through the real peer codec; many clients with sessions
 * (some fate-shared with their replica) running random workloads, moving between replicas,
 * closing sessions or leaving them to expire. Phase one runs under the seed's fault plan
 * (partitions, one-way cuts, crashes with lost and torn writes, frozen tabs, clock skew); phase two
 * heals everything and demands that every client finishes its work and the replicas converge.
 * Checked all along: FIFO replies, zxids never going back, watch ordering and one-shot firing, no
 * ephemeral outliving its session or vanishing while it lives, unique increasing sequential names,
 * equal trees at equal zxids, honest expiry verdicts; at the end, linearizability of the znode
 * history (writes, sync-then-read) with stale-but-monotonic plain reads.
 */
export function replicaScenario(options: ReplicaScenarioOptions = {}): Scenario {
  const settings = resolveSettings(options);
  return (context) => runReplicaScenario(context, settings);
}

function limitFaults(plan: FaultPlan, voterCount: number): FaultPlan {
  if (plan.quorumLossAllowed) return plan;
  // Observers count among the plan's replicas, but a healthy quorum is a quorum of voters.
  const maxFaultyReplicas = Math.min(plan.maxFaultyReplicas, Math.floor((voterCount - 1) / 2));
  return { ...plan, maxFaultyReplicas, describe: () => `${plan.describe()}\n  (at most ${maxFaultyReplicas} faulty at once: a quorum of voters stays healthy)` };
}

function describeShape(shape: SeedShape, timing: Timing): string {
  return [
    `ensemble: voters ${shape.voters.join(' ')}${shape.observers.length > 0 ? `, observers ${shape.observers.join(' ')}` : ''}`,
    `clients: ${shape.clientCount} (fate-shared share ${(shape.fateSharedShare * 100).toFixed(0)} %), request chance ${shape.requestChance.toFixed(3)}/tick, pipeline ${shape.pipelineDepth}, close ${shape.closeChance.toFixed(4)}, abandon ${shape.abandonChance.toFixed(4)} per op, connection resets ${shape.connectionResetChance.toFixed(4)}/tick`,
    `replica options: snapshot every ${shape.coreOptions.snapshotEveryEntries} entries, ${shape.coreOptions.maxQueuedPerSession} requests queued per session, election ${timing.coreOptions.electionTicks} x ${timing.coreOptions.tickMs} ms, heartbeat ${timing.coreOptions.heartbeatTicks}; client session timeouts ${timing.minClientTimeoutMs}..${timing.maxClientTimeoutMs} ms`,
  ].join('\n');
}

function runReplicaScenario(context: ScenarioContext, settings: ReturnType<typeof resolveSettings>): ScenarioOutcome {
  const root = createPrng(context.seed).fork();
  const shape = drawSeedShape(root.fork(), settings);
  const replicaIds = [...shape.voters, ...shape.observers];
  const plan = limitFaults(drawFaultPlan(context.seed, replicaIds), shape.voters.length);
  const timing = timingFor(plan.network.delay, plan.storage.latency);
  const coreOptions = { ...timing.coreOptions, ...shape.coreOptions };
  if (context.verbose) context.log(`${plan.describe()}\n${describeShape(shape, timing)}`);

  const time = new SimTime();
  const network = new SimNetwork<never>(root.fork(), time, plan.network);
  const recorder = new HistoryRecorder<ZnodeInput, ZnodeOutput>(settings.maxHistoryOperations + shape.clientCount * (settings.livenessOperations + 8) * 4 + 2_000);
  const world = new ReplicaWorld({
    time,
    network,
    replicaIds,
    peerLinks: {
      delay: plan.network.delay,
      breakChancePerMessage: plan.network.lossRate / 100,
      maxQueued: plan.network.maxQueuedPerLink * 4,
      detectTicks: timing.linkDetectTicks,
      reconnectTicks: 10,
    },
    clientLinks: { delay: plan.network.delay, keepaliveMinTicks: 200, keepaliveMaxTicks: 2_000 },
    connectionResetChance: shape.connectionResetChance,
    recorder,
    maxHistoryOperations: settings.maxHistoryOperations,
    prng: root.fork(),
    log: context.verbose ? (line) => context.log(line) : () => {},
    tracing: context.verbose,
    plantedBug: settings.plantedBug,
  });

  const boot = bootstrapState({ voters: [...shape.voters], learners: [...shape.observers] });
  const clocks = new Map<NodeId, ReplicaClock>();
  const simNodes = new Map<NodeId, SimNode<never>>([[FABRIC, world]]);
  for (const id of replicaIds) {
    const clock = new ReplicaClock(time, plan.clocks.skews.get(id)!);
    clocks.set(id, clock);
    const node = new ReplicaNode({
      id,
      clock,
      bootstrap: boot,
      coreOptions,
      storageLatency: plan.storage.latency,
      unsyncedWriteLossChance: plan.storage.unsyncedWriteLossChance,
      tornWrites: settings.tornWrites,
      clientCodec: settings.clientCodec,
      plantedBug: settings.plantedBug,
      prng: root.fork(),
      glue: world,
    });
    world.nodes.set(id, node);
    simNodes.set(id, node);
  }
  const clientPrng = root.fork();
  for (let i = 0; i < shape.clientCount; i++) {
    const home = replicaIds[clientPrng.nextInt(replicaIds.length)]!;
    const client = new SimClient(
      {
        name: `c${i}`,
        home,
        fateShared: clientPrng.chance(shape.fateSharedShare),
        requestedTimeoutMs: clientPrng.nextIntBetween(timing.minClientTimeoutMs, timing.maxClientTimeoutMs),
        requestChance: shape.requestChance,
        pipelineDepth: shape.pipelineDepth,
        closeChance: shape.closeChance,
        abandonChance: shape.abandonChance,
        livenessOperations: settings.livenessOperations,
        prng: clientPrng.fork(),
      },
      world,
    );
    world.clients.push(client);
  }
  const cluster = new SimCluster<never>({ time, network, nodes: simNodes, clocks, log: (line) => world.log(line) });
  world.attach(cluster);
  const schedule = new FaultSchedule(plan, root.fork());

  const phases = runTwoPhases({
    cluster,
    schedule,
    safetyTicks: settings.safetyTicks,
    livenessTicks: settings.livenessTicks,
    converged: () => world.converged(),
    onHealed: () => world.heal(),
    invariant: () => world.violations.first,
    log: (line) => world.log(line),
  });
  const moreViolations = (): string => {
    const all = world.violations.all();
    return all.length > 1 ? `\nfurther violations (${world.violations.count - 1} in all):\n  ${all.slice(1, 6).join('\n  ')}` : '';
  };
  if (phases.kind === 'invariant-broken') return { ok: false, reason: `${phases.reason}${moreViolations()}` };
  if (phases.kind === 'not-converged') {
    return { ok: false, reason: `no convergence within ${settings.livenessTicks} ticks after healing:\n${world.describeLaggards()}` };
  }

  const unknown = world.resolveUnknownOutcomes(settings.unknownOutcomes);
  world.sequential.checkOrder();
  if (world.violations.first !== null) return { ok: false, reason: `${world.violations.first}${moreViolations()}` };
  const history = recorder.operations();
  const result = checkHistory(createZnodeModel(), history, { maxStepsPerPartition: settings.maxCheckerSteps });
  const pending = history.filter(isPending).length;
  const sessions = world.clients.reduce((sum, client) => sum + client.sessionsStarted, 0);
  const crashes = [...world.nodes.values()].reduce((sum, node) => sum + node.stats.crashes, 0);
  const summary =
    `${history.length} operations (${pending} pending; of the writes whose reply never came ${unknown.applied} were applied, ${unknown.dropped} never), ${sessions} sessions, ${world.sequential.count} sequential names, ${crashes} crashes, ` +
    `${world.peers.stats.sent} peer frames (${world.peers.stats.breaks} link breaks), ${world.links.stats.opened} client connections, ` +
    `${world.probe.comparisons} digest comparisons, converged ${phases.livenessTicksUsed} ticks after healing, checker ${result.steps} steps`;
  world.log(`[${time.now}] ${summary}`);
  if (result.verdict === 'illegal') return { ok: false, reason: `the znode history (${history.length} operations) is not linearizable\n${result.explanation}` };
  if (result.verdict === 'unknown') {
    const parts = result.partitions.map((p) => `${p.key}: ${p.operationCount} operations, ${p.steps} steps, ${p.verdict}`).join('; ');
    return { ok: false, reason: `linearizability unknown: the checker ran out of steps on ${history.length} operations (${parts})` };
  }
  return { ok: true, summary };
}
