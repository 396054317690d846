import { ErrorCode, type ErrorCodeNumber } from '../errors/error-code.js';
import { isKeeperError } from '../errors/keeper-error.js';
import type { Id } from '../tree/acl.js';
import type { DataTree } from '../tree/data-tree.js';
import type { ReadResult } from '../tree/op-result.js';
import { validatePath } from '../tree/path.js';
import type { WatchedEvent } from '../tree/watch-event.js';
import type { Delivery } from '../watch/delivery.js';
import type { WatchManager } from '../watch/watch-manager.js';
import type { ReplyBody, RequestBody } from '../wire/client-message.js';
import { authenticate, whoAmI } from './auth.js';

/** What serving one local request produced: events to send first, the reply, and whether to close. */
export interface LocalOutcome {
  readonly events: readonly WatchedEvent[];
  readonly err: ErrorCodeNumber;
  readonly body: ReplyBody;
  /** Set when the connection must close after the reply (a failed addAuthInfo). */
  readonly closeReason?: string;
}

/** The session a local request runs for: its id and the ids it authenticated as (mutable: addAuthInfo). */
export interface LocalSession {
  readonly sessionId: bigint;
  authIds: Id[];
}

const NO_EVENTS: readonly WatchedEvent[] = [];

function ok(body: ReplyBody, events: readonly WatchedEvent[] = NO_EVENTS): LocalOutcome {
  return { events, err: ErrorCode.OK, body };
}

function failed(code: ErrorCodeNumber): LocalOutcome {
  return { events: NO_EVENTS, err: code, body: { type: 'error', code } };
}

function fromRead(result: ReadResult): LocalOutcome {
  return result.type === 'error' ? failed(result.code) : ok(result);
}

/** Runs a step of the watch manager; a KeeperError it throws becomes the reply's error. */
function guarded(step: () => LocalOutcome): LocalOutcome {
  try {
    return step();
  } catch (error) {
    if (isKeeperError(error)) return failed(error.code);
    throw error;
  }
}

function eventsOf(deliveries: readonly Delivery[]): WatchedEvent[] {
  return deliveries.map((delivery) => delivery.event);
}

/**
 * A read that may leave a watch (getData, exists, getChildren): served from the applied tree with
 * the ACL check; a watch is registered only when the read succeeded (ZooKeeper's rule: exists on a
 * missing node watches for its creation; getData and getChildren on a missing node fail NONODE).
 */
function watchingRead(
  tree: DataTree,
  watches: WatchManager,
  session: LocalSession,
  op: 'getData' | 'exists' | 'getChildren',
  path: string,
  watch: boolean,
): LocalOutcome {
  const result = tree.read({ type: op, path }, session.sessionId, session.authIds);
  if (result.type === 'error' || !watch) return fromRead(result);
  return guarded(() => {
    const nodeExists = result.type !== 'exists' || result.stat !== null;
    watches.registerForRead(session.sessionId, op, path, nodeExists);
    return ok(result);
  });
}

/**
 * Serves one request that never reaches the log (ZooKeeper's FinalRequestProcessor for reads and
 * session-local ops), against this replica's applied tree and watch manager.
 */
export function serveLocal(tree: DataTree, watches: WatchManager, session: LocalSession, body: RequestBody): LocalOutcome {
  switch (body.type) {
    case 'getData':
    case 'exists':
    case 'getChildren':
      return watchingRead(tree, watches, session, body.type, body.path, body.watch);
    case 'getChildren2':
      return watchingRead(tree, watches, session, 'getChildren', body.path, body.watch);
    case 'getAllChildrenNumber':
    case 'getACL':
      return fromRead(tree.read(body, session.sessionId, session.authIds));
    case 'getEphemerals':
      return fromRead(tree.read(body, session.sessionId, session.authIds));
    case 'multiRead':
      return ok({ type: 'multiRead', results: body.ops.map((op) => tree.read(op, session.sessionId, session.authIds)) });
    case 'addWatch':
      return guarded(() => {
        watches.addWatch(session.sessionId, body.path, body.mode);
        return ok({ type: 'addWatch' });
      });
    case 'removeWatches':
      return guarded(() => {
        // The client makes the *WatchRemoved events itself (as ZooKeeper's does); the server only answers.
        watches.removeWatches(session.sessionId, body.path, body.watcherType);
        return ok({ type: 'removeWatches' });
      });
    case 'setWatches':
      return guarded(() => {
        const deliveries = watches.setWatches(session.sessionId, body.relativeZxid, body, { stat: (path) => tree.exists(path) });
        return ok({ type: 'setWatches' }, eventsOf(deliveries));
      });
    case 'whoAmI':
      return ok({ type: 'whoAmI', ids: whoAmI(session.authIds) });
    case 'ping':
      return ok({ type: 'ping' });
    case 'addAuthInfo': {
      const id = authenticate(body.scheme, body.auth);
      if (id === null) return { ...failed(ErrorCode.AUTHFAILED), closeReason: `authentication failed for scheme "${body.scheme}"` };
      if (!session.authIds.some((known) => known.scheme === id.scheme && known.id === id.id)) session.authIds.push(id);
      return ok({ type: 'addAuthInfo' });
    }
    case 'sync':
      return guarded(() => {
        validatePath(body.path);
        return ok({ type: 'sync', path: body.path });
      });
    default:
      // Writes never come here; anything else the codec let through is not an operation we know.
      return failed(ErrorCode.UNIMPLEMENTED);
  }
}
