import { ErrorCode } from '../errors/error-code.js';
import { KeeperError } from '../errors/keeper-error.js';
import type { Acl, Id } from '../tree/acl.js';
import type { MultiOp, MultiReadOp } from '../tree/op.js';
import { validateWriteOp } from '../tree/op-validation.js';
import type { Stat } from '../tree/stat.js';
import type { AddWatchModeName } from '../watch/watcher-mode.js';
import type { WatcherTypeName } from '../watch/watcher-type.js';
import type { RequestBody } from '../wire/client-message.js';
import { MAX_ACL_ID_BYTES, MAX_AUTH_BYTES, MAX_MULTI_OPS } from '../wire/limits.js';
import { resolveClientOptions, type MeshKeeperClientOptions } from './client-options.js';
import { ClientWatches } from './client-watches.js';
import { ClientSession, type PrimingRequest, type RequestHooks } from './client-session.js';
import { isTerminalState, type ClientStateName } from './client-state.js';
import type { Clock } from './clock.js';
import { multiReadResults, multiResults, type MultiReadResult, type MultiResult } from './multi.js';
import { removeWatches } from './remove-watches.js';
import { replyBody } from './replies.js';
import {
  checkAcl,
  checkReadPath,
  createOp,
  resolveAddWatchMode,
  resolveWatch,
  resolveWatcherType,
  toBytes,
  type CreateOptions,
  type Data,
} from './requests.js';
import { Transaction } from './transaction.js';
import { TypedEmitter } from './typed-emitter.js';
import { waitForState, type WaitOptions } from './wait-for-state.js';
import { callWatcher, isWatcher, type WatchEvent, type Watcher, type WatchOption } from './watcher.js';

/** The events a client emits. */
export type ClientEvents = {
  /** The connection state changed. */
  state: [state: ClientStateName, previous: ClientStateName];
  /** The default watcher: session events, and the events of watches set with `watch: true`. */
  watch: [event: WatchEvent];
  /** A watcher or listener threw, or re-registering watches after a reconnect failed. */
  error: [error: unknown];
};

/** Options of the reads that can leave a watch. */
export interface ReadOptions {
  /** Leave a one-shot watch: true for the default watcher, or a Watcher. */
  readonly watch?: WatchOption;
}

/** getChildren's options. */
export interface GetChildrenOptions extends ReadOptions {
  /** Also return the parent's Stat (ZooKeeper's getChildren2). */
  readonly stat?: boolean;
}

/** A credential kept for re-sending after a reconnect. */
interface AuthInfo {
  readonly scheme: string;
  readonly auth: Uint8Array;
}

/** The most credentials one client keeps (addAuthInfo). */
export const MAX_AUTH_INFOS = 64;

/**
 * A ZooKeeper client for meshkeeper, with the Java client's calls and meanings. It connects at once
 * (state CONNECTING), to the endpoints in turn; calls made before it is connected wait for the
 * connection. Every call returns a Promise; failures are KeeperErrors with ZooKeeper's codes.
 *
 * ```ts
 * const zk = await MeshKeeperClient.connect({ endpoints: [connectToReplica] });
 * await zk.create('/app', 'config');
 * const { data, stat } = await zk.getData('/app', { watch: (event) => console.log(event.type) });
 * ```
 */
export class MeshKeeperClient {
  private readonly session: ClientSession;
  private readonly emitter = new TypedEmitter<ClientEvents>();
  private readonly watches = new ClientWatches(
    (event) => this.emitter.emit('watch', [event], this.report),
    (error) => this.report(error),
  );
  private readonly authInfo: AuthInfo[] = [];
  private readonly clock: Clock;

  /**
   * Creates a client and starts connecting; resolves once it is CONNECTED. Rejects (and closes the
   * client) when `wait.timeoutMs` passes (OPERATIONTIMEOUT), `wait.signal` aborts, or the session
   * ends first.
   */
  static async connect(options: MeshKeeperClientOptions, wait: WaitOptions = {}): Promise<MeshKeeperClient> {
    const client = new MeshKeeperClient(options);
    try {
      await client.waitForState('CONNECTED', wait);
      return client;
    } catch (error) {
      await client.close();
      throw error;
    }
  }

  /** Creates a client and starts connecting (BADARGUMENTS for bad options). */
  constructor(options: MeshKeeperClientOptions) {
    const resolved = resolveClientOptions(options);
    this.clock = resolved.clock;
    const watcher = resolved.watcher;
    if (watcher !== undefined) this.emitter.on('watch', (event) => callWatcher(watcher, event));
    this.session = new ClientSession(resolved, {
      stateChanged: (state, previous) => this.onStateChanged(state, previous),
      notification: (event) => this.watches.notification(event),
      priming: (relativeZxid) => this.priming(relativeZxid),
    });
    this.session.start();
  }

  // ---- session -----------------------------------------------------------------------------

  /** The connection state: CONNECTING, CONNECTED, DISCONNECTED, EXPIRED, CLOSED or AUTH_FAILED. */
  get state(): ClientStateName {
    return this.session.state;
  }

  /** The session id (0n until the first connection). */
  get sessionId(): bigint {
    return this.session.sessionId;
  }

  /** The session password (a copy; empty until the first connection). With sessionId it resumes the session elsewhere. */
  get sessionPassword(): Uint8Array {
    return this.session.password.slice();
  }

  /** The negotiated session timeout once connected; the requested one before. */
  get sessionTimeoutMs(): number {
    return this.session.timeoutMs;
  }

  /** The highest zxid this client has seen in a reply or watch event (it never decreases). */
  get lastZxidSeen(): bigint {
    return this.session.lastZxidSeen;
  }

  /** Adds a listener (`state`, `watch`, `error`); returns a function that removes it. */
  on<Name extends keyof ClientEvents>(name: Name, listener: (...args: ClientEvents[Name]) => void): () => void {
    return this.emitter.on(name, listener);
  }

  /** Adds a listener called once. */
  once<Name extends keyof ClientEvents>(name: Name, listener: (...args: ClientEvents[Name]) => void): () => void {
    return this.emitter.once(name, listener);
  }

  /** Removes a listener. */
  off<Name extends keyof ClientEvents>(name: Name, listener: (...args: ClientEvents[Name]) => void): void {
    this.emitter.off(name, listener);
  }

  /**
   * Resolves once the client is in `state` (or one of them). Rejects with SESSIONEXPIRED or
   * AUTHFAILED when the session ends first, OPERATIONTIMEOUT after `timeoutMs`, or the abort reason.
   */
  waitForState(state: ClientStateName | readonly ClientStateName[], options: WaitOptions = {}): Promise<ClientStateName> {
    const session = this.session;
    const source = {
      get state(): ClientStateName {
        return session.state;
      },
      clock: this.clock,
      onState: (listener: (state: ClientStateName) => void) => this.emitter.on('state', (next) => listener(next)),
    };
    return waitForState(source, state, options);
  }

  /**
   * Closes the session: the replica deletes its ephemerals and drops its watches, then the
   * connection closes. Requests already sent are answered first. State CLOSED; later calls fail
   * with SESSIONEXPIRED. Idempotent.
   */
  close(): Promise<void> {
    return this.session.close();
  }

  // ---- writes ------------------------------------------------------------------------------

  /**
   * Creates a znode and resolves with its actual path (a sequential mode appends the counter).
   * Data may be bytes or a string (UTF-8). Options: `mode` (a CreateMode), `ttlMs` (TTL modes), `acl`
   * (OPEN_ACL_UNSAFE by default). Errors: NODEEXISTS, NONODE (no parent), NOCHILDRENFOREPHEMERALS,
   * INVALIDACL, NOAUTH, BADARGUMENTS.
   */
  async create(path: string, data?: Data, options: CreateOptions = {}): Promise<string> {
    const op = createOp(path, data, options);
    validateWriteOp(op);
    return replyBody(await this.session.submit(op), 'create', path).path;
  }

  /** create, resolving with the actual path and the new node's Stat (ZooKeeper's create2). */
  async createWithStat(path: string, data?: Data, options: CreateOptions = {}): Promise<{ path: string; stat: Stat }> {
    const op = createOp(path, data, options);
    validateWriteOp(op);
    const body = replyBody(await this.session.submit({ ...op, type: 'create2' }), 'create', path);
    return { path: body.path, stat: body.stat };
  }

  /** Deletes a znode if its version is `version` (-1: any). Errors: NONODE, BADVERSION, NOTEMPTY, NOAUTH. */
  async delete(path: string, version = -1): Promise<void> {
    const op = { type: 'delete', path, version } as const;
    validateWriteOp(op);
    replyBody(await this.session.submit(op), 'delete', path);
  }

  /** Sets a znode's data if its version is `version` (-1: any); resolves with the new Stat. Errors: NONODE, BADVERSION, NOAUTH. */
  async setData(path: string, data: Data, version = -1): Promise<Stat> {
    const op = { type: 'setData', path, data: toBytes(data, path), version } as const;
    validateWriteOp(op);
    return replyBody(await this.session.submit(op), 'setData', path).stat;
  }

  /** Sets a znode's ACL if its aversion is `version` (-1: any); resolves with the new Stat. */
  async setACL(path: string, acl: readonly Acl[], version = -1): Promise<Stat> {
    checkAcl(acl, path);
    const op = { type: 'setACL', path, acl, version } as const;
    validateWriteOp(op);
    return replyBody(await this.session.submit(op), 'setACL', path).stat;
  }

  /**
   * Runs write ops (built with `Op`) as one transaction: all apply or none. Resolves with one result
   * per op; on failure rejects with a KeeperMultiError whose code is the failing op's and whose
   * `results` hold every op's ErrorResult. An empty list succeeds with [].
   */
  async multi(ops: readonly MultiOp[]): Promise<MultiResult[]> {
    if (!Array.isArray(ops)) throw new KeeperError('BADARGUMENTS', 'multi takes a list of ops');
    for (const op of ops as readonly { type?: unknown }[]) {
      if (op === null || typeof op !== 'object' || !['create', 'delete', 'setData', 'check'].includes(String(op.type))) {
        throw new KeeperError('BADARGUMENTS', 'multi takes create, delete, setData and check ops (see Op); reads go to multiRead');
      }
    }
    const body = { type: 'multi', ops: [...ops] } as const;
    validateWriteOp(body);
    return multiResults(body.ops, replyBody(await this.session.submit(body), 'multi').results);
  }

  /** A multi built op by op: `client.transaction().create(...).delete(...).commit()`. */
  transaction(): Transaction {
    return new Transaction(this);
  }

  // ---- reads -------------------------------------------------------------------------------

  /**
   * The Stat of a znode, or null when it does not exist. `watch` leaves a watch either way: on an
   * existing node it fires on NodeDataChanged or NodeDeleted, on a missing one on NodeCreated.
   */
  async exists(path: string, options: ReadOptions = {}): Promise<Stat | null> {
    checkReadPath(path);
    const watcher = resolveWatch(options.watch, this.watches.defaultWatcher);
    const hooks: RequestHooks = {
      reply: (reply) => {
        if (watcher === undefined || reply.err !== ErrorCode.OK || reply.body.type !== 'exists') return;
        this.watches.registry.add(reply.body.stat === null ? 'exist' : 'data', path, watcher);
      },
    };
    return replyBody(await this.session.submit({ type: 'exists', path, watch: watcher !== undefined }, hooks), 'exists', path).stat;
  }

  /** A znode's data and Stat. `watch` leaves a watch that fires on NodeDataChanged or NodeDeleted. Errors: NONODE, NOAUTH. */
  async getData(path: string, options: ReadOptions = {}): Promise<{ data: Uint8Array; stat: Stat }> {
    checkReadPath(path);
    const watcher = resolveWatch(options.watch, this.watches.defaultWatcher);
    const body = replyBody(
      await this.session.submit({ type: 'getData', path, watch: watcher !== undefined }, this.watches.registering('data', path, watcher)),
      'getData',
      path,
    );
    return { data: body.data, stat: body.stat };
  }

  /**
   * A znode's child names (unsorted, as ZooKeeper). With `stat: true`, also the node's Stat
   * (getChildren2). `watch` leaves a watch that fires on NodeChildrenChanged or NodeDeleted.
   */
  getChildren(path: string, options?: ReadOptions & { readonly stat?: false }): Promise<string[]>;
  getChildren(path: string, options: ReadOptions & { readonly stat: true }): Promise<{ children: string[]; stat: Stat }>;
  getChildren(path: string, options?: GetChildrenOptions): Promise<string[] | { children: string[]; stat: Stat }>;
  async getChildren(path: string, options: GetChildrenOptions = {}): Promise<string[] | { children: string[]; stat: Stat }> {
    checkReadPath(path);
    const watcher = resolveWatch(options.watch, this.watches.defaultWatcher);
    const request: RequestBody = { type: options.stat === true ? 'getChildren2' : 'getChildren', path, watch: watcher !== undefined };
    const body = replyBody(await this.session.submit(request, this.watches.registering('child', path, watcher)), 'getChildren', path);
    return options.stat === true ? { children: [...body.children], stat: body.stat } : [...body.children];
  }

  /** How many descendants a znode has (children, grandchildren, ...). */
  async getAllChildrenNumber(path: string): Promise<number> {
    checkReadPath(path);
    return replyBody(await this.session.submit({ type: 'getAllChildrenNumber', path }), 'getAllChildrenNumber', path).count;
  }

  /** The paths of this session's ephemeral znodes, those starting with `prefix` ('/' for all). */
  async getEphemerals(prefix = '/'): Promise<string[]> {
    checkReadPath(prefix);
    return [...replyBody(await this.session.submit({ type: 'getEphemerals', prefix }), 'getEphemerals', prefix).paths];
  }

  /** A znode's ACL and Stat. */
  async getACL(path: string): Promise<{ acl: Acl[]; stat: Stat }> {
    checkReadPath(path);
    const body = replyBody(await this.session.submit({ type: 'getACL', path }), 'getACL', path);
    return { acl: [...body.acl], stat: body.stat };
  }

  /**
   * Reads several znodes in one request (Op.getData, Op.getChildren). Resolves with one result per
   * op; an op that failed gives an ErrorResult instead of failing the call.
   */
  async multiRead(ops: readonly MultiReadOp[]): Promise<MultiReadResult[]> {
    if (!Array.isArray(ops)) throw new KeeperError('BADARGUMENTS', 'multiRead takes a list of ops');
    if (ops.length > MAX_MULTI_OPS) throw new KeeperError('BADARGUMENTS', `a multiRead holds at most ${MAX_MULTI_OPS} ops`);
    for (const op of ops as readonly { type?: unknown; path?: unknown }[]) {
      if (op === null || typeof op !== 'object' || (op.type !== 'getData' && op.type !== 'getChildren')) {
        throw new KeeperError('BADARGUMENTS', 'multiRead takes getData and getChildren ops (see Op)');
      }
      checkReadPath(op.path);
    }
    const copy = [...ops];
    return multiReadResults(copy, replyBody(await this.session.submit({ type: 'multiRead', ops: copy }), 'multiRead').results);
  }

  /** Waits until the replica this client is attached to has applied every write committed before the call. */
  async sync(path: string): Promise<void> {
    checkReadPath(path);
    replyBody(await this.session.submit({ type: 'sync', path }), 'sync', path);
  }

  // ---- watches -----------------------------------------------------------------------------

  /**
   * A watch that stays until removed: PERSISTENT fires for the node's data and child events,
   * PERSISTENT_RECURSIVE for the node and every descendant (never NodeChildrenChanged). The node
   * need not exist. Without a watcher, events go to the default watcher.
   */
  async addWatch(path: string, mode: AddWatchModeName | number, watcher?: Watcher): Promise<void> {
    checkReadPath(path);
    const modeName = resolveAddWatchMode(mode, path);
    if (watcher !== undefined && !isWatcher(watcher)) throw new KeeperError('BADARGUMENTS', 'watcher must be a Watcher', path);
    const target = watcher ?? this.watches.defaultWatcher;
    const kind = modeName === 'PERSISTENT' ? 'persistent' : 'persistentRecursive';
    replyBody(await this.session.submit({ type: 'addWatch', path, mode: modeName }, this.watches.registering(kind, path, target)), 'addWatch', path);
  }

  /**
   * Removes `watcher`'s watches of `type` on `path` (null: every watcher's). Each removed watcher
   * gets a DataWatchRemoved / ChildWatchRemoved / PersistentWatchRemoved event. NOWATCHER when there
   * is none. With `local`, the watches are removed even when the replica cannot be reached.
   */
  async removeWatches(path: string, watcher: Watcher | null, type: WatcherTypeName | number, local = false): Promise<void> {
    checkReadPath(path);
    const typeName = resolveWatcherType(type, path);
    if (watcher !== null && !isWatcher(watcher)) throw new KeeperError('BADARGUMENTS', 'watcher must be a Watcher or null', path);
    if (typeof local !== 'boolean') throw new KeeperError('BADARGUMENTS', 'local must be a boolean', path);
    const context = {
      registry: this.watches.registry,
      submit: (body: RequestBody, hooks: RequestHooks) => this.session.submit(body, hooks),
      deliver: (watchers: Iterable<Watcher>, event: WatchEvent) => this.watches.deliver(watchers, event),
    };
    await removeWatches(context, path, watcher, typeName, local);
  }

  /** Removes every watcher's watches of `type` on `path` (removeWatches with no watcher). */
  removeAllWatches(path: string, type: WatcherTypeName | number, local = false): Promise<void> {
    return this.removeWatches(path, null, type, local);
  }

  // ---- auth --------------------------------------------------------------------------------

  /**
   * Adds a credential to the session (e.g. 'digest', 'user:password'); it is re-sent after every
   * reconnect. A refused credential ends the client in AUTH_FAILED (rejects with AUTHFAILED).
   */
  async addAuthInfo(scheme: string, auth: Data): Promise<void> {
    if (typeof scheme !== 'string' || scheme.length === 0 || new TextEncoder().encode(scheme).length > MAX_ACL_ID_BYTES) {
      throw new KeeperError('BADARGUMENTS', `scheme must be a non-empty string of at most ${MAX_ACL_ID_BYTES} bytes`);
    }
    const bytes = toBytes(auth, '').slice();
    if (bytes.length > MAX_AUTH_BYTES) throw new KeeperError('BADARGUMENTS', `a credential holds at most ${MAX_AUTH_BYTES} bytes`);
    if (this.authInfo.length >= MAX_AUTH_INFOS) throw new KeeperError('BADARGUMENTS', `at most ${MAX_AUTH_INFOS} credentials`);
    const hooks: RequestHooks = {
      reply: (reply) => {
        if (reply.err === ErrorCode.OK && this.authInfo.length < MAX_AUTH_INFOS) this.authInfo.push({ scheme, auth: bytes });
      },
    };
    replyBody(await this.session.submit({ type: 'addAuthInfo', scheme, auth: bytes }, hooks), 'addAuthInfo');
  }

  /** The ids this session is authenticated as. */
  async whoAmI(): Promise<Id[]> {
    return [...replyBody(await this.session.submit({ type: 'whoAmI' }), 'whoAmI').ids];
  }

  // ---- internals ---------------------------------------------------------------------------

  private priming(relativeZxid: bigint): PrimingRequest[] {
    const auth: PrimingRequest[] = this.authInfo.map(({ scheme, auth }) => ({ body: { type: 'addAuthInfo', scheme, auth }, hooks: {} }));
    return [...auth, ...this.watches.setWatchesRequests(relativeZxid)];
  }

  private onStateChanged(state: ClientStateName, previous: ClientStateName): void {
    this.emitter.emit('state', [state, previous], this.report);
    this.watches.sessionState(state);
    if (isTerminalState(state)) this.authInfo.length = 0;
  }

  private readonly report = (error: unknown): void => {
    if (this.emitter.listenerCount('error') === 0) {
      console.error('meshkeeper: a watcher or listener threw', error);
      return;
    }
    this.emitter.emit('error', [error], (inner) => console.error('meshkeeper: an error listener threw', inner));
  };
}
