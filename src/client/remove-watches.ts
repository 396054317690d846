import { ErrorCode } from '../errors/error-code.js';
import { KeeperError } from '../errors/keeper-error.js';
import type { EventTypeName } from '../tree/watch-event.js';
import type { WatcherTypeName } from '../watch/watcher-type.js';
import type { KeeperStateName, RequestBody, ServerReply } from '../wire/client-message.js';
import type { RequestHooks } from './client-session.js';
import { keeperErrorOf } from './error-messages.js';
import { serverTypesOf, type RemovedWatchers, type ServerWatchType, type WatchRegistry } from './watch-registry.js';
import { NO_ZXID, type WatchEvent, type Watcher } from './watcher.js';

/** What removing watches needs of the client. */
export interface RemoveWatchesContext {
  readonly registry: WatchRegistry;
  /** Sends a request (the session's submit). */
  submit(body: RequestBody, hooks: RequestHooks): Promise<ServerReply>;
  /** Calls watchers with an event. */
  deliver(watchers: Iterable<Watcher>, event: WatchEvent): void;
}

const REMOVED_ORDER: readonly EventTypeName[] = ['ChildWatchRemoved', 'DataWatchRemoved', 'PersistentWatchRemoved'];

function dispatchRemoved(context: RemoveWatchesContext, path: string, removed: RemovedWatchers, state: KeeperStateName): void {
  for (const type of REMOVED_ORDER) {
    const watchers = removed.get(type);
    if (watchers !== undefined && watchers.size > 0) context.deliver(watchers, { type, state, path, zxid: NO_ZXID });
  }
}

/** ZooKeeper's state for removal events: Disconnected when the replica could not be asked. */
function stateAfter(code: number): KeeperStateName {
  return code === ErrorCode.CONNECTIONLOSS || code === ErrorCode.SESSIONEXPIRED ? 'Disconnected' : 'SyncConnected';
}

/**
 * removeWatches / removeAllWatches (ZooKeeper's ZKWatchManager.removeWatcher with the replica's
 * removeWatches): NOWATCHER at once when the client has no such watch. Otherwise the replica is
 * asked to drop each server-side watch no other watcher of this client still needs (one request per
 * watch type); watches other watchers share are taken off this watcher locally. As each reply
 * arrives, the watchers it covers get their DataWatchRemoved / ChildWatchRemoved /
 * PersistentWatchRemoved event. When the replica fails (or cannot be reached), `local` removes the
 * watches anyway and the call succeeds; without it they stay and the call fails with that error.
 */
export async function removeWatches(
  context: RemoveWatchesContext,
  path: string,
  watcher: Watcher | null,
  type: WatcherTypeName,
  local: boolean,
): Promise<void> {
  const { registry } = context;
  if (!registry.contains(path, watcher, type)) {
    throw new KeeperError('NOWATCHER', `no ${type} watch${watcher === null ? '' : ' of this watcher'} here`, path);
  }
  const emptied = new Set(registry.serverTypesEmptiedBy(path, watcher, type));
  const removeLocally = (serverType: ServerWatchType, state: KeeperStateName): boolean => {
    const removed: RemovedWatchers = new Map();
    const any = registry.remove(path, watcher, serverType, removed);
    dispatchRemoved(context, path, removed, state);
    return any;
  };
  // Watches another watcher still needs stay on the replica: only this watcher lets go of them.
  for (const serverType of serverTypesOf(type)) {
    if (!emptied.has(serverType)) removeLocally(serverType, 'SyncConnected');
  }
  const outcomes = await Promise.all(
    [...emptied].map((serverType) => {
      let code: number = ErrorCode.OK;
      let removedAnyway = false;
      const hooks: RequestHooks = {
        reply: (reply) => {
          code = reply.err;
          if (reply.err === ErrorCode.OK || local) removedAnyway = removeLocally(serverType, stateAfter(reply.err));
        },
        fail: (error) => {
          code = error.code;
          if (local) removedAnyway = removeLocally(serverType, stateAfter(error.code));
        },
      };
      const body: RequestBody = { type: 'removeWatches', path, watcherType: serverType, local };
      return context.submit(body, hooks).then(
        () => ({ code, removedAnyway }),
        () => ({ code, removedAnyway }),
      );
    }),
  );
  for (const { code, removedAnyway } of outcomes) {
    if (code !== ErrorCode.OK && !(local && removedAnyway)) throw keeperErrorOf(code, path);
  }
}
