/**
 * Stamps: milliseconds since the epoch as `performance.timeOrigin + performance.now()`, taken the
 * same way in Node and in the pages (one system clock, sub-millisecond), so stamps of different
 * processes can be subtracted.
 */
export const nodeStamp = (): number => performance.timeOrigin + performance.now();
