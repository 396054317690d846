import { createPrng } from '../../../src/util/prng.js';
import { FaultSchedule } from '../fault-schedule.js';
import { checkHistory } from '../lincheck/check.js';
import { isPending } from '../lincheck/history.js';
import { createKvModel } from '../lincheck/kv-model.js';
import { runTwoPhases, type TwoPhaseResult } from '../phases.js';
import type { Scenario, ScenarioContext, ScenarioOutcome } from '../run-seeds.js';
import { SimTime } from '../sim-time.js';
import { buildRun, type RaftRun } from './build-run.js';
import { describeLiveness } from './convergence.js';
import { InvariantViolation } from './invariants.js';
import { RAFT_SCENARIO_DEFAULTS, type RaftScenarioOptions, type RaftScenarioSettings } from './settings.js';
import type { RaftReplicaNode } from './replica-node.js';
import { TraceLog } from './trace-log.js';

export { RAFT_SCENARIO_DEFAULTS, type RaftScenarioOptions } from './settings.js';

/**
 * meshkeeper's main simulation: the production RaftNode in every replica, over MemoryStorage with
 * crash semantics, on the seed's faulty network, with clocks skewed and tabs frozen; clients write
 * and read a replicated KV map (ReadIndex reads), an operator changes membership and moves the
 * leadership. Safety invariants are checked on every step; then every fault is healed and the
 * cluster must converge within the liveness budget; last, the clients' history must be linearizable.
 */
export function raftScenario(options: RaftScenarioOptions = {}): Scenario {
  return (context) => runRaft(context, { ...RAFT_SCENARIO_DEFAULTS, ...options });
}

/** Counts the fault events the cluster logs (`[tick] fault: <kind> ...`). */
class FaultCounter {
  private readonly counts = new Map<string, number>();

  note(line: string): void {
    const kind = / fault: (\S+)/.exec(line)?.[1];
    if (kind !== undefined) this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
  }

  count(...kinds: string[]): number {
    return kinds.reduce((sum, kind) => sum + (this.counts.get(kind) ?? 0), 0);
  }
}

function runRaft(context: ScenarioContext, settings: RaftScenarioSettings): ScenarioOutcome {
  const prng = createPrng(context.seed).fork();
  const time = new SimTime();
  const trace = new TraceLog(time, 40, context.verbose ? (line) => context.log(line) : null);
  const faults = new FaultCounter();
  const run = buildRun(context, prng, time, trace, (line) => {
    faults.note(line);
    trace.add(line);
  }, settings);
  const schedule = new FaultSchedule(run.plan, prng.fork());
  const lastEvents = () => `last events:\n  ${trace.tail().join('\n  ')}`;

  let completedAtHeal: number[] = [];
  let result: TwoPhaseResult;
  try {
    result = runTwoPhases({
      cluster: run.cluster,
      schedule,
      safetyTicks: settings.safetyTicks,
      livenessTicks: settings.livenessTicks,
      invariant: () => checkLeadersSeen(run),
      onHealed: () => {
        run.operator.active = false;
        completedAtHeal = run.clients.map((client) => client.completed);
      },
      converged: () => {
        run.clients.forEach((client, i) => {
          if (client.completed - completedAtHeal[i]! >= settings.livenessOperations) client.issuing = false;
        });
        if (run.clients.some((client) => client.issuing || !client.isIdle)) return false;
        return describeLiveness(run.replicas, run.cluster) === null;
      },
      log: (line) => trace.add(line),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const kind = error instanceof InvariantViolation ? 'safety violated' : 'threw';
    const stack = context.verbose && error instanceof Error && !(error instanceof InvariantViolation) ? `\n${error.stack ?? ''}` : '';
    return { ok: false, reason: `${kind} at tick ${time.now}: ${message}${stack}\n${lastEvents()}` };
  }

  const history = run.recorder.operations();
  const runSummary = summarize(run, faults, history.length, history.filter(isPending).length);
  if (result.kind !== 'converged') {
    const clientProgress = run.clients.map((client, i) => `client${i} ${client.completed - (completedAtHeal[i] ?? 0)}${client.isIdle ? '' : ' (busy)'}`).join(', ');
    const state = describeLiveness(run.replicas, run.cluster) ?? 'replicas converged';
    return {
      ok: false,
      reason: `liveness: not converged within the budget of ${settings.livenessTicks} ticks after healing: ${state}; clients completed ${clientProgress} (of ${settings.livenessOperations} each)\n${runSummary}\n${lastEvents()}`,
    };
  }
  const check = checkHistory(createKvModel(), history, { maxStepsPerPartition: settings.maxCheckerSteps });
  const summary = `${runSummary}; converged ${result.livenessTicksUsed} ticks after healing; checker ${check.steps} steps`;
  context.log(`[${time.now}] ${summary}`);
  if (check.verdict === 'illegal') return { ok: false, reason: `history of ${history.length} operations is not linearizable\n${check.explanation}\n${runSummary}` };
  if (check.verdict === 'unknown') return { ok: false, reason: `linearizability unknown: the checker ran out of ${settings.maxCheckerSteps} steps per key on ${history.length} operations` };
  return { ok: true, summary };
}

/** Election Safety on every tick, from what each running replica says it is right now. */
function checkLeadersSeen(run: RaftRun): null {
  for (const replica of run.replicas) {
    if (!replica.isUp) continue;
    const status = replica.status();
    if (status?.role === 'leader') run.invariants.recordLeaderTerm(replica.id, status.term);
  }
  return null;
}

/** One line about the run: cluster, elections, membership, faults, snapshots, history. */
function summarize(run: RaftRun, faults: FaultCounter, operations: number, pending: number): string {
  const { topology, invariants, operator, replicas } = run;
  const stats = invariants.stats;
  const total = (count: (replica: RaftReplicaNode) => number) => replicas.reduce((sum, replica) => sum + count(replica), 0);
  return (
    `${topology.voters.length} voters + ${topology.learners.length} learners + ${topology.spares.length} spare(s), election ${run.electionTicks} ticks; ` +
    `${stats.leaderTerms} leader terms, commit ${stats.maxCommitted}, ${stats.committedConfChanges - run.bootstrapEntries} conf changes committed ` +
    `(operator: ${operator.counters.confChangesAccepted} changes and ${operator.counters.transfersAccepted} transfers accepted, ${operator.counters.refused} refused), ` +
    `${total((r) => r.counters.crashes)} crashes (${total((r) => r.counters.tornCrashes)} torn), ` +
    `${total((r) => r.counters.snapshotsTaken)} snapshots taken, ${stats.snapshotsRestored} installed; ` +
    `up to ${Math.max(...replicas.map((r) => r.counters.maxWritesInFlight))} writes in flight; ` +
    `network faults ${faults.count('partition', 'isolate', 'one-way')}, pauses ${faults.count('pause')}; ` +
    `history ${operations} operations (${pending} pending)`
  );
}
