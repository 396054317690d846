import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { MeshKeeperClient } from '../../client/client.js';
import { isKeeperError } from '../../errors/keeper-error.js';
import { BoundSource } from '../../ui/bound-source.js';

/** A KeeperError's code and message, or any error's message. */
export function describeError(error: unknown): string {
  if (isKeeperError(error)) return `${error.codeName}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * What every playground panel shares: it follows the host's client (recipes made on attach, closed
 * on detach), runs the user's actions one at a time per panel, and keeps the last error to show.
 */
export abstract class RecipePanel implements ReactiveController {
  error: string | null = null;
  busy = false;
  private readonly binding: BoundSource<MeshKeeperClient>;

  constructor(
    protected readonly host: ReactiveControllerHost,
    client: () => MeshKeeperClient | undefined,
  ) {
    this.binding = new BoundSource(client, (bound) => {
      this.error = null;
      const detach = this.attach(bound);
      return () => {
        detach();
        this.host.requestUpdate();
      };
    });
    host.addController(this);
  }

  get client(): MeshKeeperClient | undefined {
    return this.binding.value;
  }

  hostConnected(): void {
    this.binding.connect();
  }

  hostUpdate(): void {
    this.binding.sync();
  }

  hostDisconnected(): void {
    this.binding.disconnect();
  }

  /** Makes the panel's recipes for `client`; returns what closes them. */
  protected abstract attach(client: MeshKeeperClient): () => void;

  /** Runs a user action: one at a time, its error kept for the panel. */
  protected async act(action: () => Promise<void>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.error = null;
    this.update();
    try {
      await action();
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.busy = false;
      this.update();
    }
  }

  /** A background failure (a recipe's `error` event, a failed start). */
  protected failed(error: unknown): void {
    this.error = describeError(error);
    this.update();
  }

  protected update(): void {
    this.host.requestUpdate();
  }
}
