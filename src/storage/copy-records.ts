import type { ConfState, Entry, HardState, Snapshot } from '../consensus/types.js';

/**
 * Copies of the records storage holds, so that a caller changing a buffer after `submit` (or after
 * `open`) cannot change what is durable, and so that a view into a larger buffer never drags that
 * buffer along.
 */
export function copyEntry(entry: Entry): Entry {
  return { term: entry.term, index: entry.index, type: entry.type, data: entry.data.slice() };
}

export function copyConfState(confState: ConfState): ConfState {
  return { voters: [...confState.voters], learners: [...confState.learners] };
}

export function copySnapshot(snapshot: Snapshot): Snapshot {
  const { index, term, confState } = snapshot.metadata;
  return { metadata: { index, term, confState: copyConfState(confState) }, data: snapshot.data.slice() };
}

export function copyHardState(hardState: HardState): HardState {
  return { term: hardState.term, vote: hardState.vote, commit: hardState.commit };
}

export const EMPTY_CONF_STATE: ConfState = Object.freeze({ voters: Object.freeze([]), learners: Object.freeze([]) });
