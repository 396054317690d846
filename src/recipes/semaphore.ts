import type { MeshKeeperClient } from '../client/client.js';
import type { Data } from '../client/requests.js';
import { KeeperError } from '../errors/keeper-error.js';
import { CreateMode } from '../tree/create-mode.js';
import { withWaitScope, type RecipeWaitOptions } from './abort.js';
import { Lock } from './lock.js';
import { basename, checkRecipePath, joinPath, sortBySequence } from './paths.js';
import { protectedCreate } from './protected-create.js';
import { RecipeEmitter } from './recipe-emitter.js';
import { deleteOwnNode, retrying } from './retry.js';
import { SessionWatch } from './session-watch.js';
import { OneShotWatch } from './watch-once.js';

/** held (for sure), uncertain (connection lost), lost (session over or node deleted), released. */
export type LeaseState = 'held' | 'uncertain' | 'lost' | 'released';

/** The events of a Semaphore about the leases it holds. */
export type SemaphoreEvents = {
  /** The connection was lost while holding leases: they are uncertain until `reconnected` or `lost`. */
  uncertain: [];
  /** Reconnected with the same session: the leases still there are held for sure again. */
  reconnected: [];
  /** A lease is gone (its session ended, or is presumed ended, or its node was deleted). */
  lost: [lease: Lease, reason: KeeperError];
};

/** A Semaphore's options. */
export interface SemaphoreOptions {
  /** The data of this object's lease nodes (e.g. who holds them); empty by default. */
  readonly data?: Data;
}

/** The node name of a lease (after the protection prefix). */
export const LEASE_NODE_NAME = 'lease-';
/** The most leases a semaphore allows. */
export const MAX_LEASES = 10_000;
const MAX_ROUNDS = 100_000;

/** One lease of a Semaphore (Curator's Lease): release it when done. */
export class Lease {
  private current: LeaseState = 'held';

  /** Made by Semaphore.acquire. */
  constructor(
    private readonly semaphore: Semaphore,
    readonly nodePath: string,
  ) {}

  get state(): LeaseState {
    return this.current;
  }

  /** True while held for sure. */
  isValid(): boolean {
    return this.current === 'held';
  }

  /** Gives the lease back (deletes its node; a lost lease is just forgotten). Idempotent. */
  release(): Promise<void> {
    return this.semaphore.returnLease(this);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.release();
  }

  /** The semaphore's bookkeeping (not for users). */
  setState(state: LeaseState): void {
    this.current = state;
  }
}

/**
 * A counting semaphore across clients (Curator's InterProcessSemaphoreV2): at most `maxLeases` leases
 * are out at once. Leases are ephemeral-sequential nodes under `path/leases`; would-be holders queue
 * on a fair Lock at `path/locks`, so only the first in line watches the leases (no herd effect).
 *
 * ```ts
 * const slots = new Semaphore(zk, '/app/semaphores/uploads', 3);
 * const lease = await slots.acquire({ timeoutMs: 10_000 });
 * try { await upload(); } finally { await lease.release(); }
 * ```
 *
 * Every participant must use the same maxLeases (nothing checks it across clients).
 */
export class Semaphore extends RecipeEmitter<SemaphoreEvents> {
  readonly path: string;
  private readonly held = new Set<Lease>();
  private readonly data: Data;
  private readonly session: SessionWatch;

  constructor(
    readonly client: MeshKeeperClient,
    path: string,
    readonly maxLeases: number,
    options: SemaphoreOptions = {},
  ) {
    super();
    this.path = checkRecipePath(path, 'Semaphore');
    if (!Number.isInteger(maxLeases) || maxLeases < 1 || maxLeases > MAX_LEASES) {
      throw new KeeperError('BADARGUMENTS', `maxLeases must be an integer in 1..${MAX_LEASES}, not ${String(maxLeases)}`);
    }
    this.data = options.data ?? '';
    this.session = new SessionWatch(client, {
      suspended: () => this.onSuspended(),
      reconnected: () => this.onReconnected(),
      lost: (reason, final) => this.onLost(reason, final),
    });
  }

  /** The leases this object holds now. */
  get leases(): readonly Lease[] {
    return [...this.held];
  }

  /** Waits for one lease (fair). Rejects with OPERATIONTIMEOUT, the signal's reason, SESSIONEXPIRED; nothing is left behind. */
  async acquire(options?: RecipeWaitOptions): Promise<Lease> {
    const [lease] = await this.acquireMany(1, options);
    if (lease === undefined) throw new KeeperError('SYSTEMERROR', 'no lease', this.path);
    return lease;
  }

  /** Waits for `count` leases, one after the other; when it fails, the ones it got are given back. */
  async acquireMany(count: number, options?: RecipeWaitOptions): Promise<Lease[]> {
    if (!Number.isInteger(count) || count < 1 || count > this.maxLeases) {
      throw new KeeperError('BADARGUMENTS', `count must be an integer in 1..${this.maxLeases}`, this.path);
    }
    return withWaitScope(options, `acquiring ${count} lease(s) of ${this.path}`, async (signal) => {
      const got: Lease[] = [];
      try {
        for (let i = 0; i < count; i++) got.push(await this.acquireOne(signal));
        return got;
      } catch (error) {
        await Promise.all(got.map((lease) => lease.release().catch(() => undefined)));
        throw error;
      }
    });
  }

  /** The lease nodes out now (every holder's), in order. */
  async leaseNodes(): Promise<string[]> {
    const leases = joinPath(this.path, 'leases');
    const children = await retrying(this.client, () => this.client.getChildren(leases)).catch((error: unknown) => {
      if (error instanceof KeeperError && error.codeName === 'NONODE') return [];
      throw error;
    });
    return sortBySequence(children, LEASE_NODE_NAME).map((name) => joinPath(leases, name));
  }

  /** Gives back every lease this object holds. */
  async close(): Promise<void> {
    await Promise.all([...this.held].map((lease) => lease.release()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Lease.release: deletes the lease's node (waiting for a reconnect if need be). */
  async returnLease(lease: Lease): Promise<void> {
    if (!this.held.has(lease)) return;
    this.held.delete(lease);
    const wasLost = lease.state === 'lost';
    lease.setState('released');
    if (this.held.size === 0) this.session.stop();
    if (!wasLost) await deleteOwnNode(this.client, lease.nodePath);
  }

  private async acquireOne(signal: AbortSignal): Promise<Lease> {
    const leases = joinPath(this.path, 'leases');
    const lock = new Lock(this.client, joinPath(this.path, 'locks'));
    await lock.acquire({ signal });
    let nodePath: string | null = null;
    try {
      nodePath = await protectedCreate(this.client, leases, LEASE_NODE_NAME, { data: this.data, mode: CreateMode.EPHEMERAL_SEQUENTIAL, signal });
      await this.waitForRoom(leases, basename(nodePath), signal);
    } catch (error) {
      if (nodePath !== null) {
        const cleanup = deleteOwnNode(this.client, nodePath).catch(() => undefined);
        if (this.client.state === 'CONNECTED') await cleanup;
      }
      throw error;
    } finally {
      await lock.close().catch(() => undefined);
    }
    const lease = new Lease(this, nodePath);
    this.held.add(lease);
    this.session.start();
    if (this.session.suspended) lease.setState('uncertain');
    return lease;
  }

  /** Waits (holding the queue's lock) until at most maxLeases leases exist, ours included. */
  private async waitForRoom(leases: string, ours: string, signal: AbortSignal): Promise<void> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const watch = new OneShotWatch(this.client);
      try {
        const children = await retrying(this.client, () => this.client.getChildren(leases, { watch: watch.watcher }), signal);
        if (!children.includes(ours)) throw new KeeperError('NONODE', 'the lease node vanished while waiting', joinPath(leases, ours));
        if (sortBySequence(children, LEASE_NODE_NAME).length <= this.maxLeases) return;
        await watch.next(signal);
      } finally {
        watch.dispose(leases, 'Children');
      }
    }
    throw new KeeperError('OPERATIONTIMEOUT', `gave up after ${MAX_ROUNDS} rounds`, leases);
  }

  private onSuspended(): void {
    const leases = [...this.held].filter((lease) => lease.state === 'held');
    for (const lease of leases) lease.setState('uncertain');
    if (leases.length > 0) this.emit('uncertain');
  }

  private onReconnected(): void {
    const sessionId = this.client.sessionId;
    const checks = [...this.held].filter((lease) => lease.state === 'uncertain').map(async (lease) => {
      const stat = await this.client.exists(lease.nodePath);
      if (lease.state !== 'uncertain') return;
      if (stat !== null && stat.ephemeralOwner === sessionId) lease.setState('held');
      else this.loseLease(lease, new KeeperError('NONODE', 'the lease node is gone after the reconnect', lease.nodePath));
    });
    if (checks.length === 0) return;
    Promise.all(checks).then(
      () => {
        if ([...this.held].some((lease) => lease.state === 'held')) this.emit('reconnected');
      },
      () => undefined, // Lost again: the next reconnect checks again.
    );
  }

  private onLost(reason: KeeperError, final: boolean): void {
    for (const lease of [...this.held]) {
      if (lease.state !== 'held' && lease.state !== 'uncertain') continue;
      this.loseLease(lease, reason);
      // Presumed lost but the session may be alive: delete the node once reconnected, so it takes no room.
      if (!final) deleteOwnNode(this.client, lease.nodePath).catch(() => undefined);
    }
  }

  private loseLease(lease: Lease, reason: KeeperError): void {
    lease.setState('lost');
    this.emit('lost', lease, reason);
  }
}
