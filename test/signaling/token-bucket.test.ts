import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../signaling/token-bucket.js';

describe('token bucket', () => {
  it('allows the burst at once, then the rate', () => {
    const bucket = new TokenBucket(10, 5, 0);
    const taken = Array.from({ length: 8 }, () => bucket.take(0));
    expect(taken.filter(Boolean)).toHaveLength(5);
    expect(bucket.take(50)).toBe(false); // half a token
    expect(bucket.take(100)).toBe(true); // refilled one
    expect(bucket.take(100)).toBe(false);
  });

  it('never holds more than the burst', () => {
    const bucket = new TokenBucket(10, 3, 0);
    const taken = Array.from({ length: 10 }, () => bucket.take(1_000_000));
    expect(taken.filter(Boolean)).toHaveLength(3);
  });

  it('a clock going backwards adds nothing', () => {
    const bucket = new TokenBucket(10, 1, 1_000);
    expect(bucket.take(1_000)).toBe(true);
    expect(bucket.take(0)).toBe(false);
  });
});
