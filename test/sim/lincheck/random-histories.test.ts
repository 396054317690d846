import { describe, expect, it } from 'vitest';
import { createPrng, type Prng } from '../../../src/util/prng.js';
import { checkHistory } from './check.js';
import { isPending, returnTimeOf, type Operation } from './history.js';
import { createKvModel, type KvInput, type KvOutput } from './kv-model.js';
import { generateLinearizableHistory, type RandomHistoryOptions } from './random-history.js';
import { kvHistorySpec, znodeHistorySpec } from './random-specs.js';
import { createZnodeModel, type ZnodeInput, type ZnodeOutput } from './znode-model.js';

const SEEDS = Array.from({ length: 40 }, (_, i) => i + 1);
const options: RandomHistoryOptions = { operations: 120, clients: 5, spacingTicks: 10, maxOverlapTicks: 35, pendingChance: 0.08 };

function kvHistory(seed: number, keyCount: number, overrides: Partial<RandomHistoryOptions> = {}) {
  return generateLinearizableHistory(createKvModel(), kvHistorySpec(keyCount), createPrng(seed), { ...options, ...overrides });
}
function znodeHistory(seed: number, pathCount: number) {
  return generateLinearizableHistory(createZnodeModel(), znodeHistorySpec(pathCount), createPrng(seed), options);
}

/** Replaces the output of one random completed read with a value nobody ever wrote. */
function mutateOneRead<I, O>(history: Operation<I, O>[], prng: Prng, isRead: (op: Operation<I, O>) => boolean, impossible: (op: Operation<I, O>) => O) {
  const reads = history.map((op, index) => ({ op, index })).filter(({ op }) => !isPending(op) && isRead(op));
  const chosen = reads[prng.nextInt(reads.length)]!;
  const mutated = history.slice();
  mutated[chosen.index] = { ...chosen.op, output: impossible(chosen.op) };
  return mutated;
}
const mutateKv = (history: Operation<KvInput, KvOutput>[], seed: number) =>
  mutateOneRead(history, createPrng(seed), (op) => op.input.kind === 'read', (): KvOutput => ({ kind: 'read', value: 'never-written' }));
const mutateZnode = (history: Operation<ZnodeInput, ZnodeOutput>[], seed: number) =>
  mutateOneRead(
    history,
    createPrng(seed),
    (op) => op.input.kind === 'getData' || op.input.kind === 'syncGetData',
    (): ZnodeOutput => ({ kind: 'data', data: 'never-written', version: 0 }),
  );

describe('random linearizable histories', () => {
  it('histories executed on the kv model, with random overlaps and pending operations, are accepted', () => {
    for (const seed of SEEDS) {
      const history = kvHistory(seed, 3);
      expect(history.some(isPending), `seed ${seed} has pending operations`).toBe(true);
      expect(checkHistory(createKvModel(), history).verdict, `seed ${seed}`).toBe('ok');
    }
  });

  it('histories executed on the znode model, stale plain reads included, are accepted', () => {
    for (const seed of SEEDS) {
      expect(checkHistory(createZnodeModel(), znodeHistory(seed, 3)).verdict, `seed ${seed}`).toBe('ok');
    }
  });

  it('the linearization returned with ok respects real time and replays on the model', () => {
    const model = createKvModel();
    for (const seed of SEEDS.slice(0, 10)) {
      const history = kvHistory(seed, 2);
      for (const partition of checkHistory(model, history).partitions) {
        const order = partition.linearization!;
        expect(order.filter((op) => !isPending(op)).length).toBe(history.filter((op) => op.input.key === partition.key && !isPending(op)).length);
        // No operation placed later returned before an earlier one was called.
        let earliestLaterReturn = Infinity;
        let respectsRealTime = true;
        for (let i = order.length - 1; i >= 0; i--) {
          if (earliestLaterReturn < order[i]!.callTime) respectsRealTime = false;
          earliestLaterReturn = Math.min(earliestLaterReturn, returnTimeOf(order[i]!));
        }
        expect(respectsRealTime, `seed ${seed}`).toBe(true);
        let state = model.init();
        for (const op of order) {
          const step = model.step(state, op.input, op.output, op.clientId);
          expect(step.ok, `seed ${seed}`).toBe(true);
          if (step.ok) state = step.state;
        }
      }
    }
  });

  it('a long, highly concurrent single-key history is accepted', () => {
    const history = kvHistory(7, 1, { operations: 2000, maxOverlapTicks: 60 });
    expect(checkHistory(createKvModel(), history).verdict).toBe('ok');
  });

  it('the same kv histories with one read answering a value never written are rejected', () => {
    for (const seed of SEEDS) {
      const result = checkHistory(createKvModel(), mutateKv(kvHistory(seed, 3), seed));
      expect(result.verdict, `seed ${seed}`).toBe('illegal');
      expect(result.explanation).toContain('"never-written"');
    }
  });

  it('the same znode histories with one read answering data never written are rejected', () => {
    for (const seed of SEEDS) {
      expect(checkHistory(createZnodeModel(), mutateZnode(znodeHistory(seed, 3), seed)).verdict, `seed ${seed}`).toBe('illegal');
    }
  });
});

describe('P-compositionality', () => {
  const small = { operations: 40, maxOverlapTicks: 25 };
  const whole = createKvModel({ partitionByKey: false });
  const byKey = createKvModel({ partitionByKey: true });

  it('partitioning by key gives the same verdict as checking the whole history', () => {
    for (const seed of SEEDS) {
      const history = kvHistory(seed, 3, small);
      const mutated = mutateKv(history, seed);
      expect(checkHistory(whole, history).verdict, `seed ${seed}`).toBe(checkHistory(byKey, history).verdict);
      expect(checkHistory(whole, mutated).verdict, `seed ${seed} mutated`).toBe(checkHistory(byKey, mutated).verdict);
      expect(checkHistory(byKey, mutated).verdict).toBe('illegal');
    }
  });

  it('partitioning by path gives the same verdict for znode histories', () => {
    const whole = createZnodeModel({ partitionByPath: false });
    for (const seed of SEEDS.slice(0, 20)) {
      const history = generateLinearizableHistory(createZnodeModel(), znodeHistorySpec(2), createPrng(seed), { ...options, ...small });
      const mutated = mutateZnode(history, seed);
      expect(checkHistory(whole, history).verdict, `seed ${seed}`).toBe('ok');
      expect(checkHistory(whole, mutated).verdict, `seed ${seed} mutated`).toBe('illegal');
    }
  });

  it('splits into one partition per key', () => {
    const result = checkHistory(byKey, kvHistory(3, 4, small));
    expect(result.partitions.map((p) => p.key)).toEqual(['k0', 'k1', 'k2', 'k3']);
    expect(result.partitions.reduce((sum, p) => sum + p.operationCount, 0)).toBeLessThanOrEqual(40);
  });
});

describe('bounded memo', () => {
  it('a memo too small to hold much changes no verdict', () => {
    for (const seed of SEEDS.slice(0, 15)) {
      const history = kvHistory(seed, 2, { operations: 60 });
      const mutated = mutateKv(history, seed);
      expect(checkHistory(createKvModel(), history, { maxCacheWords: 50 }).verdict, `seed ${seed}`).toBe('ok');
      expect(checkHistory(createKvModel(), mutated, { maxCacheWords: 50 }).verdict, `seed ${seed}`).toBe('illegal');
    }
  });
});

describe('step budget', () => {
  /** n writes of distinct values all overlapping, and a read that no order explains. */
  function pathological(writes: number): Operation<KvInput, KvOutput>[] {
    const history: Operation<KvInput, KvOutput>[] = [];
    for (let i = 0; i < writes; i++) {
      history.push({ clientId: i, input: { kind: 'write', key: 'x', value: `v${i}` }, output: { kind: 'write' }, callTime: 0, returnTime: 100 });
    }
    history.push({ clientId: writes, input: { kind: 'read', key: 'x' }, output: { kind: 'read', value: 'none' }, callTime: 50, returnTime: 100 });
    return history;
  }

  it('a pathological history exhausts the budget and answers unknown instead of hanging', () => {
    const result = checkHistory(createKvModel(), pathological(18), { maxStepsPerPartition: 20_000 });
    expect(result.verdict).toBe('unknown');
    expect(result.steps).toBe(20_000);
    expect(result.explanation).toBe('');
  });

  it('the same kind of history, smaller, is decided within the budget', () => {
    expect(checkHistory(createKvModel(), pathological(8), { maxStepsPerPartition: 200_000 }).verdict).toBe('illegal');
  });

  it('an illegal partition wins over an unknown one', () => {
    const history = [
      ...pathological(18),
      { clientId: 1, input: { kind: 'write', key: 'y', value: 'a' }, output: { kind: 'write' }, callTime: 0, returnTime: 1 },
      { clientId: 2, input: { kind: 'read', key: 'y' }, output: { kind: 'read', value: null }, callTime: 2, returnTime: 3 },
    ] satisfies Operation<KvInput, KvOutput>[];
    const result = checkHistory(createKvModel(), history, { maxStepsPerPartition: 20_000 });
    expect(result.verdict).toBe('illegal');
    expect(result.partitions.map((p) => p.verdict)).toEqual(['unknown', 'illegal']);
  });
});
