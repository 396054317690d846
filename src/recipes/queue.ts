import type { MeshKeeperClient } from '../client/client.js';
import type { Data } from '../client/requests.js';
import { KeeperError, isKeeperError } from '../errors/keeper-error.js';
import { CreateMode } from '../tree/create-mode.js';
import { throwIfAborted, withWaitScope, type RecipeWaitOptions } from './abort.js';
import { ensurePath } from './ensure-path.js';
import { checkRecipePath, joinPath, sortBySequence } from './paths.js';
import { protectedCreate } from './protected-create.js';
import { isConnectionLoss, retrying, waitConnected } from './retry.js';
import { OneShotWatch } from './watch-once.js';

/** A Queue's options. */
export interface QueueOptions {
  /** put() refuses (QUOTAEXCEEDED) once the queue holds this many items; 10,000 by default. */
  readonly maxItems?: number;
}

/** The node name of an item (after the protection prefix). */
export const QUEUE_ITEM_NAME = 'item-';
const MAX_ITEMS_LIMIT = 1_000_000;
const MAX_ROUNDS = 100_000;

/** One item as peek() sees it. */
export interface QueueItem {
  readonly path: string;
  readonly data: Uint8Array;
}

/**
 * A FIFO queue (Curator's SimpleDistributedQueue): each item is a persistent-sequential node under
 * `path`, taken in sequence order by reading and deleting the first one. `take()` blocks until an
 * item exists. Items are persistent: they outlive the producer's session.
 *
 * ```ts
 * const jobs = new Queue(zk, '/app/queues/jobs');
 * await jobs.put(JSON.stringify({ resize: 'cat.png' }));
 * const job = await jobs.take({ signal });   // Uint8Array; blocks while the queue is empty
 * ```
 *
 * Delivery is at most once, as Curator's: an item is the taker's once its delete succeeded. When the
 * connection is lost during that delete and the item is gone afterwards, nobody can tell who took it:
 * `take()` rejects with CONNECTIONLOSS naming the item (the item may be lost). put() uses a protected
 * name, so a put retried after a lost reply never makes a second item.
 */
export class Queue {
  readonly path: string;
  private readonly maxItems: number;
  private ready = false;

  constructor(
    readonly client: MeshKeeperClient,
    path: string,
    options: QueueOptions = {},
  ) {
    this.path = checkRecipePath(path, 'Queue');
    const maxItems = options.maxItems ?? 10_000;
    if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > MAX_ITEMS_LIMIT) {
      throw new KeeperError('BADARGUMENTS', `maxItems must be an integer in 1..${MAX_ITEMS_LIMIT}`);
    }
    this.maxItems = maxItems;
  }

  /** Adds an item at the tail; resolves with its node's path. QUOTAEXCEEDED when the queue is full. */
  async put(data: Data, options?: RecipeWaitOptions): Promise<string> {
    return withWaitScope(options, `putting into ${this.path}`, async (signal) => {
      await this.ensureQueue(signal);
      const stat = await retrying(this.client, () => this.client.exists(this.path), signal);
      if (stat !== null && stat.numChildren >= this.maxItems) throw new KeeperError('QUOTAEXCEEDED', `the queue holds its maximum of ${this.maxItems} items`, this.path);
      return protectedCreate(this.client, this.path, QUEUE_ITEM_NAME, { data, mode: CreateMode.PERSISTENT_SEQUENTIAL, signal });
    });
  }

  /** Takes the head item, waiting until there is one. Rejects with OPERATIONTIMEOUT, the signal's reason, SESSIONEXPIRED. */
  async take(options?: RecipeWaitOptions): Promise<Uint8Array> {
    return withWaitScope(options, `taking from ${this.path}`, async (signal) => {
      for (let round = 0; round < MAX_ROUNDS; round++) {
        const taken = await this.takeFirst(signal);
        if (taken !== null) return taken;
        await this.waitForItems(signal);
      }
      throw new KeeperError('OPERATIONTIMEOUT', `gave up after ${MAX_ROUNDS} rounds`, this.path);
    });
  }

  /** Takes the head item, or null at once when the queue is empty. */
  async poll(options?: RecipeWaitOptions): Promise<Uint8Array | null> {
    return withWaitScope(options, `polling ${this.path}`, (signal) => this.takeFirst(signal));
  }

  /** The head item without taking it, or null. */
  async peek(): Promise<QueueItem | null> {
    for (const name of await this.items()) {
      const path = joinPath(this.path, name);
      try {
        const { data } = await retrying(this.client, () => this.client.getData(path));
        return { path, data };
      } catch (error) {
        if (!isKeeperError(error, 'NONODE')) throw error;
      }
    }
    return null;
  }

  /** How many items the queue holds. */
  async size(): Promise<number> {
    return (await this.items()).length;
  }

  /** The item names in queue order. */
  private async items(signal?: AbortSignal): Promise<string[]> {
    try {
      return sortBySequence(await retrying(this.client, () => this.client.getChildren(this.path), signal), QUEUE_ITEM_NAME);
    } catch (error) {
      if (isKeeperError(error, 'NONODE')) return [];
      throw error;
    }
  }

  /** Tries the items in order; null when none could be taken. */
  private async takeFirst(signal: AbortSignal): Promise<Uint8Array | null> {
    for (const name of await this.items(signal)) {
      throwIfAborted(signal);
      const taken = await this.tryTake(joinPath(this.path, name), signal);
      if (taken !== null) return taken;
    }
    return null;
  }

  /** Reads then deletes one item: its data when this call deleted it, null when another taker did. */
  private async tryTake(path: string, signal: AbortSignal): Promise<Uint8Array | null> {
    let read;
    try {
      read = await retrying(this.client, () => this.client.getData(path), signal);
    } catch (error) {
      if (isKeeperError(error, 'NONODE')) return null;
      throw error;
    }
    // The delete is not abandoned on abort: once sent, its outcome decides whose item this is.
    try {
      await this.client.delete(path, read.stat.version);
      return read.data;
    } catch (error) {
      if (isKeeperError(error, 'NONODE') || isKeeperError(error, 'BADVERSION')) return null;
      if (!isConnectionLoss(error)) throw error;
    }
    await waitConnected(this.client, signal);
    if ((await retrying(this.client, () => this.client.exists(path), signal)) !== null) return null;
    throw new KeeperError('CONNECTIONLOSS', 'the connection was lost while taking this item and it is gone: it may have been taken by this call (and is lost) or by another', path);
  }

  /** Waits for the queue's children to change (a children watch), unless items are there already. */
  private async waitForItems(signal: AbortSignal): Promise<void> {
    const watch = new OneShotWatch(this.client);
    try {
      let children: string[];
      try {
        children = await retrying(this.client, () => this.client.getChildren(this.path, { watch: watch.watcher }), signal);
      } catch (error) {
        if (!isKeeperError(error, 'NONODE')) throw error;
        this.ready = false;
        await this.ensureQueue(signal);
        return;
      }
      if (sortBySequence(children, QUEUE_ITEM_NAME).length > 0) return;
      await watch.next(signal);
    } finally {
      watch.dispose(this.path, 'Children');
    }
  }

  /** Creates the queue node (persistent; parents as containers) once. */
  private async ensureQueue(signal: AbortSignal): Promise<void> {
    if (this.ready) return;
    await ensurePath(this.client, this.path, signal, CreateMode.PERSISTENT);
    this.ready = true;
  }
}
