import { assert } from '../../../src/errors/keeper-error.js';
import type { Prng } from '../../../src/util/prng.js';
import type { Operation } from './history.js';
import type { Model } from './model.js';

/** How to draw operations for a model, and what a correct system would answer. */
export interface HistorySpec<State, Input, Output> {
  randomInput(prng: Prng, state: State): Input;
  /** A correct answer to `input` in `state` (a stale read may choose among several). */
  answer(prng: Prng, state: State, input: Input, clientId: number): Output;
}

export interface RandomHistoryOptions {
  readonly operations: number;
  readonly clients: number;
  /** Ticks between consecutive linearization points. */
  readonly spacingTicks: number;
  /** How far a call may start before, and its return come after, its linearization point. */
  readonly maxOverlapTicks: number;
  /** Chance that an operation never returns (then, one time in two, it took effect). */
  readonly pendingChance: number;
}

export const MAX_RANDOM_OPERATIONS = 100_000;

/**
 * A history that is linearizable by construction: operations are executed one at a time on the
 * model (the i-th at linearization point i * spacing), then each gets a random real-time interval
 * around its point, so many operations overlap. A pending operation either took effect at its
 * point or never did.
 */
export function generateLinearizableHistory<State, Input, Output>(
  model: Model<State, Input, Output>,
  spec: HistorySpec<State, Input, Output>,
  prng: Prng,
  options: RandomHistoryOptions,
): Operation<Input, Output>[] {
  assert(options.operations <= MAX_RANDOM_OPERATIONS, `at most ${MAX_RANDOM_OPERATIONS} operations, got ${options.operations}`);
  assert(options.clients >= 1, 'at least one client');
  let state = model.init();
  const history: Operation<Input, Output>[] = [];
  for (let i = 0; i < options.operations; i++) {
    const point = (i + 1) * options.spacingTicks;
    const clientId = prng.nextInt(options.clients);
    const input = spec.randomInput(prng, state);
    const callTime = point - prng.nextIntBetween(0, options.maxOverlapTicks);
    if (prng.chance(options.pendingChance)) {
      if (prng.chance(0.5)) state = stepOrThrow(model, state, input, undefined, clientId);
      history.push({ clientId, input, callTime });
      continue;
    }
    const output = spec.answer(prng, state, input, clientId);
    state = stepOrThrow(model, state, input, output, clientId);
    history.push({ clientId, input, output, callTime, returnTime: point + prng.nextIntBetween(0, options.maxOverlapTicks) });
  }
  return history;
}

function stepOrThrow<State, Input, Output>(model: Model<State, Input, Output>, state: State, input: Input, output: Output | undefined, clientId: number): State {
  const result = model.step(state, input, output, clientId);
  assert(result.ok, `model ${model.name} rejects the spec's own answer ${JSON.stringify(output)} to ${JSON.stringify(input)}`);
  return result.state;
}
