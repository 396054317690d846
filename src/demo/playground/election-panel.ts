import type { ReactiveControllerHost } from 'lit';
import type { MeshKeeperClient } from '../../client/client.js';
import { LeaderLatch, TreeCache } from '../../recipes/index.js';
import { RecipePanel } from './recipe-panel.js';
import { onCacheChange, queueOf, type QueueEntry } from './queue-view.js';

/**
 * The leader election playground: this tab's LeaderLatch on `path` (id: the tab's name), joined at
 * once; the participants live (a TreeCache), the leader first. Leaving closes the latch; joining
 * again makes a new one (a latch starts once).
 */
export class ElectionPanel extends RecipePanel {
  leading = false;
  joined = false;
  participants: readonly QueueEntry[] = [];
  private latch: LeaderLatch | null = null;
  private cache: TreeCache | null = null;
  private current: MeshKeeperClient | null = null;
  private offLatch: (() => void)[] = [];

  constructor(
    host: ReactiveControllerHost,
    client: () => MeshKeeperClient | undefined,
    private readonly path: string,
    private readonly tabName: () => string,
  ) {
    super(host, client);
  }

  join(): Promise<void> {
    return this.act(async () => {
      if (this.latch !== null || this.current === null) return;
      await this.startLatch(this.current);
    });
  }

  leave(): Promise<void> {
    return this.act(async () => {
      await this.closeLatch();
    });
  }

  protected attach(client: MeshKeeperClient): () => void {
    this.current = client;
    const cache = new TreeCache(client, this.path, { maxDepth: 1, maxNodes: 1_000 });
    this.cache = cache;
    const offs = [onCacheChange(cache, () => this.refresh()), cache.on('error', (error) => this.failed(error))];
    cache.start().catch((error: unknown) => this.failed(error));
    void this.act(() => this.startLatch(client));
    return () => {
      for (const off of offs) off();
      this.current = null;
      this.cache = null;
      void cache.close();
      void this.closeLatch();
      this.participants = [];
    };
  }

  private async startLatch(client: MeshKeeperClient): Promise<void> {
    const latch = new LeaderLatch(client, this.path, { id: this.tabName() });
    this.latch = latch;
    this.joined = true;
    this.offLatch = [latch.on('leader', () => this.refresh()), latch.on('notLeader', () => this.refresh()), latch.on('error', (error) => this.failed(error))];
    this.refresh();
    await latch.start();
  }

  private async closeLatch(): Promise<void> {
    const latch = this.latch;
    this.latch = null;
    this.joined = false;
    for (const off of this.offLatch.splice(0)) off();
    this.refresh();
    await latch?.close();
  }

  private refresh(): void {
    this.leading = this.latch?.hasLeadership() ?? false;
    this.participants = this.cache === null ? [] : queueOf(this.cache, this.path, this.tabName());
    this.update();
  }
}
