import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { MeshKeeperClient } from '../client/client.js';
import { isKeeperError } from '../errors/keeper-error.js';

/** One probe write: how long it took, or the error code it failed with. */
export interface LatencySample {
  readonly atMs: number;
  readonly latencyMs: number;
  readonly error: string | null;
}

export interface LatencyProbeOptions {
  /** The znode this tab writes (an ephemeral node; its parents are created); read when the probe first writes. */
  readonly path: () => string;
  /** The pause between writes (default 1 s). */
  readonly intervalMs?: number;
  /** Samples kept (default 120). */
  readonly keep?: number;
}

export const DEFAULT_PROBE_INTERVAL_MS = 1_000;
export const DEFAULT_PROBE_KEEP = 120;

/**
 * Measures write latency as the application sees it: a setData of this tab's own ephemeral znode
 * every `intervalMs` (one at a time), from the call to the reply — through the tab's replica, the
 * leader and a quorum's durable log. A failure (CONNECTIONLOSS during a failover) is a sample too.
 */
export class LatencyProbe implements ReactiveController {
  samples: readonly LatencySample[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running = false;
  private created = false;
  private readonly intervalMs: number;
  private readonly keep: number;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly client: () => MeshKeeperClient | undefined,
    private readonly options: LatencyProbeOptions,
  ) {
    this.intervalMs = Math.max(100, options.intervalMs ?? DEFAULT_PROBE_INTERVAL_MS);
    this.keep = Math.min(10_000, Math.max(2, options.keep ?? DEFAULT_PROBE_KEEP));
    host.addController(this);
  }

  hostConnected(): void {
    this.running = true;
    this.schedule();
  }

  hostDisconnected(): void {
    this.running = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (!this.running || this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.probe().finally(() => this.schedule());
    }, this.intervalMs);
  }

  private async probe(): Promise<void> {
    const client = this.client();
    if (client === undefined || client.state !== 'CONNECTED') return;
    let started = performance.now();
    let error: string | null = null;
    try {
      if (!this.created) {
        await this.create(client);
        started = performance.now();
      }
      await client.setData(this.options.path(), String(Date.now()));
    } catch (caught) {
      error = isKeeperError(caught) ? caught.codeName : 'ERROR';
      if (isKeeperError(caught, 'NONODE')) this.created = false;
    }
    const sample: LatencySample = { atMs: Date.now(), latencyMs: performance.now() - started, error };
    const kept = [...this.samples, sample];
    this.samples = kept.length > this.keep ? kept.slice(kept.length - this.keep) : kept;
    this.host.requestUpdate();
  }

  private async create(client: MeshKeeperClient): Promise<void> {
    const path = this.options.path();
    const parts = path.split('/').filter((part) => part !== '');
    for (let i = 1; i < parts.length; i++) {
      await client.create(`/${parts.slice(0, i).join('/')}`, '').catch((error: unknown) => {
        if (!isKeeperError(error, 'NODEEXISTS')) throw error;
      });
    }
    await client.create(path, '', { mode: 'EPHEMERAL' }).catch((error: unknown) => {
      if (!isKeeperError(error, 'NODEEXISTS')) throw error;
    });
    this.created = true;
  }
}
