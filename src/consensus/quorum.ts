import type { ReplicaId } from './types.js';

/**
 * Majority arithmetic over one voter set. `ackedIndex` gives what a voter acknowledged (its match
 * index, or its ReadIndex heartbeat sequence); the result is the largest value a majority has
 * reached: the majority-th largest of the acknowledgements.
 */
export function majorityIndex(voters: readonly ReplicaId[], ackedIndex: (id: ReplicaId) => number): number {
  const n = voters.length;
  if (n === 0) return 0;
  if (n === 1) return ackedIndex(voters[0] as ReplicaId);
  const values = new Array<number>(n);
  for (let i = 0; i < n; i++) values[i] = ackedIndex(voters[i] as ReplicaId);
  values.sort((a, b) => b - a);
  // With n voters a majority is floor(n/2) + 1; the value at 0-based position floor(n/2) of the
  // descending order is held by that many voters.
  return values[Math.floor(n / 2)] ?? 0;
}

export type VoteOutcome = 'won' | 'lost' | 'pending';

/** Whether `votes` (granted = true) already decide an election among `voters`. */
export function voteOutcome(voters: readonly ReplicaId[], votes: ReadonlyMap<ReplicaId, boolean>): VoteOutcome {
  const majority = Math.floor(voters.length / 2) + 1;
  let granted = 0;
  let rejected = 0;
  for (const id of voters) {
    const vote = votes.get(id);
    if (vote === true) granted += 1;
    else if (vote === false) rejected += 1;
  }
  if (granted >= majority) return 'won';
  if (rejected > voters.length - majority) return 'lost';
  return 'pending';
}

/** Whether the replicas in `active` (and only those) form a majority of `voters`. */
export function hasQuorum(voters: readonly ReplicaId[], isActive: (id: ReplicaId) => boolean): boolean {
  let count = 0;
  for (const id of voters) if (isActive(id)) count += 1;
  return count >= Math.floor(voters.length / 2) + 1;
}
