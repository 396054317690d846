import { hashString, mix32 } from './hash.js';
import type { Operation } from './history.js';
import type { Model, Partition, StepResult } from './model.js';

/** A model of one key's object (a register, a znode), lifted to a map of independent keys. */
export interface KeyModel<State, Input, Output> {
  readonly name: string;
  keyOf(input: Input): string;
  init(): State;
  step(state: State, input: Input, output: Output | undefined, clientId: number): StepResult<State>;
  equal(a: State, b: State): boolean;
  hash(state: State): number;
  isReadOnly?(input: Input): boolean;
  describeOperation?(input: Input, output: Output | undefined): string;
  describeState?(state: State): string;
}

/** The state of many keys; a key absent from the map is in its initial state. */
export type KeyedState<State> = ReadonlyMap<string, State>;

export interface KeyedModelOptions {
  /** Check each key on its own (P-compositionality); false checks the whole history at once. */
  readonly partitionByKey: boolean;
}

/**
 * Lifts a per-key model to a whole-history model. Operations on different keys commute, so with
 * `partitionByKey` each key's operations are checked on their own, which is exponentially cheaper
 * and gives the same verdict.
 */
export function keyedModel<State, Input, Output>(
  keyModel: KeyModel<State, Input, Output>,
  options: KeyedModelOptions,
): Model<KeyedState<State>, Input, Output> {
  const stateOf = (state: KeyedState<State>, key: string) => state.get(key) ?? keyModel.init();
  const model: Model<KeyedState<State>, Input, Output> = {
    name: keyModel.name,
    init: () => new Map(),
    step(state, input, output, clientId) {
      const key = keyModel.keyOf(input);
      const result = keyModel.step(stateOf(state, key), input, output, clientId);
      if (!result.ok) return result;
      const next = new Map(state);
      next.set(key, result.state);
      return { ok: true, state: next };
    },
    equal(a, b) {
      const keys = new Set([...a.keys(), ...b.keys()]);
      for (const key of keys) {
        if (!keyModel.equal(stateOf(a, key), stateOf(b, key))) return false;
      }
      return true;
    },
    hash(state) {
      // Order-independent sum over keys not in their initial state, so equal maps hash equally.
      const initial = keyModel.init();
      let sum = 0;
      for (const [key, value] of state) {
        if (keyModel.equal(value, initial)) continue;
        sum = (sum + mix32((hashString(key) ^ keyModel.hash(value)) >>> 0)) >>> 0;
      }
      return sum;
    },
    describeState(state) {
      const describe = keyModel.describeState ?? ((value: State) => JSON.stringify(value));
      const keys = [...state.keys()].sort();
      if (keys.length === 1) return describe(state.get(keys[0]!)!);
      return `{ ${keys.map((key) => `${key}: ${describe(state.get(key)!)}`).join(', ')} }`;
    },
  };
  if (keyModel.isReadOnly !== undefined) model.isReadOnly = keyModel.isReadOnly.bind(keyModel);
  if (keyModel.describeOperation !== undefined) model.describeOperation = keyModel.describeOperation.bind(keyModel);
  if (options.partitionByKey) model.partition = (operations) => partitionByKey(keyModel, operations);
  return model;
}

function partitionByKey<Input, Output>(
  keyModel: KeyModel<unknown, Input, Output>,
  operations: readonly Operation<Input, Output>[],
): readonly Partition<Input, Output>[] {
  const byKey = new Map<string, Operation<Input, Output>[]>();
  for (const operation of operations) {
    const key = keyModel.keyOf(operation.input);
    let group = byKey.get(key);
    if (group === undefined) {
      group = [];
      byKey.set(key, group);
    }
    group.push(operation);
  }
  return [...byKey.keys()].sort().map((key) => ({ key, operations: byKey.get(key)! }));
}
