import type { RecoveredState, WriteBatch } from '../storage/durable-storage.js';
import { encodeConfChange, normalizeConfState, type ConfChange } from './conf-change.js';
import { EntryType, type ConfState, type Entry } from './types.js';

/** The term of the bootstrap entries; the first election runs in term 2. */
export const BOOTSTRAP_TERM = 1;

/**
 * How a brand-new cluster starts: every founding replica begins with the same committed log whose
 * entries build the founding configuration one single-server change at a time (add-learner, then
 * promote, for each voter; add-learner for each learner). Because the configuration lives in the
 * log, a replica that joins later starts from `emptyRecoveredState()` and learns every member from
 * the entries (or the snapshot) the leader sends it.
 *
 * The founding replica persists `batch` once (on first start, with empty storage) and constructs its
 * RaftNode from `recovered` (the same content).
 */
export function bootstrapState(founding: ConfState): { readonly recovered: RecoveredState; readonly batch: WriteBatch } {
  const conf = normalizeConfState(founding);
  const changes: ConfChange[] = [];
  for (const id of conf.voters) changes.push({ type: 'add-learner', replicaId: id }, { type: 'promote-learner', replicaId: id });
  for (const id of conf.learners) changes.push({ type: 'add-learner', replicaId: id });
  const entries: Entry[] = changes.map((change, i) => ({
    term: BOOTSTRAP_TERM,
    index: i + 1,
    type: EntryType.ConfChange,
    data: encodeConfChange(change),
  }));
  const hardState = { term: BOOTSTRAP_TERM, vote: null, commit: entries.length };
  return {
    recovered: { hardState, confState: { voters: [], learners: [] }, snapshot: null, entries },
    batch: { entries, hardState },
  };
}

/** A replica that has never run and joins an existing cluster (as a learner first). */
export function emptyRecoveredState(): RecoveredState {
  return { hardState: { term: 0, vote: null, commit: 0 }, confState: { voters: [], learners: [] }, snapshot: null, entries: [] };
}
