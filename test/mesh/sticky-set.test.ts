import { describe, expect, it } from 'vitest';
import { StickySet } from '../../src/mesh/sticky-set.js';

describe('sticky set', () => {
  it('a member stays for the grace period after it was last named, then goes', () => {
    const set = new StickySet(1_000);
    expect(set.update(['b', 'a'], 0)).toEqual(['a', 'b']);
    expect(set.update(['a'], 900)).toEqual(['a', 'b']);
    expect(set.update(['a'], 1_001)).toEqual(['a']);
    expect(set.update([], 1_900)).toEqual(['a']);
    expect(set.update([], 2_002)).toEqual([]);
  });
});
