import type { MeshKeeperClient } from '../client/client.js';
import { Op } from '../client/multi.js';
import type { WatchEvent } from '../client/watcher.js';
import { KeeperError, isKeeperError } from '../errors/keeper-error.js';
import { validatePath } from '../tree/path.js';
import type { Stat } from '../tree/stat.js';
import { withWaitScope, type RecipeWaitOptions } from './abort.js';
import { joinPath, parentOf } from './paths.js';
import { RecipeEmitter } from './recipe-emitter.js';
import { isConnectionLoss, isSessionEnd, retrying } from './retry.js';
import { SessionWatch } from './session-watch.js';

/** One cached znode. `stat` is the one read with the data: its child counts may lag (no child events). */
export interface CachedNode {
  readonly path: string;
  readonly data: Uint8Array;
  readonly stat: Stat;
}

/** The events of a TreeCache (Curator's CuratorCacheListener). */
export type TreeCacheEvents = {
  /** A node entered the cache (at start, every node already there). */
  created: [node: CachedNode];
  /** A node's data changed. */
  changed: [node: CachedNode, previous: CachedNode];
  /** A node left the cache (deleted). */
  deleted: [node: CachedNode];
  /** The first full read is in (start() resolves just after). */
  initialized: [];
  /** The tree was read again after a reconnect (events for what changed meanwhile came first). */
  refreshed: [];
  /** A background read failed with something other than a connection loss, or maxNodes was reached. */
  error: [error: unknown];
};

/** A TreeCache's options. */
export interface TreeCacheOptions {
  /** How many levels below the root are cached (0: the root alone); 64 by default. */
  readonly maxDepth?: number;
  /** The most nodes cached; nodes beyond it are left out (an `error` event says so). 100,000 by default. */
  readonly maxNodes?: number;
}

/** latent before start(), started, closed after close(). */
export type TreeCacheState = 'latent' | 'started' | 'closed';

/** Reads issued at once while (re)loading the tree. */
const MAX_PARALLEL_READS = 256;

type Read = { readonly node: CachedNode; readonly children: readonly string[] } | null;

function checkLimit(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new KeeperError('BADARGUMENTS', `${name} must be an integer in ${min}..${max}, not ${String(value)}`);
  }
  return value;
}

/**
 * A subtree kept in memory (Curator's CuratorCache): one persistent recursive watch on the root, every
 * NodeCreated / NodeDataChanged re-read and applied in the order the events came, NodeDeleted applied
 * in that order too. A persistent watch misses what changed while the client was away (ZooKeeper
 * sends no catch-up events for them), so after each confirmed reconnect the whole tree is read again
 * and the differences are reported as events.
 *
 * ```ts
 * const cache = new TreeCache(zk, '/app/config');
 * cache.on('changed', (node) => console.log(node.path, 'is now', node.data));
 * await cache.start();
 * cache.get('/app/config/theme')?.data;
 * ```
 */
export class TreeCache extends RecipeEmitter<TreeCacheEvents> {
  readonly root: string;
  private readonly maxDepth: number;
  private readonly maxNodes: number;
  private readonly nodes = new Map<string, CachedNode>();
  private tail: Promise<void> = Promise.resolve();
  private current: TreeCacheState = 'latent';
  private full = false;
  private readonly session: SessionWatch;

  constructor(
    readonly client: MeshKeeperClient,
    root: string,
    options: TreeCacheOptions = {},
  ) {
    super();
    validatePath(root);
    this.root = root;
    this.maxDepth = checkLimit(options.maxDepth ?? 64, 'maxDepth', 0, 1_000);
    this.maxNodes = checkLimit(options.maxNodes ?? 100_000, 'maxNodes', 1, 10_000_000);
    this.session = new SessionWatch(client, {
      suspended: () => undefined,
      reconnected: () => void this.enqueue(() => this.reload(), () => this.emit('refreshed')),
      lost: () => undefined,
    });
  }

  get state(): TreeCacheState {
    return this.current;
  }

  /** Sets the watch and reads the subtree; resolves once the cache holds it (after `initialized`). */
  async start(options?: RecipeWaitOptions): Promise<void> {
    if (this.current !== 'latent') throw new KeeperError('APIERROR', `the cache was already ${this.current}`, this.root);
    this.current = 'started';
    this.session.start();
    try {
      await withWaitScope(options, `loading the cache of ${this.root}`, async (signal) => {
        await retrying(this.client, () => this.client.addWatch(this.root, 'PERSISTENT_RECURSIVE', this.onEvent), signal);
        let failure: unknown;
        await this.enqueue(
          () => this.reload(),
          () => this.emit('initialized'),
          (error) => (failure = error),
        );
        if (failure !== undefined) throw failure;
      });
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  /** Removes the watch and empties the cache. Idempotent. */
  async close(): Promise<void> {
    if (this.current === 'closed') return;
    this.current = 'closed';
    this.session.stop();
    this.nodes.clear();
    await this.client.removeWatches(this.root, this.onEvent, 'PersistentRecursive', true).catch(() => undefined);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Resolves once every event received so far has been applied to the cache. */
  async settled(): Promise<void> {
    await this.tail;
  }

  /** The cached node at `path`, or undefined. */
  get(path: string): CachedNode | undefined {
    return this.nodes.get(path);
  }

  /** The names of the cached children of `path`, sorted. */
  children(path: string): string[] {
    const prefix = path === '/' ? '/' : `${path}/`;
    const names: string[] = [];
    for (const candidate of this.nodes.keys()) {
      if (candidate !== path && candidate.startsWith(prefix) && !candidate.slice(prefix.length).includes('/')) names.push(candidate.slice(prefix.length));
    }
    return names.sort();
  }

  /** Every cached node, sorted by path. */
  entries(): CachedNode[] {
    return [...this.nodes.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** How many nodes are cached. */
  get size(): number {
    return this.nodes.size;
  }

  private readonly onEvent = (event: WatchEvent): void => {
    if (this.current !== 'started' || !this.covers(event.path)) return;
    if (event.type === 'NodeCreated' || event.type === 'NodeDataChanged') {
      const read = this.readNode(event.path);
      void this.enqueue(async () => {
        const result = await read;
        if (result !== null) this.apply(result.node);
      });
    } else if (event.type === 'NodeDeleted') {
      void this.enqueue(async () => this.remove(event.path, event.zxid));
    }
  };

  /** Runs steps one after the other, in the order they were queued (reads were issued at queue time). */
  private enqueue(step: () => Promise<void>, after?: () => void, onError?: (error: unknown) => void): Promise<void> {
    const run = this.tail.then(async () => {
      if (this.current !== 'started') return;
      try {
        await step();
        if (this.current === 'started') after?.();
      } catch (error) {
        if (onError !== undefined) onError(error);
        else if (!isConnectionLoss(error) && !isSessionEnd(error) && this.current === 'started') this.emit('error', error);
      }
    });
    this.tail = run;
    return run;
  }

  /** Reads one node for an event (no retry: a lost connection leads to a full reload after the reconnect). */
  private async readNode(path: string): Promise<Read> {
    try {
      const { data, stat } = await this.client.getData(path);
      return { node: { path, data, stat }, children: [] };
    } catch (error) {
      if (!isKeeperError(error, 'NONODE') && !isConnectionLoss(error) && !isSessionEnd(error) && this.current === 'started') this.emit('error', error);
      return null;
    }
  }

  /** A node and its children in one multiRead (null when it does not exist). */
  private async readWithChildren(path: string): Promise<Read> {
    const [data, children] = await retrying(this.client, () => this.client.multiRead([Op.getData(path), Op.getChildren(path)]));
    if (data?.type !== 'getData') {
      if (data?.type === 'error' && data.codeName === 'NONODE') return null;
      throw new KeeperError(data?.type === 'error' ? data.codeName : 'MARSHALLINGERROR', 'reading the tree failed', path);
    }
    return { node: { path, data: data.data, stat: data.stat }, children: children?.type === 'getChildren' ? children.children : [] };
  }

  /** Reads the whole subtree (level by level) and applies the differences as events. */
  private async reload(): Promise<void> {
    const seen = new Map<string, CachedNode>();
    let level = [this.root];
    for (let depth = 0; level.length > 0 && depth <= this.maxDepth; depth++) {
      const next: string[] = [];
      for (let start = 0; start < level.length; start += MAX_PARALLEL_READS) {
        const reads = await Promise.all(level.slice(start, start + MAX_PARALLEL_READS).map((path) => this.readWithChildren(path)));
        for (const read of reads) {
          if (read === null) continue;
          if (seen.size >= this.maxNodes) break;
          seen.set(read.node.path, read.node);
          if (depth < this.maxDepth) next.push(...read.children.map((name) => joinPath(read.node.path, name)));
        }
      }
      level = next;
    }
    if (this.current !== 'started') return;
    const gone = [...this.nodes.keys()].filter((path) => !seen.has(path)).sort((a, b) => b.length - a.length);
    for (const path of gone) this.remove(path, -1n);
    for (const node of seen.values()) this.apply(node);
  }

  /** Puts a read node in the cache unless the cache has a newer view of it. */
  private apply(node: CachedNode): void {
    if (this.current !== 'started') return;
    const previous = this.nodes.get(node.path);
    if (previous !== undefined) {
      if (node.stat.czxid < previous.stat.czxid) return; // an older incarnation of the path
      if (node.stat.czxid === previous.stat.czxid && node.stat.mzxid <= previous.stat.mzxid) return;
      this.nodes.set(node.path, node);
      this.emit('changed', node, previous);
      return;
    }
    if (node.path !== this.root && !this.nodes.has(parentOf(node.path))) return; // its parent went meanwhile
    if (this.nodes.size >= this.maxNodes) {
      if (!this.full) this.emit('error', new KeeperError('QUOTAEXCEEDED', `the cache holds its maximum of ${this.maxNodes} nodes; ${node.path} is left out`, node.path));
      this.full = true;
      return;
    }
    this.nodes.set(node.path, node);
    this.emit('created', node);
  }

  /** Removes a node and its cached descendants created before `zxid` (-1: whatever their age). */
  private remove(path: string, zxid: bigint): void {
    const node = this.nodes.get(path);
    if (node === undefined || (zxid >= 0n && node.stat.czxid > zxid)) return;
    const prefix = path === '/' ? '/' : `${path}/`;
    const doomed = [...this.nodes.values()].filter((candidate) => candidate.path === path || candidate.path.startsWith(prefix));
    doomed.sort((a, b) => b.path.length - a.path.length);
    for (const victim of doomed) {
      this.nodes.delete(victim.path);
      this.full = false;
      this.emit('deleted', victim);
    }
  }

  /** True for paths in the subtree, within maxDepth. */
  private covers(path: string): boolean {
    if (path === this.root) return true;
    const prefix = this.root === '/' ? '/' : `${this.root}/`;
    if (!path.startsWith(prefix)) return false;
    return path.slice(prefix.length).split('/').length <= this.maxDepth;
  }
}
