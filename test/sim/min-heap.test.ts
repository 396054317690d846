import { describe, expect, it } from 'vitest';
import { createPrng } from '../../src/util/prng.js';
import { MinHeap } from './min-heap.js';

describe('min-heap', () => {
  it('pops in order', () => {
    const prng = createPrng(3);
    const heap = new MinHeap<number>((a, b) => a < b);
    const values = Array.from({ length: 500 }, () => prng.nextInt(1000));
    for (const value of values) heap.push(value);
    const popped: number[] = [];
    for (let value = heap.pop(); value !== undefined; value = heap.pop()) popped.push(value);
    expect(popped).toEqual(values.slice().sort((a, b) => a - b));
  });

  it('removeWhere keeps the rest in order', () => {
    const heap = new MinHeap<number>((a, b) => a < b);
    for (const value of [5, 1, 4, 2, 3, 6]) heap.push(value);
    expect(heap.removeWhere((value) => value % 2 === 0)).toBe(3);
    expect([heap.pop(), heap.pop(), heap.pop(), heap.pop()]).toEqual([1, 3, 5, undefined]);
  });
});
