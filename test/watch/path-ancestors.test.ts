import { describe, expect, it } from 'vitest';
import { pathAndAncestors } from '../../src/watch/path-ancestors.js';

describe('pathAndAncestors (the parent walk recursive watches are found by)', () => {
  it('yields the path, then each parent up to the root', () => {
    expect([...pathAndAncestors('/a/b/c')]).toEqual(['/a/b/c', '/a/b', '/a', '/']);
    expect([...pathAndAncestors('/a')]).toEqual(['/a', '/']);
  });

  it('yields only the root for the root', () => {
    expect([...pathAndAncestors('/')]).toEqual(['/']);
  });
});
