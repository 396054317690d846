import type { MeshKeeperClient } from '../client/client.js';
import { isTerminalState } from '../client/client-state.js';
import type { Data } from '../client/requests.js';
import type { WatchEvent } from '../client/watcher.js';
import { KeeperError, isKeeperError } from '../errors/keeper-error.js';
import { CreateMode } from '../tree/create-mode.js';
import { waitScope, type RecipeWaitOptions } from './abort.js';
import { readParticipants, type Participant } from './participants.js';
import { basename, checkRecipePath, joinPath, sortBySequence } from './paths.js';
import { protectedCreate } from './protected-create.js';
import { RecipeEmitter } from './recipe-emitter.js';
import { deleteOwnNode, isSessionEnd, retrying } from './retry.js';
import { SessionWatch } from './session-watch.js';

/** Why a latch stopped being the leader. */
export type NotLeaderReason =
  /** The connection was lost (Curator's SUSPENDED): another latch may lead by now. */
  | 'uncertain'
  /** The session ended (or is presumed ended). */
  | 'lost'
  /** Its node was deleted by someone else (it queues again at the back). */
  | 'deleted'
  /** close() was called. */
  | 'closed';

/** The events of a LeaderLatch. */
export type LeaderLatchEvents = {
  /** This latch leads now (Curator's isLeader). */
  leader: [];
  /** This latch no longer leads (Curator's notLeader), and why. */
  notLeader: [reason: NotLeaderReason];
  /** A background step failed with something other than a connection loss. */
  error: [error: unknown];
};

/** A LeaderLatch's options. */
export interface LeaderLatchOptions {
  /** This participant's id, stored as its node's data (participants() shows it); '' by default. */
  readonly id?: string;
}

/** latent before start(), started, closed after close(). */
export type LatchState = 'latent' | 'started' | 'closed';

/** The node name of a latch's participants (after the protection prefix). */
export const LATCH_NODE_NAME = 'latch-';

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Leader election as a latch (Curator's LeaderLatch): every participant has an ephemeral-sequential
 * node under `path`; the first one leads until it closes or its session ends; each other watches only
 * the node before it (fair, no herd effect). Ask `hasLeadership()`, or `await()` it.
 *
 * ```ts
 * const latch = new LeaderLatch(zk, '/app/leader', { id: 'tab-1' });
 * latch.on('leader', () => startDuties());
 * latch.on('notLeader', (reason) => stopDuties(reason));
 * await latch.start();
 * await latch.await({ signal });
 * ```
 *
 * Connection: on DISCONNECTED a leader stops leading at once (notLeader 'uncertain'); once the
 * reconnect is confirmed it looks again and, its node being first still, leads again.
 */
export class LeaderLatch extends RecipeEmitter<LeaderLatchEvents> {
  readonly path: string;
  readonly id: string;
  private current: LatchState = 'latent';
  private leading = false;
  private ourPath: string | null = null;
  private checking = false;
  private recheck = false;
  private endError: KeeperError | null = null;
  private readonly waiters = new Set<Waiter>();
  private readonly closing = new AbortController();
  private readonly session: SessionWatch;

  constructor(
    readonly client: MeshKeeperClient,
    path: string,
    options: LeaderLatchOptions = {},
  ) {
    super();
    this.path = checkRecipePath(path, 'LeaderLatch');
    this.id = options.id ?? '';
    if (typeof this.id !== 'string') throw new KeeperError('BADARGUMENTS', 'LeaderLatch: id must be a string');
    this.session = new SessionWatch(client, {
      suspended: () => this.setLeader(false, 'uncertain'),
      reconnected: () => this.requestCheck(),
      lost: (reason, final) => this.onLost(reason, final),
    });
  }

  get state(): LatchState {
    return this.current;
  }

  /** True while this latch leads for sure. */
  hasLeadership(): boolean {
    return this.leading;
  }

  /** This latch's node while it has one. */
  get nodePath(): string | null {
    return this.ourPath;
  }

  /** Joins the election: resolves once its node is made (leadership is then settled in the background). */
  async start(options?: RecipeWaitOptions): Promise<void> {
    if (this.current !== 'latent') throw new KeeperError('APIERROR', `the latch was already ${this.current}`, this.path);
    this.current = 'started';
    this.session.start();
    const scope = waitScope(options, `starting the latch ${this.path}`, this.closing.signal);
    try {
      await this.createNode(scope.signal);
    } catch (error) {
      this.current = 'closed';
      this.session.stop();
      throw error;
    } finally {
      scope.dispose();
    }
    this.requestCheck();
  }

  /**
   * Resolves once this latch leads (at once if it does). Rejects with OPERATIONTIMEOUT, the signal's
   * reason, APIERROR when the latch is not started or closes, SESSIONEXPIRED when the session ends.
   */
  await(options?: RecipeWaitOptions): Promise<void> {
    if (this.leading) return Promise.resolve();
    if (this.current !== 'started') return Promise.reject(new KeeperError('APIERROR', `the latch is ${this.current}`, this.path));
    if (this.endError !== null) return Promise.reject(this.endError);
    const scope = waitScope(options, `waiting for leadership of ${this.path}`);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: () => {
          cleanup();
          resolve();
        },
        reject: (error) => {
          cleanup();
          reject(error);
        },
      };
      const onAbort = (): void => waiter.reject(scope.signal.reason);
      const cleanup = (): void => {
        this.waiters.delete(waiter);
        scope.signal.removeEventListener('abort', onAbort);
        scope.dispose();
      };
      if (scope.signal.aborted) return waiter.reject(scope.signal.reason);
      scope.signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }

  /** Leaves the election: deletes its node (the next participant leads). Idempotent. */
  async close(): Promise<void> {
    if (this.current === 'closed') return;
    this.current = 'closed';
    this.closing.abort(new KeeperError('APIERROR', 'the latch was closed', this.path));
    this.session.stop();
    this.setLeader(false, 'closed');
    this.rejectWaiters(new KeeperError('APIERROR', 'the latch was closed', this.path));
    const path = this.ourPath;
    this.ourPath = null;
    if (path !== null) await deleteOwnNode(this.client, path);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Every participant in order, the leader first. */
  participants(): Promise<Participant[]> {
    return readParticipants(this.client, this.path, LATCH_NODE_NAME);
  }

  /** The leading participant, or null when there is none. */
  async leader(): Promise<Participant | null> {
    return (await this.participants())[0] ?? null;
  }

  private async createNode(signal: AbortSignal): Promise<void> {
    const data: Data = this.id;
    const path = await protectedCreate(this.client, this.path, LATCH_NODE_NAME, { data, mode: CreateMode.EPHEMERAL_SEQUENTIAL, signal });
    if (this.current === 'closed') {
      await deleteOwnNode(this.client, path);
      return;
    }
    this.ourPath = path;
  }

  /** Runs check() now, or once more after the one running. */
  private requestCheck(): void {
    if (this.current !== 'started') return;
    if (this.checking) {
      this.recheck = true;
      return;
    }
    this.checking = true;
    void (async () => {
      do {
        this.recheck = false;
        try {
          await this.check();
        } catch (error) {
          this.onCheckError(error);
        }
      } while (this.recheck && this.current === 'started');
      this.checking = false;
    })();
  }

  /** Looks at the participants: leads when first, else watches the one before (Curator's checkLeadership). */
  private async check(): Promise<void> {
    if (this.current !== 'started' || this.endError !== null) return;
    if (this.ourPath === null) await this.createNode(this.closing.signal);
    const ourPath = this.ourPath;
    if (ourPath === null) return;
    const children = await retrying(this.client, () => this.client.getChildren(this.path), this.closing.signal);
    if (this.ourPath !== ourPath) return;
    const participants = sortBySequence(children, LATCH_NODE_NAME);
    const index = participants.indexOf(basename(ourPath));
    if (index < 0) {
      // Our node is gone while the session lives: someone deleted it. Queue again (Curator's reset()).
      this.setLeader(false, 'deleted');
      this.ourPath = null;
      this.recheck = true;
      return;
    }
    if (index === 0) {
      // The leader watches its own node: deleted by someone else, it must stop leading (and queue again).
      try {
        await retrying(this.client, () => this.client.getData(ourPath, { watch: this.onNodeEvent }), this.closing.signal);
      } catch (error) {
        if (!isKeeperError(error, 'NONODE')) throw error;
        this.recheck = true;
        return;
      }
      if (!this.session.suspended && this.client.state === 'CONNECTED' && this.ourPath === ourPath) this.setLeader(true);
      return;
    }
    const predecessor = joinPath(this.path, participants[index - 1] ?? '');
    try {
      await retrying(this.client, () => this.client.getData(predecessor, { watch: this.onNodeEvent }), this.closing.signal);
    } catch (error) {
      if (!isKeeperError(error, 'NONODE')) throw error;
      this.recheck = true;
    }
  }

  /** The watcher of the predecessor's node (a follower) or of our own (the leader): a deletion means look again. */
  private readonly onNodeEvent = (event: WatchEvent): void => {
    if (event.type === 'NodeDeleted') this.requestCheck();
  };

  private onCheckError(error: unknown): void {
    if (this.current !== 'started') return;
    if (isSessionEnd(error) || isTerminalState(this.client.state)) return; // onLost handles it
    this.emit('error', error);
  }

  private onLost(reason: KeeperError, final: boolean): void {
    this.setLeader(false, 'lost');
    if (!final) return;
    this.endError = reason;
    this.ourPath = null;
    this.rejectWaiters(reason);
  }

  private setLeader(leading: boolean, reason: NotLeaderReason = 'lost'): void {
    if (this.leading === leading) return;
    this.leading = leading;
    if (leading) {
      for (const waiter of [...this.waiters]) waiter.resolve();
      this.emit('leader');
    } else {
      this.emit('notLeader', reason);
    }
  }

  private rejectWaiters(error: unknown): void {
    for (const waiter of [...this.waiters]) waiter.reject(error);
  }
}
