import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { makeZxid, nextZxid, splitZxid, zxidCounter, zxidEpoch, zxidToHex, ZERO_ZXID } from '../../src/consensus/zxid.js';

describe('zxid', () => {
  it('puts the epoch in the high 32 bits and the counter in the low 32', () => {
    const zxid = makeZxid(3, 7);
    expect(zxid).toBe(0x0000000300000007n);
    expect(zxidToHex(zxid)).toBe('0x300000007');
    expect([zxidEpoch(zxid), zxidCounter(zxid)]).toEqual([3, 7]);
    expect(splitZxid(makeZxid(0xffffffff, 0xffffffff))).toEqual({ epoch: 0xffffffff, counter: 0xffffffff });
  });

  it('refuses parts that do not fit in 32 bits', () => {
    expect(() => makeZxid(2 ** 32, 0)).toThrow(/epoch/);
    expect(() => makeZxid(1, -1)).toThrow(/counter/);
  });

  it('next zxids strictly increase, restarting the counter in a new epoch', () => {
    expect(nextZxid(ZERO_ZXID, 1)).toBe(makeZxid(1, 1));
    expect(nextZxid(makeZxid(1, 5), 1)).toBe(makeZxid(1, 6));
    expect(nextZxid(makeZxid(1, 5), 4)).toBe(makeZxid(4, 1));
    expect(() => nextZxid(makeZxid(4, 1), 3)).toThrow(/older/);
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 3 }), { maxLength: 60 }), (bumps) => {
        let epoch = 1;
        let zxid = ZERO_ZXID;
        for (const bump of bumps) {
          epoch += bump === 0 ? 1 : 0;
          const next = nextZxid(zxid, epoch);
          expect(next > zxid).toBe(true);
          zxid = next;
        }
      }),
      { seed: 3 },
    );
  });
});
