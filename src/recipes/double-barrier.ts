import type { MeshKeeperClient } from '../client/client.js';
import { Op } from '../client/multi.js';
import type { Data } from '../client/requests.js';
import { KeeperError, isKeeperError } from '../errors/keeper-error.js';
import { CreateMode } from '../tree/create-mode.js';
import { withWaitScope, type RecipeWaitOptions } from './abort.js';
import { ensurePath } from './ensure-path.js';
import { checkNodeName, checkRecipePath, joinPath } from './paths.js';
import { randomId } from './random-id.js';
import { deleteOwnNode, retrying } from './retry.js';
import { waitForDelete } from './wait-for-delete.js';
import { OneShotWatch } from './watch-once.js';

/** A DoubleBarrier's options. */
export interface DoubleBarrierOptions {
  /** This member's id (its node's name); a random id by default. */
  readonly id?: string;
  /** This member's node data; empty by default. */
  readonly data?: Data;
}

/** outside, entering, inside (entered), leaving. */
export type DoubleBarrierState = 'outside' | 'entering' | 'inside' | 'leaving';

/** The node whose creation lets everyone in (Curator's "ready"). */
export const READY_NODE_NAME = 'ready';
const MAX_ROUNDS = 100_000;

/**
 * A double barrier (Curator's DistributedDoubleBarrier, ZooKeeper's recipe): `enter()` waits until
 * `memberCount` members have entered, `leave()` until every member has left. Members are ephemeral
 * nodes `path/<id>`; the last to arrive creates `path/ready`, the last to leave deletes it with its
 * own node (in one multi), so the barrier can be used again.
 *
 * ```ts
 * const barrier = new DoubleBarrier(zk, '/app/barriers/round', 3);
 * await barrier.enter({ timeoutMs: 30_000 });  // all three start together
 * await compute();
 * await barrier.leave({ timeoutMs: 30_000 });  // and finish together
 * ```
 *
 * Leaving (as the recipe): the lowest member waits for the highest to go; every other member
 * deletes its node and waits for the lowest, so each waits on one node only.
 */
export class DoubleBarrier {
  readonly path: string;
  readonly id: string;
  private readonly data: Data;
  private current: DoubleBarrierState = 'outside';

  constructor(
    readonly client: MeshKeeperClient,
    path: string,
    readonly memberCount: number,
    options: DoubleBarrierOptions = {},
  ) {
    this.path = checkRecipePath(path, 'DoubleBarrier');
    if (!Number.isInteger(memberCount) || memberCount < 1 || memberCount > 100_000) {
      throw new KeeperError('BADARGUMENTS', `memberCount must be an integer in 1..100000, not ${String(memberCount)}`);
    }
    this.id = checkNodeName(options.id ?? randomId(), 'DoubleBarrier: id');
    if (this.id === READY_NODE_NAME) throw new KeeperError('BADARGUMENTS', `DoubleBarrier: the id "${READY_NODE_NAME}" is reserved`);
    this.data = options.data ?? '';
  }

  get state(): DoubleBarrierState {
    return this.current;
  }

  /** This member's node. */
  get nodePath(): string {
    return joinPath(this.path, this.id);
  }

  /**
   * Enters, resolving once memberCount members are in. On timeout, abort or error its node is
   * deleted (it does not count any more) and the call rejects.
   */
  async enter(options?: RecipeWaitOptions): Promise<void> {
    if (this.current !== 'outside') throw new KeeperError('APIERROR', `the member is ${this.current}`, this.nodePath);
    this.current = 'entering';
    try {
      await withWaitScope(options, `entering the barrier ${this.path}`, async (signal) => {
        await ensurePath(this.client, this.path, signal);
        await this.createOwn(signal);
        try {
          await this.waitForReady(signal);
        } catch (error) {
          const cleanup = deleteOwnNode(this.client, this.nodePath).catch(() => undefined);
          if (this.client.state === 'CONNECTED') await cleanup;
          throw error;
        }
      });
      this.current = 'inside';
    } catch (error) {
      this.current = 'outside';
      throw error;
    }
  }

  /**
   * Leaves, resolving once every member has left. On timeout or abort its node is deleted anyway (it
   * has left; it just stops waiting for the others).
   */
  async leave(options?: RecipeWaitOptions): Promise<void> {
    if (this.current !== 'inside') throw new KeeperError('APIERROR', `the member is ${this.current}`, this.nodePath);
    this.current = 'leaving';
    try {
      await withWaitScope(options, `leaving the barrier ${this.path}`, (signal) => this.leaveSteps(signal));
    } catch (error) {
      const cleanup = deleteOwnNode(this.client, this.nodePath).catch(() => undefined);
      if (this.client.state === 'CONNECTED') await cleanup;
      throw error;
    } finally {
      this.current = 'outside';
    }
  }

  /** The members' ids now (sorted), without the ready node. */
  async members(): Promise<string[]> {
    try {
      const children = await retrying(this.client, () => this.client.getChildren(this.path));
      return children.filter((name) => name !== READY_NODE_NAME).sort();
    } catch (error) {
      if (isKeeperError(error, 'NONODE')) return [];
      throw error;
    }
  }

  private async createOwn(signal: AbortSignal): Promise<void> {
    try {
      await retrying(this.client, () => this.client.create(this.nodePath, this.data, { mode: CreateMode.EPHEMERAL }), signal);
    } catch (error) {
      if (!isKeeperError(error, 'NODEEXISTS')) throw error;
      const stat = await retrying(this.client, () => this.client.exists(this.nodePath), signal);
      if (stat?.ephemeralOwner !== this.client.sessionId) throw new KeeperError('NODEEXISTS', `another session is member "${this.id}"`, this.nodePath);
    }
  }

  /** Waits for the ready node, creating it when this member makes the count. */
  private async waitForReady(signal: AbortSignal): Promise<void> {
    const ready = joinPath(this.path, READY_NODE_NAME);
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const watch = new OneShotWatch(this.client);
      try {
        if ((await retrying(this.client, () => this.client.exists(ready, { watch: watch.watcher }), signal)) !== null) return;
        const members = await this.members();
        if (!members.includes(this.id)) throw new KeeperError('NONODE', 'this member\'s node vanished while entering', this.nodePath);
        if (members.length >= this.memberCount) {
          try {
            await retrying(this.client, () => this.client.create(ready, '', { mode: CreateMode.PERSISTENT }), signal);
          } catch (error) {
            if (!isKeeperError(error, 'NODEEXISTS')) throw error;
          }
          return;
        }
        await watch.next(signal);
      } finally {
        watch.dispose(ready, 'Data');
      }
    }
    throw new KeeperError('OPERATIONTIMEOUT', `gave up after ${MAX_ROUNDS} rounds`, this.path);
  }

  private async leaveSteps(signal: AbortSignal): Promise<void> {
    let ours = true;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const members = await this.members();
      if (!members.includes(this.id)) ours = false;
      if (members.length === 0) return;
      if (members.length === 1 && ours) {
        await this.deleteLast();
        return;
      }
      const lowest = members[0] ?? '';
      const highest = members.at(-1) ?? '';
      if (ours && lowest === this.id) {
        await waitForDelete(this.client, joinPath(this.path, highest), signal);
      } else {
        if (ours) await retrying(this.client, () => this.client.delete(this.nodePath), signal).catch(ignoreNoNode);
        ours = false;
        await waitForDelete(this.client, joinPath(this.path, lowest), signal);
      }
    }
    throw new KeeperError('OPERATIONTIMEOUT', `gave up after ${MAX_ROUNDS} rounds`, this.path);
  }

  /** The last member out deletes its node and the ready node together. */
  private async deleteLast(): Promise<void> {
    const ready = joinPath(this.path, READY_NODE_NAME);
    try {
      await retrying(this.client, () => this.client.multi([Op.delete(this.nodePath), Op.delete(ready)]));
    } catch (error) {
      if (!isKeeperError(error, 'NONODE')) throw error;
      await deleteOwnNode(this.client, this.nodePath);
    }
  }
}

function ignoreNoNode(error: unknown): void {
  if (!isKeeperError(error, 'NONODE')) throw error;
}
