import { assert } from '../../../src/errors/keeper-error.js';
import type { CoreState } from '../../../src/server/core-state.js';
import type { ReplicaCore } from '../../../src/server/replica-core.js';
import type { NodeId } from '../network.js';
import type { Violations } from './violations.js';

/** The parent under which the workload creates every ephemeral. */
export const EPHEMERAL_PARENT = '/e';

const hex = (value: bigint): string => `0x${value.toString(16)}`;

/**
 * White-box look at a core's replicated state (its data tree and session table). The simulator
 * reads it after every turn to check what no client could see directly; it never changes it.
 */
export function coreState(core: ReplicaCore): CoreState {
  const state = core['state'];
  assert(state !== undefined && state.tree !== undefined, 'ReplicaCore no longer keeps its CoreState in `state`: update the replica probe');
  return state;
}

interface EphemeralSeen {
  readonly owner: bigint;
  readonly czxid: bigint;
}

interface ReplicaView {
  lastZxid: bigint | null;
  ephemerals: Map<string, EphemeralSeen>;
}

/**
 * Checks of each replica's state as it applies txns:
 * - replicas that applied the same zxid hold the same tree (status().digest) and session table;
 * - once a session's closeSession is applied at a replica, none of its ephemerals exist there;
 * - an ephemeral never disappears from a replica while its session lives there, unless its own
 *   session asked to delete it (the workload deletes ephemerals only from their owner).
 * It also answers the liveness question of whether sessions that must end are gone everywhere.
 */
export class ReplicaProbe {
  private readonly byZxid = new Map<bigint, { readonly digest: bigint; readonly sessions: string; readonly replica: NodeId }>();
  private readonly views = new Map<NodeId, ReplicaView>();
  /** `${sessionId}|${path}`: the owner asked to delete its ephemeral. */
  private readonly deletesAsked = new Set<string>();
  /** Sessions that must end (closed, abandoned, fate-shared with a crashed replica), and why. */
  readonly mustEnd = new Map<bigint, string>();
  observations = 0;
  comparisons = 0;

  constructor(private readonly violations: Violations) {}

  ownerAskedDelete(sessionId: bigint, path: string): void {
    this.deletesAsked.add(`${sessionId}|${path}`);
  }

  sessionMustEnd(sessionId: bigint, reason: string): void {
    if (!this.mustEnd.has(sessionId)) this.mustEnd.set(sessionId, reason);
  }

  /** The replica restarted (or crashed): its state starts over from its disk. */
  forget(replica: NodeId): void {
    this.views.delete(replica);
  }

  observe(replica: NodeId, core: ReplicaCore): void {
    const state = coreState(core);
    const zxid = state.tree.lastZxid;
    let view = this.views.get(replica);
    if (view === undefined) {
      view = { lastZxid: null, ephemerals: new Map() };
      this.views.set(replica, view);
    }
    if (view.lastZxid === zxid) return;
    view.lastZxid = zxid;
    this.observations += 1;
    const digest = core.status().digest;
    const sessions = state.sessions
      .list()
      .map((record) => `${hex(record.sessionId)}@${record.ownerReplica}`)
      .sort()
      .join(',');
    const known = this.byZxid.get(zxid);
    if (known === undefined) {
      this.byZxid.set(zxid, { digest, sessions, replica });
    } else {
      this.comparisons += 1;
      if (known.digest !== digest) {
        this.violations.report(`${replica} and ${known.replica} applied zxid ${hex(zxid)} but their trees differ (digest ${hex(digest)} vs ${hex(known.digest)})`);
      } else if (known.sessions !== sessions) {
        this.violations.report(`${replica} and ${known.replica} applied zxid ${hex(zxid)} but their session tables differ: [${sessions}] vs [${known.sessions}]`);
      }
    }
    this.checkEphemerals(replica, state, view);
  }

  /** The sessions that must end and are still known to `core`. */
  lingering(core: ReplicaCore): bigint[] {
    const sessions = coreState(core).sessions;
    return [...this.mustEnd.keys()].filter((id) => sessions.has(id));
  }

  private checkEphemerals(replica: NodeId, state: CoreState, view: ReplicaView): void {
    const { tree, sessions } = state;
    const now = new Map<string, EphemeralSeen>();
    if (tree.exists(EPHEMERAL_PARENT) !== null) {
      for (const name of tree.getChildren(EPHEMERAL_PARENT).children) {
        const path = `${EPHEMERAL_PARENT}/${name}`;
        const stat = tree.exists(path);
        if (stat === null || stat.ephemeralOwner === 0n) continue;
        now.set(path, { owner: stat.ephemeralOwner, czxid: stat.czxid });
        if (!sessions.has(stat.ephemeralOwner)) {
          this.violations.report(
            `${replica} at zxid ${hex(tree.lastZxid)}: ephemeral ${path} (czxid ${hex(stat.czxid)}) outlives its session ${hex(stat.ephemeralOwner)}, which this replica has closed`,
          );
        }
      }
    }
    for (const [path, seen] of view.ephemerals) {
      const current = now.get(path);
      if (current !== undefined && current.czxid === seen.czxid) continue;
      if (!sessions.has(seen.owner) || this.deletesAsked.has(`${seen.owner}|${path}`)) continue;
      this.violations.report(
        `${replica} at zxid ${hex(tree.lastZxid)}: ephemeral ${path} (czxid ${hex(seen.czxid)}) vanished while its session ${hex(seen.owner)} lives and never deleted it`,
      );
    }
    view.ephemerals = now;
  }
}
