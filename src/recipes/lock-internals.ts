import type { MeshKeeperClient } from '../client/client.js';
import { isTerminalState } from '../client/client-state.js';
import type { Data } from '../client/requests.js';
import type { WatchEvent } from '../client/watcher.js';
import { KeeperError } from '../errors/keeper-error.js';
import { CreateMode } from '../tree/create-mode.js';
import { waitScope, type RecipeWaitOptions } from './abort.js';
import { basename, joinPath } from './paths.js';
import { protectedCreate } from './protected-create.js';
import { RecipeEmitter } from './recipe-emitter.js';
import { deleteOwnNode, retrying } from './retry.js';
import { SessionWatch } from './session-watch.js';
import { waitForDelete } from './wait-for-delete.js';

/**
 * Where a lock stands for its holder:
 * - released: not held (and not being acquired);
 * - acquiring: `acquire` is waiting for its turn;
 * - held: held, and the session is known to be alive;
 * - uncertain: held when the connection was lost (Curator's SUSPENDED): another client may hold it
 *   now if the session expired; `isAcquired()` is false until the hold is confirmed again;
 * - lost: the session ended (or is presumed ended) or the lock node was deleted: not held. `release()`
 *   (or a new `acquire()`) clears it.
 */
export type LockState = 'released' | 'acquiring' | 'held' | 'uncertain' | 'lost';

/** The events of a lock. */
export type LockEvents = {
  /** Acquired: its node is `nodePath` (reentrant acquires do not emit). */
  acquired: [nodePath: string];
  /** The connection was lost while held: the hold is uncertain until `reconnected` or `lost`. */
  uncertain: [];
  /** Reconnected with the same session and the lock node is still there: held for sure again. */
  reconnected: [];
  /** The lock is gone: the session ended (or is presumed ended) or its node was deleted. */
  lost: [reason: KeeperError];
  /** Fully released (its node deleted). */
  released: [];
};

/** How a kind of lock reads the contenders under its path (mutex, read, write, n leases). */
export interface LockDriver {
  /** The name of a contender's node, after the protection prefix (e.g. "lock-"). */
  readonly name: string;
  /** Of the lock path's children, those that contend for this lock, in sequence (arrival) order. */
  contenders(children: readonly string[]): string[];
  /** null when the contender `ours` holds the lock, else the contender it must wait for (its predecessor). */
  blocker(contenders: readonly string[], ours: string): string | null;
}

/** The most times one acquire looks at the contenders again (each after the node it waited for went). */
const MAX_ROUNDS = 100_000;

/**
 * The lock machinery Curator calls LockInternals: an ephemeral-sequential node per contender
 * (protected: `_c_<id>-<name><sequence>`), the driver decides who holds the lock, each waiter
 * watches only the node that blocks it (no herd effect). Reentrant per object: `acquire` while held
 * counts up, `release` counts down and deletes the node at zero. Connection states as Curator
 * documents for its locks: DISCONNECTED makes a hold uncertain, EXPIRED (or a whole session timeout
 * disconnected) loses it.
 */
export class SequentialLock extends RecipeEmitter<LockEvents> {
  private current: LockState = 'released';
  private holds = 0;
  private ourPath: string | null = null;
  private busy = false;
  private readonly closing = new AbortController();
  private readonly session: SessionWatch;
  /** Bumped on every acquisition and loss: a callback of an older one is stale. */
  private epoch = 0;

  constructor(
    readonly client: MeshKeeperClient,
    readonly path: string,
    private readonly driver: LockDriver,
    private readonly data: Data = '',
    /** Called before a first (not reentrant) acquire; throws to refuse it (a read lock's upgrade). */
    private readonly beforeAcquire: () => void = () => undefined,
  ) {
    super();
    this.session = new SessionWatch(client, {
      suspended: () => this.onSuspended(),
      reconnected: () => this.onReconnected(),
      lost: (reason, final) => this.onLost(reason, final),
    });
  }

  /** Where the lock stands (see LockState). */
  get state(): LockState {
    return this.current;
  }

  /** True while held, for sure or not (states held and uncertain). */
  isHeldOrUncertain(): boolean {
    return this.current === 'held' || this.current === 'uncertain';
  }

  /** True while held for sure (state `held`): false while uncertain, lost or released. */
  isAcquired(): boolean {
    return this.current === 'held';
  }

  /** How many times the holder acquired it without releasing (0 when not held). */
  get holdCount(): number {
    return this.holds;
  }

  /** The path of this object's lock node while held or uncertain. */
  get nodePath(): string | null {
    return this.ourPath;
  }

  /**
   * Waits for the lock (fair: in arrival order). Reentrant: while held (or uncertain) it counts up at
   * once. Rejects with OPERATIONTIMEOUT after `timeoutMs` or the signal's reason when aborted (its
   * node is deleted first while connected, else in the background), SESSIONEXPIRED when the session
   * ends, APIERROR while another acquire of this object is waiting (use one object per task).
   */
  async acquire(options?: RecipeWaitOptions): Promise<void> {
    const scope = waitScope(options, `acquiring the lock ${this.path}`, this.closing.signal);
    try {
      if (this.current === 'held' || this.current === 'uncertain') {
        this.holds++;
        return;
      }
      this.beforeAcquire();
      if (this.busy) throw new KeeperError('APIERROR', `an acquire of this lock object is already waiting; use one lock object per task`, this.path);
      if (this.closing.signal.aborted) throw new KeeperError('APIERROR', 'this lock object is closed', this.path);
      if (isTerminalState(this.client.state)) throw new KeeperError('SESSIONEXPIRED', `the client is ${this.client.state}`, this.path);
      this.busy = true;
      this.current = 'acquiring';
      this.holds = 0;
      try {
        await this.attempt(scope.signal);
      } finally {
        this.busy = false;
      }
    } finally {
      scope.dispose();
    }
  }

  /**
   * Releases one hold; the last deletes the node (waiting for a reconnect if need be). A lost lock is
   * just cleared. APIERROR when not held.
   */
  async release(): Promise<void> {
    if (this.current === 'lost') {
      this.reset();
      return;
    }
    if (this.current !== 'held' && this.current !== 'uncertain') throw new KeeperError('APIERROR', 'the lock is not held by this object', this.path);
    this.holds--;
    if (this.holds > 0) return;
    const path = this.ourPath;
    this.reset();
    if (path !== null) await deleteOwnNode(this.client, path);
    this.emit('released');
  }

  /** Releases every hold and cancels a waiting acquire; the object cannot be used again. */
  async close(): Promise<void> {
    this.closing.abort(new KeeperError('APIERROR', 'the lock object was closed', this.path));
    if (this.current === 'held' || this.current === 'uncertain') {
      this.holds = 1;
      await this.release();
    } else if (this.current === 'lost') {
      this.reset();
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** The contenders' node paths, in order (the holder first). */
  async participantNodes(): Promise<string[]> {
    const children = await retrying(this.client, () => this.client.getChildren(this.path)).catch((error: unknown) => {
      if (error instanceof KeeperError && error.codeName === 'NONODE') return [];
      throw error;
    });
    return this.driver.contenders(children).map((name) => joinPath(this.path, name));
  }

  private async attempt(signal: AbortSignal): Promise<void> {
    this.session.start();
    let path: string | null = null;
    try {
      path = await protectedCreate(this.client, this.path, this.driver.name, { data: this.data, mode: CreateMode.EPHEMERAL_SEQUENTIAL, signal });
      await this.waitForTurn(path, signal);
    } catch (error) {
      this.current = 'released';
      this.session.stop();
      if (path !== null) {
        const cleanup = deleteOwnNode(this.client, path).catch(() => undefined);
        if (this.client.state === 'CONNECTED') await cleanup;
      }
      throw error;
    }
    this.epoch++;
    this.ourPath = path;
    this.holds = 1;
    this.current = this.client.state === 'CONNECTED' && !this.session.suspended ? 'held' : 'uncertain';
    this.watchOwnNode(path, this.epoch);
    this.emit('acquired', path);
    if (this.current === 'uncertain') this.emit('uncertain');
  }

  private async waitForTurn(path: string, signal: AbortSignal): Promise<void> {
    const ours = basename(path);
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const children = await retrying(this.client, () => this.client.getChildren(this.path), signal);
      const contenders = this.driver.contenders(children);
      if (!contenders.includes(ours)) throw new KeeperError('NONODE', 'the lock node vanished while waiting (session expired or node deleted)', path);
      const blocker = this.driver.blocker(contenders, ours);
      if (blocker === null) return;
      await waitForDelete(this.client, joinPath(this.path, blocker), signal);
    }
    throw new KeeperError('OPERATIONTIMEOUT', `gave up after ${MAX_ROUNDS} rounds`, path);
  }

  /** A data watch on our own node: its deletion (by anyone) while held means the lock is lost. */
  private watchOwnNode(path: string, epoch: number): void {
    const watcher = (event: WatchEvent): void => {
      if (epoch !== this.epoch) return;
      if (event.type === 'NodeDeleted') this.lose(new KeeperError('NONODE', 'the lock node was deleted', path));
      else if (event.type === 'NodeDataChanged') this.watchOwnNode(path, epoch);
    };
    retrying(this.client, () => this.client.getData(path, { watch: watcher })).catch((error: unknown) => {
      if (epoch !== this.epoch) return;
      if (error instanceof KeeperError && error.codeName === 'NONODE') this.lose(new KeeperError('NONODE', 'the lock node was deleted', path));
    });
  }

  private onSuspended(): void {
    if (this.current !== 'held') return;
    this.current = 'uncertain';
    this.emit('uncertain');
  }

  private onReconnected(): void {
    if (this.current !== 'uncertain' || this.ourPath === null) return;
    const path = this.ourPath;
    const epoch = this.epoch;
    const sessionId = this.client.sessionId;
    this.client.exists(path).then(
      (stat) => {
        if (epoch !== this.epoch || this.current !== 'uncertain') return;
        if (stat !== null && stat.ephemeralOwner === sessionId) {
          this.current = 'held';
          this.emit('reconnected');
        } else {
          this.lose(new KeeperError('NONODE', 'the lock node is gone after the reconnect', path));
        }
      },
      () => undefined, // Lost again: the next reconnect checks again.
    );
  }

  private onLost(reason: KeeperError, final: boolean): void {
    if (this.current !== 'held' && this.current !== 'uncertain') return;
    const path = this.ourPath;
    this.lose(reason);
    // Presumed lost but the session may be alive: delete the node once reconnected, so it blocks no one.
    if (!final && path !== null) deleteOwnNode(this.client, path).catch(() => undefined);
  }

  private lose(reason: KeeperError): void {
    if (this.current !== 'held' && this.current !== 'uncertain') return;
    this.epoch++;
    this.current = 'lost';
    this.holds = 0;
    this.ourPath = null;
    this.session.stop();
    this.emit('lost', reason);
  }

  private reset(): void {
    this.epoch++;
    this.current = 'released';
    this.holds = 0;
    this.ourPath = null;
    this.session.stop();
  }
}
