import { assert } from '../../src/errors/keeper-error.js';
import type { SimCluster } from './cluster.js';
import type { FaultSchedule } from './fault-schedule.js';

export interface TwoPhaseOptions<Message> {
  readonly cluster: SimCluster<Message>;
  readonly schedule: FaultSchedule;
  /** Phase one: ticks under the schedule's faults. */
  readonly safetyTicks: number;
  /** Phase two: the most ticks, after every fault is healed, for `converged` to hold. */
  readonly livenessTicks: number;
  /** Checked after each phase-two tick (and once before the first). */
  converged(): boolean;
  /** Called once between the phases, after healing (e.g. to note the progress made so far). */
  onHealed?(): void;
  /** Checked after every tick of both phases; a string stops the run as a safety failure. */
  invariant?(): string | null;
  readonly log?: (line: string) => void;
}

export type TwoPhaseResult =
  | { readonly kind: 'converged'; readonly livenessTicksUsed: number }
  | { readonly kind: 'not-converged'; readonly livenessTicksUsed: number }
  | { readonly kind: 'invariant-broken'; readonly tick: number; readonly reason: string };

/**
 * TigerBeetle's two phases: run under faults (safety: invariants hold all along), then heal every
 * fault and demand convergence within a tick budget (liveness).
 */
export function runTwoPhases<Message>(options: TwoPhaseOptions<Message>): TwoPhaseResult {
  const { cluster, schedule } = options;
  assert(Number.isInteger(options.safetyTicks) && options.safetyTicks >= 0, 'safetyTicks must be a non-negative integer');
  assert(Number.isInteger(options.livenessTicks) && options.livenessTicks >= 0, 'livenessTicks must be a non-negative integer');
  const checkInvariant = (): TwoPhaseResult | null => {
    const reason = options.invariant?.() ?? null;
    return reason === null ? null : { kind: 'invariant-broken', tick: cluster.now, reason };
  };
  for (let tick = 0; tick < options.safetyTicks; tick++) {
    for (const event of schedule.next(cluster.now)) cluster.applyFault(event);
    cluster.step();
    const broken = checkInvariant();
    if (broken !== null) return broken;
  }
  options.log?.(`[${cluster.now}] phase two: every fault healed; convergence due within ${options.livenessTicks} ticks`);
  for (const event of schedule.recoverAll()) cluster.applyFault(event);
  options.onHealed?.();
  let used = 0;
  while (!options.converged() && used < options.livenessTicks) {
    cluster.step();
    used += 1;
    const broken = checkInvariant();
    if (broken !== null) return broken;
  }
  return { kind: options.converged() ? 'converged' : 'not-converged', livenessTicksUsed: used };
}
