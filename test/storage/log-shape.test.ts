import { describe, expect, it } from 'vitest';
import { LogShape } from '../../src/storage/log-shape.js';
import { applyPlanToShape, planWrite } from '../../src/storage/write-plan.js';
import { createPrng } from '../../src/util/prng.js';
import { ReferenceLog } from './reference-log.js';

describe('LogShape', () => {
  it('knows the term of every index it holds, like the dumb reference log, through random histories', () => {
    for (const seed of [11, 12, 13, 14]) {
      const prng = createPrng(seed);
      const reference = new ReferenceLog();
      const shape = new LogShape();
      for (let write = 0; write < 150; write++) {
        const batch = reference.randomBatch(prng, ['a']);
        applyPlanToShape(shape, planWrite(shape, batch));
        reference.apply(batch);
        expect(shape.firstIndex).toBe(reference.firstIndex);
        expect(shape.lastIndex).toBe(reference.lastIndex);
        for (let index = shape.firstIndex - 2; index <= shape.lastIndex + 1; index++) {
          expect(shape.termAt(index), `seed ${seed} write ${write} index ${index}`).toBe(reference.termAt(index));
        }
      }
    }
  });

  it('a snapshot that matches the log keeps the terms after it; one that does not empties the log', () => {
    const shape = LogShape.of(null, [1, 1, 2, 2, 3].map((term, offset) => ({ term, index: offset + 1, type: 0 as const, data: new Uint8Array() })), {
      term: 3,
      vote: null,
      commit: 0,
    });
    shape.applySnapshot({ index: 3, term: 2 }, true);
    expect([shape.firstIndex, shape.lastIndex]).toEqual([4, 5]);
    expect([3, 4, 5].map((index) => shape.termAt(index))).toEqual([2, 2, 3]);
    shape.applySnapshot({ index: 4, term: 9 }, false);
    expect([shape.firstIndex, shape.lastIndex, shape.termAt(4), shape.termAt(5)]).toEqual([5, 4, 9, undefined]);
  });
});
