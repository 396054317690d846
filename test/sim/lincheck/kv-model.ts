import { hashString } from './hash.js';
import { keyedModel, type KeyModel, type KeyedState, type KeyedModelOptions } from './keyed-model.js';
import type { Model } from './model.js';

/** A map of registers: read, write and compare-and-set by key. A key never written reads null. */
export type KvInput =
  | { readonly kind: 'read'; readonly key: string }
  | { readonly kind: 'write'; readonly key: string; readonly value: string }
  | { readonly kind: 'cas'; readonly key: string; readonly expected: string | null; readonly value: string };

export type KvOutput =
  | { readonly kind: 'read'; readonly value: string | null }
  | { readonly kind: 'write' }
  | { readonly kind: 'cas'; readonly ok: boolean };

/** One register's value; null until written. */
export type RegisterValue = string | null;

/** Executes one operation sequentially: the register's specification. */
export function applyKv(value: RegisterValue, input: KvInput): { readonly value: RegisterValue; readonly output: KvOutput } {
  switch (input.kind) {
    case 'read':
      return { value, output: { kind: 'read', value } };
    case 'write':
      return { value: input.value, output: { kind: 'write' } };
    case 'cas':
      return value === input.expected
        ? { value: input.value, output: { kind: 'cas', ok: true } }
        : { value, output: { kind: 'cas', ok: false } };
  }
}

function sameOutput(a: KvOutput, b: KvOutput): boolean {
  switch (a.kind) {
    case 'read':
      return b.kind === 'read' && a.value === b.value;
    case 'write':
      return b.kind === 'write';
    case 'cas':
      return b.kind === 'cas' && a.ok === b.ok;
  }
}

function describeValue(value: RegisterValue): string {
  return value === null ? 'null' : JSON.stringify(value);
}

export const registerKeyModel: KeyModel<RegisterValue, KvInput, KvOutput> = {
  name: 'kv register',
  keyOf: (input) => input.key,
  init: () => null,
  step(state, input, output) {
    const applied = applyKv(state, input);
    if (output !== undefined && !sameOutput(applied.output, output)) return { ok: false };
    return { ok: true, state: applied.value };
  },
  equal: (a, b) => a === b,
  hash: (state) => (state === null ? 0 : hashString(state) | 1),
  isReadOnly: (input) => input.kind === 'read',
  describeOperation(input, output) {
    const call =
      input.kind === 'read'
        ? `read(${input.key})`
        : input.kind === 'write'
          ? `write(${input.key}, ${describeValue(input.value)})`
          : `cas(${input.key}, ${describeValue(input.expected)} -> ${describeValue(input.value)})`;
    if (output === undefined) return `${call} -> ? (pending)`;
    const result = output.kind === 'read' ? describeValue(output.value) : output.kind === 'write' ? 'ok' : output.ok ? 'ok' : 'failed';
    return `${call} -> ${result}`;
  },
  describeState: describeValue,
};

export function createKvModel(options: KeyedModelOptions = { partitionByKey: true }): Model<KeyedState<RegisterValue>, KvInput, KvOutput> {
  return keyedModel(registerKeyModel, options);
}
