import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { KeeperError } from '../errors/keeper-error.js';
import { BoundSource } from './bound-source.js';
import { ensembleView, trackActivity, type EnsembleSource, type EnsembleView } from './ensemble-view.js';

export interface EnsembleControllerOptions {
  /** How often the status is read (default 500 ms, at least 50 ms). */
  readonly intervalMs?: number;
}

export const DEFAULT_ENSEMBLE_INTERVAL_MS = 500;
export const MIN_ENSEMBLE_INTERVAL_MS = 50;

/**
 * Binds a host to a replica's status (a BrowserMesh, or anything with `status()`): reads it every
 * `intervalMs` while the host is connected, one read at a time, and keeps the view of it
 * (ensemble-view.ts). A failed read keeps the last view and says why in `error`.
 */
export class EnsembleController implements ReactiveController {
  view: EnsembleView | null = null;
  error: string | null = null;
  /** Reads completed for the current source. */
  reads = 0;
  private readonly intervalMs: number;
  private readonly binding: BoundSource<EnsembleSource>;

  constructor(
    private readonly host: ReactiveControllerHost,
    source: () => EnsembleSource | undefined,
    options: EnsembleControllerOptions = {},
  ) {
    const intervalMs = options.intervalMs ?? DEFAULT_ENSEMBLE_INTERVAL_MS;
    if (!Number.isFinite(intervalMs) || intervalMs < MIN_ENSEMBLE_INTERVAL_MS) {
      throw new KeeperError('BADARGUMENTS', `the ensemble view reads at most every ${MIN_ENSEMBLE_INTERVAL_MS} ms, not every ${intervalMs} ms`);
    }
    this.intervalMs = intervalMs;
    this.binding = new BoundSource(source, (bound) => this.follow(bound));
    host.addController(this);
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

  private follow(source: EnsembleSource): () => void {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    this.view = null;
    this.error = null;
    this.reads = 0;
    const lastActiveMs = new Map<string, number>();
    const read = async (): Promise<void> => {
      try {
        const status = await source.status();
        if (stopped) return;
        this.view = ensembleView(status, trackActivity(status, lastActiveMs, Date.now()));
        this.error = null;
      } catch (error) {
        if (stopped) return;
        this.error = error instanceof Error ? error.message : String(error);
      }
      this.reads += 1;
      this.host.requestUpdate();
      timer = setTimeout(() => void read(), this.intervalMs);
    };
    void read();
    return () => {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
    };
  }
}
