import type { Operation } from './history.js';

export type StepResult<State> = { readonly ok: true; readonly state: State } | { readonly ok: false };

/** A group of operations that can be checked on its own (P-compositionality), e.g. one key's. */
export interface Partition<Input, Output> {
  readonly key: string;
  readonly operations: readonly Operation<Input, Output>[];
}

/**
 * The sequential specification a history is checked against. States are values: `step` must not
 * mutate the state it is given.
 */
export interface Model<State, Input, Output> {
  readonly name: string;
  init(): State;
  /**
   * Applies one operation to `state`. `ok` is false when the operation could not have answered
   * `output` in `state`. `output` is undefined for a pending operation: then the operation took
   * effect with an unknown answer, and `step` must accept it from every state.
   * `clientId` serves models with per-client guarantees (ZooKeeper's plain reads).
   */
  step(state: State, input: Input, output: Output | undefined, clientId: number): StepResult<State>;
  equal(a: State, b: State): boolean;
  /** A 32-bit hash consistent with `equal`. */
  hash(state: State): number;
  /**
   * Splits a history into independently checkable parts; every operation must land in exactly one.
   * Linearizability is compositional, so the history is linearizable iff every part is.
   */
  partition?(operations: readonly Operation<Input, Output>[]): readonly Partition<Input, Output>[];
  /** True for an operation that never changes the state: such an operation, pending, is dropped. */
  isReadOnly?(input: Input): boolean;
  describeOperation?(input: Input, output: Output | undefined): string;
  describeState?(state: State): string;
}
