import { describe, expect, it } from 'vitest';
import { createPrng, type Prng } from '../../../src/util/prng.js';
import { checkHistory } from './check.js';
import { isPending, returnTimeOf, type Operation } from './history.js';
import { applyKv, createKvModel, type KvInput, type KvOutput, type RegisterValue } from './kv-model.js';

type KvOperation = Operation<KvInput, KvOutput>;

/**
 * The definition, checked directly: try every order in which the next operation is one that no
 * remaining operation returned before (no memo, no list tricks). Pending operations may be left out.
 */
function bruteForceLinearizable(history: readonly KvOperation[]): boolean {
  const search = (remaining: readonly KvOperation[], value: RegisterValue): boolean => {
    if (remaining.every(isPending)) return true;
    return remaining.some((candidate) => {
      if (remaining.some((other) => other !== candidate && returnTimeOf(other) < candidate.callTime)) return false;
      const applied = applyKv(value, candidate.input);
      if (candidate.output !== undefined && JSON.stringify(applied.output) !== JSON.stringify(candidate.output)) return false;
      return search(remaining.filter((other) => other !== candidate), applied.value);
    });
  };
  return search(history, null);
}

const values = ['a', 'b', 'c'] as const;
function randomOperation(prng: Prng, clientId: number): KvOperation {
  const callTime = prng.nextInt(10);
  const returnTime = callTime + prng.nextInt(6);
  const value = values[prng.nextInt(values.length)]!;
  const maybe = (): string | null => (prng.chance(0.25) ? null : values[prng.nextInt(values.length)]!);
  const roll = prng.nextInt(3);
  const input: KvInput = roll === 0 ? { kind: 'read', key: 'x' } : roll === 1 ? { kind: 'write', key: 'x', value } : { kind: 'cas', key: 'x', expected: maybe(), value };
  if (prng.chance(0.15)) return { clientId, input, callTime };
  const output: KvOutput = input.kind === 'read' ? { kind: 'read', value: maybe() } : input.kind === 'write' ? { kind: 'write' } : { kind: 'cas', ok: prng.chance(0.5) };
  return { clientId, input, output, callTime, returnTime };
}

describe('the checker agrees with the definition', () => {
  it('on 3000 small random histories (legal and illegal), the verdict equals a brute-force search', () => {
    const prng = createPrng(2024);
    const model = createKvModel();
    let legal = 0;
    for (let trial = 0; trial < 3000; trial++) {
      const size = prng.nextIntBetween(1, 7);
      const history = Array.from({ length: size }, (_, i) => randomOperation(prng, i));
      const expected = bruteForceLinearizable(history);
      if (expected) legal += 1;
      expect(checkHistory(model, history).verdict, `trial ${trial}: ${JSON.stringify(history)}`).toBe(expected ? 'ok' : 'illegal');
    }
    // Both kinds of answer were exercised.
    expect(legal).toBeGreaterThan(300);
    expect(legal).toBeLessThan(2700);
  });
});
