import type { Id } from '../tree/acl.js';
import type { ErrorCodeNumber } from '../errors/error-code.js';
import type {
  CheckOp,
  CreateOp,
  DeleteOp,
  ExistsOp,
  GetAclOp,
  GetAllChildrenNumberOp,
  GetChildrenOp,
  GetDataOp,
  GetEphemeralsOp,
  MultiReadOp,
  MultiWriteOp,
  SetAclOp,
  SetDataOp,
} from '../tree/op.js';
import type { OpResult, ReadResult } from '../tree/op-result.js';
import type { WatchedEvent } from '../tree/watch-event.js';

/**
 * The messages between a client and the replica it is attached to. Codecs: request-codec.ts,
 * reply-codec.ts, session-codec.ts; the byte layout is in PROTOCOL.md.
 */

export { AddWatchMode, type AddWatchModeName } from '../watch/watcher-mode.js';
export { WatcherType, type WatcherTypeName } from '../watch/watcher-type.js';
import type { AddWatchModeName } from '../watch/watcher-mode.js';
import type { WatcherTypeName } from '../watch/watcher-type.js';

/** ZooKeeper's Watcher.Event.KeeperState (the deprecated Unknown and NoSyncConnected left out). */
export const KeeperState = {
  Disconnected: 0,
  SyncConnected: 3,
  AuthFailed: 4,
  ConnectedReadOnly: 5,
  SaslAuthenticated: 6,
  Closed: 7,
  Expired: -112,
} as const;
export type KeeperStateName = keyof typeof KeeperState;

// ------------------------------------------------------------ requests

/** create2: a create whose reply the client API returns with the Stat (the reply is the same). */
export interface Create2Request extends Omit<CreateOp, 'type'> {
  readonly type: 'create2';
}

export interface ExistsRequest extends ExistsOp {
  readonly watch: boolean;
}

export interface GetDataRequest extends GetDataOp {
  readonly watch: boolean;
}

export interface GetChildrenRequest extends GetChildrenOp {
  readonly watch: boolean;
}

/** getChildren2: getChildren whose API result includes the parent's Stat (the reply is the same). */
export interface GetChildren2Request {
  readonly type: 'getChildren2';
  readonly path: string;
  readonly watch: boolean;
}

export interface MultiReadRequest {
  readonly type: 'multiRead';
  readonly ops: readonly MultiReadOp[];
}

export interface SyncRequest {
  readonly type: 'sync';
  readonly path: string;
}

export interface AddWatchRequest {
  readonly type: 'addWatch';
  readonly path: string;
  readonly mode: AddWatchModeName;
}

export interface RemoveWatchesRequest {
  readonly type: 'removeWatches';
  readonly path: string;
  readonly watcherType: WatcherTypeName;
  /** ZooKeeper's `local` flag, carried as given. */
  readonly local: boolean;
}

/** Re-registers a reconnecting client's watches; events after relativeZxid it missed are delivered. */
export interface SetWatchesRequest {
  readonly type: 'setWatches';
  readonly relativeZxid: bigint;
  readonly dataWatches: readonly string[];
  readonly existWatches: readonly string[];
  readonly childWatches: readonly string[];
  readonly persistentWatches: readonly string[];
  readonly persistentRecursiveWatches: readonly string[];
}

export interface AddAuthInfoRequest {
  readonly type: 'addAuthInfo';
  readonly scheme: string;
  readonly auth: Uint8Array;
}

export interface WhoAmIRequest {
  readonly type: 'whoAmI';
}

export interface PingRequest {
  readonly type: 'ping';
}

export interface CloseSessionRequest {
  readonly type: 'closeSession';
}

/** Every operation of ZooKeeper's client API. */
export type RequestBody =
  | CreateOp
  | Create2Request
  | DeleteOp
  | ExistsRequest
  | GetDataRequest
  | SetDataOp
  | GetAclOp
  | SetAclOp
  | GetChildrenRequest
  | GetChildren2Request
  | GetAllChildrenNumberOp
  | GetEphemeralsOp
  | CheckOp
  | MultiWriteOp
  | MultiReadRequest
  | SyncRequest
  | AddWatchRequest
  | RemoveWatchesRequest
  | SetWatchesRequest
  | AddAuthInfoRequest
  | WhoAmIRequest
  | PingRequest
  | CloseSessionRequest;

export type RequestType = RequestBody['type'];

/** One request; `xid` is the client's request number, echoed by the reply. */
export interface ClientRequest {
  readonly xid: number;
  readonly body: RequestBody;
}

// ------------------------------------------------------------ replies

/**
 * What a reply carries. Write ops answer with an OpResult (create and create2 both with
 * `{ type: 'create', path, stat }`), reads with a ReadResult (getChildren and getChildren2 both with
 * `{ type: 'getChildren', children, stat }`), the rest with the variants below. `error` is the body of
 * every reply whose `err` is not OK, and only of those.
 */
export type ReplyBody =
  | OpResult
  | ReadResult
  | { readonly type: 'multiRead'; readonly results: readonly ReadResult[] }
  | { readonly type: 'sync'; readonly path: string }
  | { readonly type: 'whoAmI'; readonly ids: readonly Id[] }
  | { readonly type: 'ping' }
  | { readonly type: 'addWatch' }
  | { readonly type: 'removeWatches' }
  | { readonly type: 'setWatches' }
  | { readonly type: 'addAuthInfo' };

export type ReplyType = ReplyBody['type'];

/**
 * The answer to one request. `zxid` is the last zxid the replica had applied when it answered (the
 * client's lastZxidSeen); `err` is OK or the error, in which case `body` is `{ type: 'error', code: err }`.
 * A failed multi is not an error reply: err is OK and its results say which op failed.
 */
export interface ServerReply {
  readonly xid: number;
  readonly zxid: bigint;
  readonly err: ErrorCodeNumber;
  readonly body: ReplyBody;
}

// ------------------------------------------------------------ session

/** The first frame a client sends on a connection (ZooKeeper's ConnectRequest). */
export interface ConnectRequest {
  /** The last zxid the client has seen; a replica behind it refuses the client. */
  readonly lastZxidSeen: bigint;
  readonly timeoutMs: number;
  /** 0n for a new session, else the session to resume. */
  readonly sessionId: bigint;
  readonly password: Uint8Array;
  readonly readOnly: boolean;
}

/** The replica's answer (ZooKeeper's ConnectResponse; timeoutMs 0 means the session has expired). */
export interface ConnectResponse {
  readonly timeoutMs: number;
  readonly sessionId: bigint;
  readonly password: Uint8Array;
  readonly readOnly: boolean;
}

/** A watch event as sent to a client: the event plus the connection state it happened in. */
export interface WatchNotification extends WatchedEvent {
  readonly state: KeeperStateName;
}

/** What a client sends. */
export type ClientFrame =
  | { readonly kind: 'connectRequest'; readonly message: ConnectRequest }
  | { readonly kind: 'request'; readonly message: ClientRequest };

/** What a replica sends to a client. */
export type ReplicaFrame =
  | { readonly kind: 'connectResponse'; readonly message: ConnectResponse }
  | { readonly kind: 'reply'; readonly message: ServerReply }
  | { readonly kind: 'watchEvent'; readonly message: WatchNotification };
