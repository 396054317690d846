import { ErrorCode } from '../errors/error-code.js';
import type { WatchNotification } from '../wire/client-message.js';
import type { PrimingRequest } from './client-session.js';
import { isTerminalState, keeperStateOf, type ClientStateName } from './client-state.js';
import { keeperErrorOf } from './error-messages.js';
import type { RequestHooks } from './pending-requests.js';
import { setWatchesBatches } from './set-watches-batches.js';
import { WatchRegistry, type WatchKind } from './watch-registry.js';
import { NO_ZXID, callWatcher, type WatchEvent, type Watcher } from './watcher.js';

/**
 * A client's watchers: the registry of watches, the default watcher, and delivery (ZooKeeper's
 * ZKWatchManager plus its EventThread, minus the thread: watchers are called synchronously as
 * events arrive, in arrival order, before the reply of any later request settles).
 */
export class ClientWatches {
  readonly registry = new WatchRegistry();
  /** What `watch: true` registers; it hands events to the client's `watch` listeners. */
  readonly defaultWatcher: Watcher;

  constructor(
    emitDefault: (event: WatchEvent) => void,
    private readonly report: (error: unknown) => void,
  ) {
    this.defaultWatcher = (event: WatchEvent) => emitDefault(event);
  }

  /** Calls each watcher with the event; a watcher that throws is reported and the rest still run. */
  deliver(watchers: Iterable<Watcher>, event: WatchEvent): void {
    for (const watcher of watchers) {
      try {
        callWatcher(watcher, event);
      } catch (error) {
        this.report(error);
      }
    }
  }

  /** A node event from the replica: to the watchers the registry names (one-shots consumed). */
  notification(notification: WatchNotification): void {
    const watchers = this.registry.materialize(notification.type, notification.path);
    this.deliver(watchers, { type: notification.type, state: notification.state, path: notification.path, zxid: notification.zxid });
  }

  /**
   * A session event (type None) to the default watcher and every registered watcher, as ZooKeeper
   * delivers Disconnected, SyncConnected, Expired, Closed and AuthFailed. A terminal state forgets
   * every watch afterwards.
   */
  sessionState(state: ClientStateName): void {
    const keeperState = keeperStateOf(state);
    if (keeperState !== undefined) {
      const watchers = new Set<Watcher>([this.defaultWatcher, ...this.registry.allWatchers()]);
      this.deliver(watchers, { type: 'None', state: keeperState, path: '', zxid: NO_ZXID });
    }
    if (isTerminalState(state)) this.registry.clear();
  }

  /** Hooks that record a watch of `kind` for `watcher` when the reply is OK (no watcher: nothing). */
  registering(kind: WatchKind, path: string, watcher: Watcher | undefined): RequestHooks {
    return {
      reply: (reply) => {
        if (watcher !== undefined && reply.err === ErrorCode.OK) this.registry.add(kind, path, watcher);
      },
    };
  }

  /** The setWatches requests that re-register every watch on a new connection. */
  setWatchesRequests(relativeZxid: bigint): PrimingRequest[] {
    return setWatchesBatches(relativeZxid, this.registry.lists()).map((body) => ({
      body,
      hooks: {
        reply: (reply) => {
          if (reply.err !== ErrorCode.OK) this.report(keeperErrorOf(reply.err, 'setWatches after reconnecting'));
        },
      },
    }));
  }
}
