import type { ReactiveControllerHost } from 'lit';
import type { MeshKeeperClient } from '../../client/client.js';
import { isKeeperError } from '../../errors/keeper-error.js';
import { Barrier, TreeCache } from '../../recipes/index.js';
import { RecipePanel } from './recipe-panel.js';
import { onCacheChange } from './queue-view.js';

/**
 * The barrier playground: set the Barrier at `path`, wait at it (this tab shows as waiting: an
 * ephemeral node under `waitingPath`), remove it to let every waiting tab through. Whether it is set,
 * and who waits, are followed live (TreeCaches).
 */
export class BarrierPanel extends RecipePanel {
  isSet = false;
  waiting = false;
  /** Date.now() when this tab last passed the barrier; 0 before. */
  passedAtMs = 0;
  waiters: readonly string[] = [];
  private barrier: Barrier | null = null;
  private barrierCache: TreeCache | null = null;
  private waitersCache: TreeCache | null = null;

  constructor(
    host: ReactiveControllerHost,
    client: () => MeshKeeperClient | undefined,
    private readonly path: string,
    private readonly waitingPath: string,
    private readonly tabName: () => string,
  ) {
    super(host, client);
  }

  set(): Promise<void> {
    return this.act(async () => {
      await this.barrier?.set();
    });
  }

  remove(): Promise<void> {
    return this.act(async () => {
      await this.barrier?.remove();
    });
  }

  /** Waits at the barrier until someone removes it (the other buttons stay usable meanwhile). */
  async wait(): Promise<void> {
    const barrier = this.barrier;
    const client = this.client;
    if (barrier === null || client === undefined || this.waiting) return;
    this.waiting = true;
    this.error = null;
    this.update();
    const marker = `${this.waitingPath}/${this.tabName()}`;
    try {
      await client.create(this.waitingPath, '').catch((error: unknown) => {
        if (!isKeeperError(error, 'NODEEXISTS')) throw error;
      });
      await client.create(marker, '', { mode: 'EPHEMERAL' }).catch((error: unknown) => {
        if (!isKeeperError(error, 'NODEEXISTS')) throw error;
      });
      await barrier.wait();
      this.passedAtMs = Date.now();
    } catch (error) {
      this.failed(error);
    } finally {
      this.waiting = false;
      await client.delete(marker).catch(() => undefined);
      this.update();
    }
  }

  protected attach(client: MeshKeeperClient): () => void {
    this.barrier = new Barrier(client, this.path);
    const barrierCache = new TreeCache(client, this.path, { maxDepth: 0 });
    const waitersCache = new TreeCache(client, this.waitingPath, { maxDepth: 1, maxNodes: 1_000 });
    this.barrierCache = barrierCache;
    this.waitersCache = waitersCache;
    const offs = [
      onCacheChange(barrierCache, () => this.refresh()),
      onCacheChange(waitersCache, () => this.refresh()),
      barrierCache.on('error', (error) => this.failed(error)),
      waitersCache.on('error', (error) => this.failed(error)),
    ];
    for (const cache of [barrierCache, waitersCache]) cache.start().catch((error: unknown) => this.failed(error));
    return () => {
      for (const off of offs) off();
      this.barrier = null;
      this.barrierCache = null;
      this.waitersCache = null;
      void barrierCache.close();
      void waitersCache.close();
    };
  }

  private refresh(): void {
    this.isSet = this.barrierCache?.get(this.path) !== undefined;
    this.waiters = this.waitersCache?.children(this.waitingPath) ?? [];
    this.update();
  }
}
