import type { ConnectFn } from '../../src/client/connection.js';
import { ErrorCode, type ErrorCodeNumber } from '../../src/errors/error-code.js';
import { isKeeperError } from '../../src/errors/keeper-error.js';
import { generateDigest, type Id } from '../../src/tree/acl.js';
import { DataTree } from '../../src/tree/data-tree.js';
import type { ReadOp, WriteOp } from '../../src/tree/op.js';
import type { OpResult, ReadResult } from '../../src/tree/op-result.js';
import { PendingChanges } from '../../src/tree/pending-changes.js';
import { prep, prepCloseSession } from '../../src/tree/prep.js';
import type { Txn, TxnHeader } from '../../src/tree/txn.js';
import type { WatchTrigger } from '../../src/tree/watch-event.js';
import { WatchManager } from '../../src/watch/watch-manager.js';
import type {
  ClientRequest,
  ConnectRequest,
  ReplicaFrame,
  ReplyBody,
  RequestBody,
} from '../../src/wire/client-message.js';
import { decodeClientFrame, encodeReplicaFrame } from '../../src/wire/session-codec.js';
import { createConnectionPair, type MemoryEnd } from './connection-pair.js';

interface SessionRecord {
  readonly password: string;
  readonly timeoutMs: number;
  readonly authIds: Id[];
  /** The connection the session is attached to, if any. */
  connection: TreeConnection | undefined;
}

const hex = (bytes: Uint8Array): string => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');

/**
 * A small in-test ensemble: one real DataTree (src/tree: prep + apply) served by `frontEnds`
 * replicas, each with its own real WatchManager (src/watch) and client connections, answering the
 * client's frames (decoded with src/wire) as a replica would: watch events before the reply of the
 * txn that fired them, setWatches on reconnect, expiry as a ConnectResponse with timeout 0.
 * No consensus: every write applies at once.
 */
export class TreeEnsemble {
  readonly tree = new DataTree();
  readonly changes = new PendingChanges(this.tree);
  readonly sessions = new Map<bigint, SessionRecord>();
  readonly frontEnds: FrontEnd[];
  /** Every request any client sent, in arrival order (for asserting what went over the wire). */
  readonly requests: { frontEnd: number; sessionId: bigint; request: ClientRequest }[] = [];
  readonly connects: { frontEnd: number; request: ConnectRequest }[] = [];
  private zxid = 0n;
  private nextSessionId = 0x1000n;
  private timeMs = 1_000_000;

  constructor(frontEnds = 1) {
    this.frontEnds = Array.from({ length: frontEnds }, (_, index) => new FrontEnd(this, index));
    this.zxid = this.tree.lastZxid;
  }

  endpoint(index: number): ConnectFn {
    const front = this.frontEnds[index];
    if (front === undefined) throw new Error(`no front end ${index}`);
    return () => front.open();
  }

  endpoints(): ConnectFn[] {
    return this.frontEnds.map((_, i) => this.endpoint(i));
  }

  /** A write as the leader would do it: prep, apply, fire watches on every front end. */
  write(op: WriteOp, sessionId: bigint, authIds: readonly Id[]): OpResult {
    const header = this.nextHeader(sessionId);
    const txn = prep(op, { sessionId, authIds, zxid: header.zxid, timeMs: header.timeMs }, this.changes);
    return this.apply(header, txn);
  }

  /** Ends a session as the leader would (closed or expired): its ephemerals go, their watches fire. */
  endSession(sessionId: bigint, acknowledge?: () => void): void {
    const header = this.nextHeader(sessionId);
    const txn = prepCloseSession(sessionId, header.zxid, this.changes);
    this.apply(header, txn);
    acknowledge?.();
    const record = this.sessions.get(sessionId);
    this.sessions.delete(sessionId);
    for (const front of this.frontEnds) front.watches.removeAllWatches(sessionId);
    record?.connection?.close('session ended');
  }

  /** A write made by someone else (another client), with no session of ours. */
  externalWrite(op: WriteOp): OpResult {
    return this.write(op, 0x7777n, []);
  }

  newSession(timeoutMs: number, password: Uint8Array): bigint {
    const id = this.nextSessionId++;
    this.sessions.set(id, { password: hex(password), timeoutMs, authIds: [], connection: undefined });
    return id;
  }

  checkPassword(sessionId: bigint, password: Uint8Array): SessionRecord | undefined {
    const record = this.sessions.get(sessionId);
    return record !== undefined && record.password === hex(password) ? record : undefined;
  }

  get lastZxid(): bigint {
    return this.tree.lastZxid;
  }

  private nextHeader(sessionId: bigint): TxnHeader {
    this.zxid += 1n;
    this.timeMs += 1;
    return { sessionId, cxid: 0, zxid: this.zxid, timeMs: this.timeMs };
  }

  private apply(header: TxnHeader, txn: Txn): OpResult {
    const outcome = this.tree.apply(header, txn);
    this.changes.applied(header.zxid);
    this.fire(outcome.triggers, header.zxid);
    return outcome.result;
  }

  private fire(triggers: readonly WatchTrigger[], zxid: bigint): void {
    for (const front of this.frontEnds) {
      for (const delivery of front.watches.trigger(triggers, zxid)) {
        const connection = this.sessions.get(delivery.watcher)?.connection;
        if (connection?.front === front) connection.send({ kind: 'watchEvent', message: { ...delivery.event, state: 'SyncConnected' } });
      }
    }
  }
}

/** One replica of the ensemble: its own watches and connections. */
export class FrontEnd {
  readonly watches = new WatchManager();
  readonly connections = new Set<TreeConnection>();
  /** Refuse new connections (the replica is unreachable). */
  down = false;
  /** Read connect requests but never answer them. */
  silent = false;
  /** Read requests but never answer them (a stuck replica). */
  stalled = false;

  constructor(
    readonly ensemble: TreeEnsemble,
    readonly index: number,
  ) {}

  async open(): Promise<MemoryEnd> {
    if (this.down) throw new Error(`replica ${this.index} is down`);
    const [client, replica] = createConnectionPair();
    this.connections.add(new TreeConnection(this, replica));
    return client;
  }

  /** Closes every client connection (the replica lost the leader, or restarted). */
  dropAll(reason = 'leader changed'): void {
    for (const connection of [...this.connections]) connection.close(reason);
  }
}

class TreeConnection {
  sessionId = 0n;

  constructor(
    readonly front: FrontEnd,
    private readonly end: MemoryEnd,
  ) {
    end.onMessage((bytes) => this.onBytes(bytes));
    end.onClose(() => this.closed());
  }

  send(frame: ReplicaFrame): void {
    this.end.send(encodeReplicaFrame(frame));
  }

  close(reason: string): void {
    this.end.close(reason);
    this.closed();
  }

  private closed(): void {
    this.front.connections.delete(this);
    const record = this.front.ensemble.sessions.get(this.sessionId);
    if (record?.connection === this) {
      record.connection = undefined;
      this.front.watches.removeAllWatches(this.sessionId);
    }
  }

  private onBytes(bytes: Uint8Array): void {
    const frame = decodeClientFrame(bytes);
    if (frame.kind === 'connectRequest') {
      this.front.ensemble.connects.push({ frontEnd: this.front.index, request: frame.message });
      if (!this.front.silent) this.connect(frame.message);
      return;
    }
    this.front.ensemble.requests.push({ frontEnd: this.front.index, sessionId: this.sessionId, request: frame.message });
    if (this.front.stalled && frame.message.body.type !== 'ping') return;
    this.answer(frame.message);
  }

  private connect(request: ConnectRequest): void {
    const ensemble = this.front.ensemble;
    let sessionId = request.sessionId;
    let password = request.password;
    if (sessionId === 0n) {
      password = new Uint8Array(16).map((_, i) => (i * 7 + Number(ensemble.sessions.size)) & 0xff);
      sessionId = ensemble.newSession(request.timeoutMs, password);
    }
    const record = ensemble.checkPassword(sessionId, password);
    if (record === undefined) {
      this.send({ kind: 'connectResponse', message: { timeoutMs: 0, sessionId: 0n, password: new Uint8Array(0), readOnly: false } });
      return;
    }
    const previous = record.connection;
    record.connection = this;
    this.sessionId = sessionId;
    if (previous !== undefined && previous !== this) previous.close('session moved');
    this.send({ kind: 'connectResponse', message: { timeoutMs: record.timeoutMs, sessionId, password, readOnly: false } });
  }

  private reply(xid: number, body: ReplyBody): void {
    this.send({ kind: 'reply', message: { xid, zxid: this.front.ensemble.lastZxid, err: ErrorCode.OK, body } });
  }

  private fail(xid: number, err: ErrorCodeNumber): void {
    this.send({ kind: 'reply', message: { xid, zxid: this.front.ensemble.lastZxid, err, body: { type: 'error', code: err } } });
  }

  private answerResult(xid: number, result: OpResult | ReadResult): void {
    if (result.type === 'error') this.fail(xid, result.code);
    else this.reply(xid, result);
  }

  private answer({ xid, body }: ClientRequest): void {
    const ensemble = this.front.ensemble;
    const record = ensemble.sessions.get(this.sessionId);
    if (record === undefined || record.connection !== this) {
      this.fail(xid, ErrorCode.SESSIONEXPIRED);
      return;
    }
    const sid = this.sessionId;
    try {
      this.answerBody(xid, body, sid, record);
    } catch (error) {
      if (!isKeeperError(error)) throw error;
      this.fail(xid, error.code);
    }
  }

  private read(op: ReadOp, record: SessionRecord): ReadResult {
    return this.front.ensemble.tree.read(op, this.sessionId, record.authIds);
  }

  private answerBody(xid: number, body: RequestBody, sid: bigint, record: SessionRecord): void {
    const ensemble = this.front.ensemble;
    const watches = this.front.watches;
    switch (body.type) {
      case 'ping':
        return this.reply(xid, { type: 'ping' });
      case 'exists':
      case 'getData':
      case 'getChildren':
      case 'getChildren2': {
        const opType = body.type === 'getChildren2' ? 'getChildren' : body.type;
        const result = this.read({ type: opType, path: body.path }, record);
        if (body.watch && result.type !== 'error') {
          watches.registerForRead(sid, opType, body.path, ensemble.tree.exists(body.path) !== null);
        }
        return this.answerResult(xid, result);
      }
      case 'getAllChildrenNumber':
      case 'getEphemerals':
      case 'getACL':
        return this.answerResult(xid, this.read(body, record));
      case 'multiRead':
        return this.reply(xid, { type: 'multiRead', results: body.ops.map((op) => this.read(op, record)) });
      case 'sync':
        return this.reply(xid, { type: 'sync', path: body.path });
      case 'create':
      case 'create2':
      case 'delete':
      case 'setData':
      case 'setACL':
      case 'check':
      case 'multi': {
        const op: WriteOp = body.type === 'create2' ? { ...body, type: 'create' } : body;
        return this.answerResult(xid, ensemble.write(op, sid, record.authIds));
      }
      case 'addWatch':
        watches.addWatch(sid, body.path, body.mode);
        return this.reply(xid, { type: 'addWatch' });
      case 'removeWatches':
        watches.removeWatches(sid, body.path, body.watcherType);
        return this.reply(xid, { type: 'removeWatches' });
      case 'setWatches': {
        const deliveries = watches.setWatches(sid, body.relativeZxid, body, { stat: (path) => ensemble.tree.exists(path) });
        for (const delivery of deliveries) this.send({ kind: 'watchEvent', message: { ...delivery.event, state: 'SyncConnected' } });
        return this.reply(xid, { type: 'setWatches' });
      }
      case 'addAuthInfo': {
        if (body.scheme !== 'digest') return this.fail(xid, ErrorCode.AUTHFAILED);
        const id: Id = { scheme: 'digest', id: generateDigest(new TextDecoder().decode(body.auth)) };
        if (!record.authIds.some((known) => known.id === id.id)) record.authIds.push(id);
        return this.reply(xid, { type: 'addAuthInfo' });
      }
      case 'whoAmI':
        return this.reply(xid, { type: 'whoAmI', ids: record.authIds });
      case 'closeSession':
        ensemble.endSession(sid, () => this.reply(xid, { type: 'closeSession' }));
        return;
    }
  }
}
