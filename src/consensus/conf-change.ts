import { KeeperError } from '../errors/keeper-error.js';
import { validateReplicaId } from './config.js';
import type { ConfState, ReplicaId } from './types.js';

/**
 * Single-server membership changes (dissertation ch. 4): add a learner (ZooKeeper's observer),
 * promote a learner to voter, demote a voter to learner, remove a voter or a learner. Voters join
 * only through a learner stage, so a new voter never counts in a majority before it holds the log.
 * A demoted voter stays in the configuration: it keeps receiving the log (and its clients keep
 * their connections), it just no longer votes or counts in a majority.
 */
export type ConfChangeType = 'add-learner' | 'promote-learner' | 'demote-voter' | 'remove-node';

export interface ConfChange {
  readonly type: ConfChangeType;
  readonly replicaId: ReplicaId;
}

const TYPE_CODES: Record<ConfChangeType, number> = { 'add-learner': 1, 'promote-learner': 2, 'remove-node': 3, 'demote-voter': 4 };
const CODE_TYPES = new Map<number, ConfChangeType>(
  (Object.keys(TYPE_CODES) as ConfChangeType[]).map((type) => [TYPE_CODES[type], type]),
);
const FORMAT_VERSION = 1;

/** The data of a ConfChange entry: [version][type][utf-8 replica id]. */
export function encodeConfChange(change: ConfChange): Uint8Array {
  const id = new TextEncoder().encode(change.replicaId);
  const out = new Uint8Array(2 + id.byteLength);
  out[0] = FORMAT_VERSION;
  out[1] = TYPE_CODES[change.type];
  out.set(id, 2);
  return out;
}

export function decodeConfChange(data: Uint8Array): ConfChange {
  const type = CODE_TYPES.get(data[1] ?? 0);
  if (data[0] !== FORMAT_VERSION || type === undefined || data.byteLength < 3) {
    throw new KeeperError('MARSHALLINGERROR', 'malformed configuration change entry');
  }
  const replicaId = new TextDecoder().decode(data.subarray(2));
  return { type, replicaId };
}

/** Why `change` cannot apply to `conf`, or null when it can. */
export function confChangeProblem(conf: ConfState, change: ConfChange): string | null {
  try {
    validateReplicaId(change.replicaId);
  } catch (error) {
    return (error as Error).message;
  }
  const isVoter = conf.voters.includes(change.replicaId);
  const isLearner = conf.learners.includes(change.replicaId);
  switch (change.type) {
    case 'add-learner':
      return isVoter || isLearner ? `${change.replicaId} is already a member` : null;
    case 'promote-learner':
      return isLearner ? null : `${change.replicaId} is not a learner`;
    case 'demote-voter':
      if (!isVoter) return `${change.replicaId} is not a voter`;
      return conf.voters.length === 1 ? 'cannot demote the last voter' : null;
    case 'remove-node':
      if (!isVoter && !isLearner) return `${change.replicaId} is not a member`;
      return isVoter && conf.voters.length === 1 ? 'cannot remove the last voter' : null;
    default:
      return `unknown configuration change type ${String((change as { type: unknown }).type)}`;
  }
}

/** The configuration after `change` (which must be valid for `conf`). Lists stay sorted. */
export function applyConfChange(conf: ConfState, change: ConfChange): ConfState {
  const problem = confChangeProblem(conf, change);
  if (problem !== null) throw new KeeperError('BADARGUMENTS', problem);
  const id = change.replicaId;
  const without = (list: readonly ReplicaId[]) => list.filter((member) => member !== id);
  switch (change.type) {
    case 'add-learner':
      return { voters: conf.voters, learners: sorted([...conf.learners, id]) };
    case 'promote-learner':
      return { voters: sorted([...conf.voters, id]), learners: without(conf.learners) };
    case 'demote-voter':
      return { voters: without(conf.voters), learners: sorted([...conf.learners, id]) };
    case 'remove-node':
      return { voters: without(conf.voters), learners: without(conf.learners) };
  }
}

export function sameConfState(a: ConfState, b: ConfState): boolean {
  return sameList(a.voters, b.voters) && sameList(a.learners, b.learners);
}

/** A ConfState with sorted, duplicate-free lists; a replica in both lists is refused. */
export function normalizeConfState(conf: ConfState): ConfState {
  const voters = sorted([...new Set(conf.voters)]);
  const learners = sorted([...new Set(conf.learners)]);
  for (const id of [...voters, ...learners]) validateReplicaId(id);
  const both = learners.find((id) => voters.includes(id));
  if (both !== undefined) throw new KeeperError('BADARGUMENTS', `${both} cannot be both a voter and a learner`);
  return { voters, learners };
}

function sorted(list: ReplicaId[]): ReplicaId[] {
  return list.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function sameList(a: readonly ReplicaId[], b: readonly ReplicaId[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}
