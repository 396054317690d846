import { createPrng } from '../../../src/util/prng.js';
import { SimCluster, type SimNode } from '../cluster.js';
import { drawFaultPlan } from '../fault-plan.js';
import { FaultSchedule } from '../fault-schedule.js';
import { runTwoPhases } from '../phases.js';
import { checkHistory } from '../lincheck/check.js';
import { isPending } from '../lincheck/history.js';
import { createKvModel, type KvInput, type KvOutput } from '../lincheck/kv-model.js';
import { HistoryRecorder } from '../lincheck/recorder.js';
import { SimNetwork, type NodeId } from '../network.js';
import { ReplicaClock } from '../replica-clock.js';
import type { Scenario, ScenarioContext, ScenarioOutcome } from '../run-seeds.js';
import { SimTime } from '../sim-time.js';
import { ToyBackup } from './backup.js';
import { ToyClient } from './client.js';
import type { ToyMessage } from './messages.js';
import { ToyPrimary } from './primary.js';

export interface ToyRegisterOptions {
  /** 'primary-reads' is correct; 'backup-reads' serves reads from lagging backups (a planted bug). */
  readonly reads: 'primary-reads' | 'backup-reads';
  readonly clientCount?: number;
  /** Phase one: ticks under the plan's faults. */
  readonly safetyTicks?: number;
  /** Phase two: ticks, after every fault is healed, within which each client must complete operations. */
  readonly livenessTicks?: number;
  readonly livenessOperations?: number;
  readonly maxCheckerSteps?: number;
}

const PRIMARY = 'primary';
const BACKUPS = ['backup1', 'backup2'];

/**
 * A self-test of the simulator: a toy replicated register (clients, a primary, two backups) run
 * under a seed's fault plan, then healed. Safety: the recorded history is linearizable. Liveness:
 * after healing, every client completes operations within a tick budget.
 */
export function toyRegisterScenario(options: ToyRegisterOptions): Scenario {
  return (context) => runToyRegister(context, options);
}

function runToyRegister(context: ScenarioContext, options: ToyRegisterOptions): ScenarioOutcome {
  const clientCount = options.clientCount ?? 4;
  const safetyTicks = options.safetyTicks ?? 1500;
  const livenessTicks = options.livenessTicks ?? 3000;
  const livenessOperations = options.livenessOperations ?? 3;
  const replicaIds = [PRIMARY, ...BACKUPS];
  const plan = drawFaultPlan(context.seed, replicaIds);
  if (context.verbose) context.log(plan.describe());

  // The plan draws from createPrng(seed) itself; the run takes a stream forked from another one.
  const prng = createPrng(context.seed).fork();
  const time = new SimTime();
  const network = new SimNetwork<ToyMessage>(prng.fork(), time, plan.network);
  const recorder = new HistoryRecorder<KvInput, KvOutput>(20_000);
  const clients: ToyClient[] = [];
  const nodes = new Map<NodeId, SimNode<ToyMessage>>([[PRIMARY, new ToyPrimary(BACKUPS)]]);
  for (const backup of BACKUPS) nodes.set(backup, new ToyBackup());
  for (let i = 0; i < clientCount; i++) {
    const readFrom = options.reads === 'primary-reads' ? PRIMARY : BACKUPS[i % BACKUPS.length]!;
    const clientOptions = { clientId: i, primary: PRIMARY, readFrom, keys: ['x', 'y', 'z'], startChance: 0.2, retryTicks: 40, maxAttempts: 4 };
    const client = new ToyClient(clientOptions, prng.fork(), recorder, time);
    clients.push(client);
    nodes.set(`client${i}`, client);
  }
  const clocks = new Map([...plan.clocks.skews].map(([id, skew]) => [id, new ReplicaClock(time, skew)] as const));
  const cluster = new SimCluster<ToyMessage>({ time, network, nodes, clocks, log: (line) => context.log(line) });
  const schedule = new FaultSchedule(plan, prng.fork());

  let completedBefore = clients.map((client) => client.completed);
  const progress = () => clients.map((client, i) => client.completed - completedBefore[i]!);
  const phases = runTwoPhases({
    cluster,
    schedule,
    safetyTicks,
    livenessTicks,
    converged: () => progress().every((count) => count >= livenessOperations),
    onHealed: () => {
      completedBefore = clients.map((client) => client.completed);
    },
    log: (line) => context.log(line),
  });
  if (phases.kind !== 'converged') {
    const lagging = progress().map((count, i) => `client${i} ${count}`).join(', ');
    return { ok: false, reason: `no progress after healing: within ${livenessTicks} ticks the clients completed ${lagging} (of ${livenessOperations} each)` };
  }

  const history = recorder.operations();
  const result = checkHistory(createKvModel(), history, { maxStepsPerPartition: options.maxCheckerSteps ?? 1_000_000 });
  const pending = history.filter(isPending).length;
  const summary = `${history.length} operations (${pending} pending), ${network.stats.sent} messages sent, ${network.stats.droppedLoss} lost, converged ${phases.livenessTicksUsed} ticks after healing, checker ${result.steps} steps`;
  context.log(`[${time.now}] ${summary}`);
  if (result.verdict === 'illegal') return { ok: false, reason: `history of ${history.length} operations is not linearizable\n${result.explanation}` };
  if (result.verdict === 'unknown') return { ok: false, reason: `linearizability unknown: the checker ran out of steps on ${history.length} operations` };
  return { ok: true, summary };
}
