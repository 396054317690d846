import type { ReactiveControllerHost } from 'lit';
import type { MeshKeeperClient } from '../../client/client.js';
import { Lock, TreeCache, type LockState } from '../../recipes/index.js';
import { RecipePanel } from './recipe-panel.js';
import { onCacheChange, queueOf, type QueueEntry } from './queue-view.js';

/**
 * The lock playground: this tab's Lock on `path` (its node's data is the tab's name), and the queue
 * of every tab's contender node, live (a TreeCache of the lock's children): the holder first, then
 * the waiting tabs in the order they will get it.
 */
export class LockPanel extends RecipePanel {
  state: LockState = 'released';
  queue: readonly QueueEntry[] = [];
  private lock: Lock | null = null;
  private cache: TreeCache | null = null;

  constructor(
    host: ReactiveControllerHost,
    client: () => MeshKeeperClient | undefined,
    private readonly path: string,
    private readonly tabName: () => string,
  ) {
    super(host, client);
  }

  acquire(): Promise<void> {
    const lock = this.lock;
    if (lock === null || lock.state === 'held' || lock.state === 'acquiring') return Promise.resolve();
    // Not through act(): waiting for the lock must not block the release button of a held lock.
    this.error = null;
    const waiting = lock.acquire().catch((error: unknown) => this.failed(error));
    this.refresh();
    return waiting.then(() => this.refresh());
  }

  release(): Promise<void> {
    return this.act(async () => {
      const lock = this.lock;
      if (lock === null || (lock.state !== 'held' && lock.state !== 'uncertain' && lock.state !== 'lost')) return;
      await lock.release();
      this.refresh();
    });
  }

  protected attach(client: MeshKeeperClient): () => void {
    const lock = new Lock(client, this.path, { data: this.tabName() });
    const cache = new TreeCache(client, this.path, { maxDepth: 1, maxNodes: 1_000 });
    this.lock = lock;
    this.cache = cache;
    const offs = [
      lock.on('acquired', () => this.refresh()),
      lock.on('uncertain', () => this.refresh()),
      lock.on('reconnected', () => this.refresh()),
      lock.on('lost', () => this.refresh()),
      lock.on('released', () => this.refresh()),
      onCacheChange(cache, () => this.refresh()),
      cache.on('error', (error) => this.failed(error)),
    ];
    cache.start().catch((error: unknown) => this.failed(error));
    this.refresh();
    return () => {
      for (const off of offs) off();
      this.lock = null;
      this.cache = null;
      void lock.close().catch(() => undefined);
      void cache.close();
      this.state = 'released';
      this.queue = [];
    };
  }

  private refresh(): void {
    const lock = this.lock;
    const cache = this.cache;
    if (lock === null || cache === null) return;
    this.state = lock.state;
    this.queue = queueOf(cache, this.path, this.tabName());
    this.update();
  }
}
