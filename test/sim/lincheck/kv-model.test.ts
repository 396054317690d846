import { describe, expect, it } from 'vitest';
import { checkHistory } from './check.js';
import type { Operation } from './history.js';
import { createKvModel, type KvInput, type KvOutput } from './kv-model.js';

type KvOperation = Operation<KvInput, KvOutput>;
const model = createKvModel();

/** A completed read, or a pending one when `returnTime` is omitted. */
function read(clientId: number, key: string, value: string | null, callTime: number, returnTime: number): KvOperation {
  return { clientId, input: { kind: 'read', key }, output: { kind: 'read', value }, callTime, returnTime };
}
function write(clientId: number, key: string, value: string, callTime: number, returnTime?: number): KvOperation {
  const input: KvInput = { kind: 'write', key, value };
  return returnTime === undefined ? { clientId, input, callTime } : { clientId, input, output: { kind: 'write' }, callTime, returnTime };
}
function cas(clientId: number, key: string, expected: string | null, value: string, ok: boolean, callTime: number, returnTime?: number): KvOperation {
  const input: KvInput = { kind: 'cas', key, expected, value };
  return returnTime === undefined ? { clientId, input, callTime } : { clientId, input, output: { kind: 'cas', ok }, callTime, returnTime };
}
const verdictOf = (history: KvOperation[]) => checkHistory(model, history).verdict;

describe('kv register model: linearizable histories are accepted', () => {
  it('a sequential history of writes and reads', () => {
    expect(verdictOf([write(1, 'x', 'a', 0, 1), read(2, 'x', 'a', 2, 3), write(1, 'x', 'b', 4, 5), read(2, 'x', 'b', 6, 7)])).toBe('ok');
  });

  it('a key never written reads null', () => {
    expect(verdictOf([read(1, 'x', null, 0, 1), write(2, 'y', 'a', 0, 1), read(1, 'x', null, 2, 3)])).toBe('ok');
  });

  it('reads overlapping a write may see the old or the new value, old before new', () => {
    expect(verdictOf([write(1, 'x', 'a', 0, 10), read(2, 'x', null, 1, 2), read(2, 'x', 'a', 3, 4), read(3, 'x', 'a', 5, 6)])).toBe('ok');
  });

  it('concurrent writes may take effect in either order', () => {
    expect(verdictOf([write(1, 'x', 'a', 0, 10), write(2, 'x', 'b', 0, 10), read(3, 'x', 'a', 11, 12)])).toBe('ok');
    expect(verdictOf([write(1, 'x', 'a', 0, 10), write(2, 'x', 'b', 0, 10), read(3, 'x', 'b', 11, 12)])).toBe('ok');
  });

  it('operations touching at one instant overlap', () => {
    expect(verdictOf([write(1, 'x', 'a', 0, 5), read(2, 'x', null, 5, 6)])).toBe('ok');
  });

  it('a pending write that took effect is observed', () => {
    expect(verdictOf([write(1, 'x', 'a', 0), read(2, 'x', 'a', 5, 6), read(2, 'x', 'a', 7, 8)])).toBe('ok');
  });

  it('a pending write that never took effect is never observed', () => {
    expect(verdictOf([write(1, 'x', 'a', 0), read(2, 'x', null, 5, 6), read(2, 'x', null, 7, 8)])).toBe('ok');
  });

  it('a pending write may take effect long after its call', () => {
    expect(verdictOf([write(1, 'x', 'a', 0), read(2, 'x', null, 5, 6), write(3, 'x', 'b', 7, 8), read(2, 'x', 'a', 100, 101)])).toBe('ok');
  });

  it('compare-and-set: of two concurrent CAS from the same value, one wins', () => {
    expect(
      verdictOf([
        write(1, 'x', '0', 0, 1),
        cas(2, 'x', '0', '1', true, 2, 5),
        cas(3, 'x', '0', '2', false, 2, 5),
        read(1, 'x', '1', 6, 7),
      ]),
    ).toBe('ok');
  });

  it('a pending CAS may explain a value', () => {
    expect(verdictOf([write(1, 'x', '0', 0, 1), cas(2, 'x', '0', '1', false, 2), read(1, 'x', '1', 6, 7)])).toBe('ok');
  });
});

describe('kv register model: non-linearizable histories are rejected', () => {
  it('a stale read after a completed write', () => {
    expect(verdictOf([write(1, 'x', 'a', 0, 1), read(2, 'x', null, 2, 3)])).toBe('illegal');
  });

  it('a read of an overwritten value after the overwrite completed', () => {
    expect(verdictOf([write(1, 'x', 'a', 0, 1), write(1, 'x', 'b', 2, 3), read(2, 'x', 'a', 4, 5)])).toBe('illegal');
  });

  it('two readers observing two writes in opposite orders', () => {
    const history = [
      write(1, 'x', 'a', 0, 10),
      write(2, 'x', 'b', 0, 10),
      read(3, 'x', 'a', 1, 2),
      read(3, 'x', 'b', 3, 4),
      read(4, 'x', 'b', 1, 2),
      read(4, 'x', 'a', 3, 4),
    ];
    expect(verdictOf(history)).toBe('illegal');
  });

  it('a lost update: two CAS from the same value both succeed', () => {
    expect(verdictOf([write(1, 'x', '0', 0, 1), cas(2, 'x', '0', '1', true, 2, 5), cas(3, 'x', '0', '2', true, 2, 5)])).toBe('illegal');
  });

  it('a CAS that fails though the expected value was there and nobody else wrote', () => {
    expect(verdictOf([write(1, 'x', '0', 0, 1), cas(2, 'x', '0', '1', false, 2, 3)])).toBe('illegal');
  });

  it('a read of a value never written', () => {
    expect(verdictOf([write(1, 'x', 'a', 0, 1), read(2, 'x', 'z', 2, 3)])).toBe('illegal');
  });

  it('a read from the future: it sees a write called after it returned (write-read-write)', () => {
    expect(verdictOf([write(1, 'x', 'a', 0, 1), read(2, 'x', 'b', 2, 3), write(1, 'x', 'b', 4, 5)])).toBe('illegal');
  });

  it('a read that goes back to the older value between two writes (write-read-write)', () => {
    expect(verdictOf([write(1, 'x', 'a', 0, 1), write(1, 'x', 'b', 2, 10), read(2, 'x', 'b', 3, 4), read(2, 'x', 'a', 5, 6)])).toBe('illegal');
  });

  it('a pending write observed, then unobserved', () => {
    expect(verdictOf([write(1, 'x', 'a', 0), read(2, 'x', 'a', 1, 2), read(2, 'x', null, 3, 4)])).toBe('illegal');
  });

  it('one bad key makes the whole history illegal', () => {
    expect(verdictOf([write(1, 'x', 'a', 0, 1), read(2, 'x', 'a', 2, 3), write(1, 'y', 'a', 0, 1), read(2, 'y', null, 2, 3)])).toBe('illegal');
  });
});

describe('kv register model: explanations', () => {
  it('an illegal verdict names the partition, the longest prefix and the operation that cannot be placed', () => {
    const result = checkHistory(model, [write(1, 'x', 'a', 0, 1), write(1, 'y', 'b', 0, 1), write(1, 'x', 'b', 2, 3), read(2, 'x', 'a', 4, 5)]);
    expect(result.verdict).toBe('illegal');
    const illegal = result.partitions.find((p) => p.verdict === 'illegal')!.illegal!;
    expect(illegal.key).toBe('x');
    expect(illegal.longestPrefix.map((op) => op.input)).toEqual([
      { kind: 'write', key: 'x', value: 'a' },
      { kind: 'write', key: 'x', value: 'b' },
    ]);
    expect(illegal.stateAfterPrefix).toBe('"b"');
    expect(illegal.blocking.input).toEqual({ kind: 'read', key: 'x' });
    expect(illegal.candidates).toEqual([{ operation: illegal.blocking, rejectedByModel: true }]);
    expect(result.explanation).toContain('partition x');
    expect(result.explanation).toContain('client 2: read(x) -> "a" [4 .. 5]');
    expect(result.explanation).toContain('the model rejects it in this state');
  });

  it('an ok verdict comes with a linearization that respects real time', () => {
    const history = [write(1, 'x', 'a', 0, 10), read(2, 'x', null, 1, 2), read(3, 'x', 'a', 3, 4)];
    const result = checkHistory(model, history);
    expect(result.verdict).toBe('ok');
    expect(result.explanation).toBe('');
    expect(result.partitions[0]!.linearization).toEqual([history[1], history[0], history[2]]);
  });
});

describe('checker input validation', () => {
  it('rejects an operation that returns before its call', () => {
    expect(() => checkHistory(model, [write(1, 'x', 'a', 5, 4)])).toThrow(/returns \(4\) before its call \(5\)/);
  });

  it('rejects a non-finite call time', () => {
    expect(() => checkHistory(model, [write(1, 'x', 'a', Number.NaN, 4)])).toThrow(/callTime/);
  });
});
