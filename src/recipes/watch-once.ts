import type { MeshKeeperClient } from '../client/client.js';
import { isTerminalState } from '../client/client-state.js';
import type { WatchEvent, WatcherFunction } from '../client/watcher.js';
import { KeeperError } from '../errors/keeper-error.js';
import { abortable } from './abort.js';

/** The node events a one-shot watch reports (watch-removed and session events are not). */
const NODE_EVENTS = new Set(['NodeCreated', 'NodeDeleted', 'NodeDataChanged', 'NodeChildrenChanged']);

/**
 * A fresh watcher for one wait: `event` resolves with the first node event it receives, or rejects
 * with SESSIONEXPIRED once the client's session has ended (a watch never fires after that).
 * `dispose(path, type)` stops listening and takes the watch off the client when it has not fired.
 */
export class OneShotWatch {
  readonly watcher: WatcherFunction;
  readonly event: Promise<WatchEvent>;
  private fired = false;
  private readonly offState: () => void;

  constructor(private readonly client: MeshKeeperClient) {
    let resolve: (event: WatchEvent) => void = () => undefined;
    let reject: (error: unknown) => void = () => undefined;
    this.event = new Promise<WatchEvent>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.event.catch(() => undefined);
    this.watcher = (event) => {
      if (this.fired || !NODE_EVENTS.has(event.type)) return;
      this.fired = true;
      this.offState();
      resolve(event);
    };
    this.offState = client.on('state', (state) => {
      if (!isTerminalState(state) || this.fired) return;
      this.fired = true;
      this.offState();
      reject(new KeeperError('SESSIONEXPIRED', `the client is ${state}: the wait cannot go on`));
    });
  }

  /** The event, or the signal's reason once it aborts. */
  next(signal?: AbortSignal): Promise<WatchEvent> {
    return abortable(this.event, signal);
  }

  /** Stops listening for the session's end (for a watch that was never set, e.g. the read failed with NONODE). */
  forget(): void {
    this.fired = true;
    this.offState();
  }

  /** Stops waiting; removes the client's watch (locally if the replica cannot be reached) when it has not fired. */
  dispose(path: string, type: 'Data' | 'Children'): void {
    this.offState();
    if (this.fired || isTerminalState(this.client.state)) return;
    this.fired = true;
    this.client.removeWatches(path, this.watcher, type, true).catch(() => undefined);
  }
}
