import type { ReplicaId } from '../consensus/types.js';
import type { SessionTable } from '../session/session-table.js';
import type { DataTree } from '../tree/data-tree.js';
import type { Prng } from '../util/prng.js';
import type { WatchManager } from '../watch/watch-manager.js';
import type { EffectSink } from './core-effects.js';
import type { ReplicaCoreOptions } from './core-options.js';

/**
 * What the parts of one ReplicaCore share: its identity and limits, the effect sink, the replicated
 * state (replaced whole when a snapshot is restored, so parts read these fields each time), and the
 * clock the glue last reported.
 */
export interface CoreState {
  readonly id: ReplicaId;
  readonly options: ReplicaCoreOptions;
  readonly effects: EffectSink;
  readonly prng: Prng;
  tree: DataTree;
  sessions: SessionTable;
  watches: WatchManager;
  nowMs: number;
  /** The Raft index of the last entry applied to `tree`. */
  appliedIndex: number;
  /** The leader as of the last Ready (null when none is known). */
  leaderId: ReplicaId | null;
}
