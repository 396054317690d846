import type { ReactiveControllerHost } from 'lit';
import type { MeshKeeperClient } from '../../client/client.js';
import { SharedCounter } from '../../recipes/index.js';
import { RecipePanel } from './recipe-panel.js';

/** The most increments one click runs at once. */
export const MAX_CONCURRENT_INCREMENTS = 50;

/**
 * The shared counter playground: the SharedCounter at `path`, its value live (change events), and
 * increments — several at once from every tab still count each one (compare-and-set with retry).
 */
export class CounterPanel extends RecipePanel {
  value: number | null = null;
  /** Increments this tab has in flight. */
  inFlight = 0;
  private counter: SharedCounter | null = null;

  constructor(
    host: ReactiveControllerHost,
    client: () => MeshKeeperClient | undefined,
    private readonly path: string,
  ) {
    super(host, client);
  }

  /** Runs `count` increments at once. */
  async increment(count = 1): Promise<void> {
    const counter = this.counter;
    if (counter === null) return;
    const n = Math.min(MAX_CONCURRENT_INCREMENTS, Math.max(1, Math.floor(count)));
    this.inFlight += n;
    this.error = null;
    this.update();
    const results = await Promise.allSettled(Array.from({ length: n }, () => counter.increment()));
    this.inFlight -= n;
    const failure = results.find((result) => result.status === 'rejected');
    if (failure !== undefined) this.failed(failure.reason);
    this.update();
  }

  reset(): Promise<void> {
    return this.act(async () => {
      await this.counter?.set(0);
    });
  }

  protected attach(client: MeshKeeperClient): () => void {
    const counter = new SharedCounter(client, this.path);
    this.counter = counter;
    const offs = [
      counter.on('change', ({ value }) => {
        this.value = value;
        this.update();
      }),
      counter.on('error', (error) => this.failed(error)),
    ];
    counter.start().then(
      ({ value }) => {
        this.value = value;
        this.update();
      },
      (error: unknown) => this.failed(error),
    );
    return () => {
      for (const off of offs) off();
      this.counter = null;
      this.value = null;
      void counter.close();
    };
  }
}
