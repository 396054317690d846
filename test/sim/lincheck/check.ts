import { assert } from '../../../src/errors/keeper-error.js';
import { formatIllegal } from './explain.js';
import { isPending, validateHistory, type Operation } from './history.js';
import type { Model, Partition } from './model.js';
import { searchLinearization, type Verdict } from './search.js';

export type { Verdict } from './search.js';

export interface CheckOptions {
  /** The most `model.step` calls spent on one partition before answering 'unknown'. */
  readonly maxStepsPerPartition?: number;
  /**
   * The memo's size limit, in 32-bit words of stored linearized sets (each entry holds one word per
   * 32 operations). A full memo starts over: slower, never wrong.
   */
  readonly maxCacheWords?: number;
}

export const DEFAULT_MAX_STEPS_PER_PARTITION = 2_000_000;
export const DEFAULT_MAX_CACHE_WORDS = 8_000_000;

/** Why a partition is not linearizable, in the partition's own operations. */
export interface IllegalPartition<Input, Output> {
  readonly key: string;
  /** The longest linearizable prefix the search found, in linearization order. */
  readonly longestPrefix: readonly Operation<Input, Output>[];
  /** The model state after that prefix, described. */
  readonly stateAfterPrefix: string;
  /** The operations that could come next, each with whether the model rejects it right there. */
  readonly candidates: readonly { readonly operation: Operation<Input, Output>; readonly rejectedByModel: boolean }[];
  /** The operation that had to take effect before its return but could not. */
  readonly blocking: Operation<Input, Output>;
}

export interface PartitionVerdict<Input, Output> {
  readonly key: string;
  readonly operationCount: number;
  readonly verdict: Verdict;
  readonly steps: number;
  /** Set when the verdict is 'ok': the partition's operations in a valid linearization order. */
  readonly linearization: readonly Operation<Input, Output>[] | null;
  readonly illegal: IllegalPartition<Input, Output> | null;
}

export interface CheckResult<Input, Output> {
  /** 'illegal' if any partition is; otherwise 'unknown' if any ran out of steps; otherwise 'ok'. */
  readonly verdict: Verdict;
  readonly steps: number;
  readonly partitions: readonly PartitionVerdict<Input, Output>[];
  /** A readable account of the first illegal partition ('' unless the verdict is 'illegal'). */
  readonly explanation: string;
}

/**
 * Checks that `history` is linearizable with respect to `model`: that every operation can be given
 * a single instant between its call and its return (pending operations: after their call, or
 * never) such that the operations, applied in the order of those instants, give the recorded
 * outputs. Never hangs: each partition gets a step budget and answers 'unknown' when it runs out.
 */
export function checkHistory<State, Input, Output>(
  model: Model<State, Input, Output>,
  history: readonly Operation<Input, Output>[],
  options: CheckOptions = {},
): CheckResult<Input, Output> {
  validateHistory(history);
  const maxSteps = options.maxStepsPerPartition ?? DEFAULT_MAX_STEPS_PER_PARTITION;
  assert(Number.isInteger(maxSteps) && maxSteps > 0, `maxStepsPerPartition must be a positive integer, got ${maxSteps}`);
  const maxCacheWords = options.maxCacheWords ?? DEFAULT_MAX_CACHE_WORDS;
  assert(Number.isInteger(maxCacheWords) && maxCacheWords > 0, `maxCacheWords must be a positive integer, got ${maxCacheWords}`);
  const relevant = history.filter((operation) => !(isPending(operation) && model.isReadOnly?.(operation.input) === true));
  const partitions = partitionOf(model, relevant);
  const verdicts = partitions.map((partition) => checkPartition(model, partition, maxSteps, maxCacheWords));
  const verdict: Verdict = verdicts.some((v) => v.verdict === 'illegal')
    ? 'illegal'
    : verdicts.some((v) => v.verdict === 'unknown')
      ? 'unknown'
      : 'ok';
  const firstIllegal = verdicts.find((v) => v.illegal !== null)?.illegal ?? null;
  return {
    verdict,
    steps: verdicts.reduce((sum, v) => sum + v.steps, 0),
    partitions: verdicts,
    explanation: firstIllegal === null ? '' : formatIllegal(model, firstIllegal, verdicts.filter((v) => v.verdict === 'illegal').length),
  };
}

function partitionOf<State, Input, Output>(
  model: Model<State, Input, Output>,
  operations: readonly Operation<Input, Output>[],
): readonly Partition<Input, Output>[] {
  if (model.partition === undefined) return [{ key: '(whole history)', operations }];
  const partitions = model.partition(operations);
  const seen = new Set<Operation<Input, Output>>();
  for (const partition of partitions) {
    for (const operation of partition.operations) {
      assert(!seen.has(operation), `model ${model.name}: partition puts an operation in two parts`);
      seen.add(operation);
    }
  }
  assert(seen.size === operations.length, `model ${model.name}: partition lost ${operations.length - seen.size} operations`);
  return partitions;
}

function checkPartition<State, Input, Output>(
  model: Model<State, Input, Output>,
  partition: Partition<Input, Output>,
  maxSteps: number,
  maxCacheWords: number,
): PartitionVerdict<Input, Output> {
  const operations = partition.operations;
  const outcome = searchLinearization(model, operations, maxSteps, maxCacheWords);
  const base = { key: partition.key, operationCount: operations.length, verdict: outcome.verdict, steps: outcome.steps };
  if (outcome.verdict === 'ok') {
    return { ...base, linearization: outcome.linearization!.map((index) => operations[index]!), illegal: null };
  }
  if (outcome.verdict === 'unknown' || outcome.deepest === null) return { ...base, linearization: null, illegal: null };
  const deepest = outcome.deepest;
  const describeState = model.describeState ?? ((state: State) => JSON.stringify(state));
  return {
    ...base,
    linearization: null,
    illegal: {
      key: partition.key,
      longestPrefix: deepest.order.map((index) => operations[index]!),
      stateAfterPrefix: describeState(deepest.state),
      candidates: deepest.candidates.map((index) => {
        const operation = operations[index]!;
        const rejectedByModel = !model.step(deepest.state, operation.input, operation.output, operation.clientId).ok;
        return { operation, rejectedByModel };
      }),
      blocking: operations[deepest.blocking]!,
    },
  };
}
