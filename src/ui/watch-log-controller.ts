import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { MeshKeeperClient } from '../client/client.js';
import type { WatchEvent } from '../client/watcher.js';
import { KeeperError } from '../errors/keeper-error.js';
import { BoundSource } from './bound-source.js';

/** One event the client's default watcher received. */
export interface WatchLogEntry {
  /** Counts from 1 for each client the log follows. */
  readonly seq: number;
  /** Date.now() when it arrived. */
  readonly atMs: number;
  readonly type: WatchEvent['type'];
  readonly state: WatchEvent['state'];
  readonly path: string;
  /** The zxid of the change, hex; '-1' for events no txn caused. */
  readonly zxid: string;
}

export interface WatchLogOptions {
  /** How many entries are kept, newest first (default 200, at most 10,000). */
  readonly limit?: number;
  /** The clock entries are stamped with (default Date.now). */
  readonly now?: () => number;
}

export const DEFAULT_WATCH_LOG_LIMIT = 200;
export const MAX_WATCH_LOG_LIMIT = 10_000;

/**
 * Records what a client's default watcher receives (the client's `watch` event): the session's
 * state events and the events of watches set with `watch: true` or `addWatch` without a watcher —
 * the watches `<mk-tree>` sets for its user. Newest first, bounded.
 */
export class WatchLogController implements ReactiveController {
  entries: readonly WatchLogEntry[] = [];
  /** Events dropped because the log was full (the oldest go). */
  dropped = 0;
  private readonly limit: number;
  private readonly now: () => number;
  private readonly binding: BoundSource<MeshKeeperClient>;
  private seq = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    client: () => MeshKeeperClient | undefined,
    options: WatchLogOptions = {},
  ) {
    const limit = options.limit ?? DEFAULT_WATCH_LOG_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_WATCH_LOG_LIMIT) {
      throw new KeeperError('BADARGUMENTS', `a watch log keeps 1 to ${MAX_WATCH_LOG_LIMIT} entries, not ${limit}`);
    }
    this.limit = limit;
    this.now = options.now ?? Date.now;
    this.binding = new BoundSource(client, (bound) => this.attach(bound));
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

  clear(): void {
    this.entries = [];
    this.dropped = 0;
    this.host.requestUpdate();
  }

  private attach(client: MeshKeeperClient): () => void {
    this.seq = 0;
    this.entries = [];
    this.dropped = 0;
    const off = client.on('watch', (event) => this.record(event));
    return off;
  }

  private record(event: WatchEvent): void {
    this.seq += 1;
    const entry: WatchLogEntry = {
      seq: this.seq,
      atMs: this.now(),
      type: event.type,
      state: event.state,
      path: event.path,
      zxid: event.zxid < 0n ? '-1' : event.zxid.toString(16),
    };
    const kept = [entry, ...this.entries];
    if (kept.length > this.limit) {
      this.dropped += kept.length - this.limit;
      kept.length = this.limit;
    }
    this.entries = kept;
    this.host.requestUpdate();
  }
}
