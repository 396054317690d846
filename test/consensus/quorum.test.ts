import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { hasQuorum, majorityIndex, voteOutcome } from '../../src/consensus/quorum.js';

/** The dumb version: the largest index that at least a majority of voters have reached. */
function dumbCommitted(acked: readonly number[]): number {
  if (acked.length === 0) return 0;
  const majority = Math.floor(acked.length / 2) + 1;
  let best = 0;
  for (const candidate of acked) {
    const reached = acked.filter((value) => value >= candidate).length;
    if (reached >= majority && candidate > best) best = candidate;
  }
  return best;
}

function dumbOutcome(voters: number, granted: number, rejected: number): string {
  const majority = Math.floor(voters / 2) + 1;
  if (granted >= majority) return 'won';
  if (voters - rejected < majority) return 'lost';
  return 'pending';
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `r${i}`);

describe('quorum arithmetic', () => {
  it('the committed index is the majority-th largest match index (property, against a dumb version)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 50 }), { minLength: 1, maxLength: 9 }), (acked) => {
        const voters = ids(acked.length);
        const index = majorityIndex(voters, (id) => acked[Number(id.slice(1))] ?? 0);
        expect(index).toBe(dumbCommitted(acked));
      }),
      { numRuns: 500, seed: 42 },
    );
  });

  it('a vote count decides won, lost or pending like the dumb version', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom<boolean | undefined>(true, false, undefined), { minLength: 1, maxLength: 9 }), (votes) => {
        const voters = ids(votes.length);
        const map = new Map<string, boolean>();
        votes.forEach((vote, i) => {
          if (vote !== undefined) map.set(`r${i}`, vote);
        });
        const granted = votes.filter((v) => v === true).length;
        const rejected = votes.filter((v) => v === false).length;
        expect(voteOutcome(voters, map)).toBe(dumbOutcome(votes.length, granted, rejected));
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('votes from non-voters do not count', () => {
    expect(voteOutcome(['a', 'b', 'c'], new Map([['x', true], ['y', true], ['a', true]]))).toBe('pending');
  });

  it('an active majority is a quorum; half is not', () => {
    expect(hasQuorum(ids(4), (id) => id === 'r0' || id === 'r1')).toBe(false);
    expect(hasQuorum(ids(4), (id) => id !== 'r3')).toBe(true);
    expect(hasQuorum(ids(1), () => true)).toBe(true);
  });
});
