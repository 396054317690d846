import type { SessionRecord } from '../session/session-record.js';
import { sha1 } from '../tree/sha1.js';
import type { CreateSessionTxn, MoveSessionTxn, Txn, TxnHeader } from '../tree/txn.js';
import { sameBytes } from '../util/same-bytes.js';
import type { ConnectRequest } from '../wire/client-message.js';
import type { ClientConnection } from './client-connection.js';
import type { CoreState } from './core-state.js';
import type { Forwarder } from './forwarder.js';

/** ZooKeeper's session passwords are 16 bytes. */
const PASSWORD_BYTES = 16;
const MAX_CONNECT_NUMBER = 0x7fff_ffff;

/** What the connect manager needs from the core. */
export interface ConnectHooks {
  /** The session is attached to the connection: answer the ConnectResponse and start its queue. */
  attach(connection: ClientConnection, record: Pick<SessionRecord, 'sessionId' | 'timeoutMs'>, password: Uint8Array): void;
  close(connection: ClientConnection, reason: string): void;
}

/**
 * Sessions at the door (DESIGN.md, "Sessions"): a connect waits until this replica has applied the
 * client's lastZxidSeen (and a leader is known when it needs one), bounded by connectWaitMs; a new
 * session is a forwarded createSession, a known session with the right password at another replica
 * a forwarded moveSession, one owned here is re-attached at once. A session this replica does not
 * know is also a forwarded moveSession: the leader answers it with an error txn if the session does
 * not exist (ZooKeeper's follower revalidates with its leader the same way). A wrong password is
 * answered "expired" (timeout 0), as ZooKeeper does.
 */
export class ConnectManager {
  private nextNumber: number;
  private readonly waiting = new Set<ClientConnection>();
  private readonly forwarded = new Map<number, ClientConnection>();

  constructor(
    private readonly state: CoreState,
    private readonly forwarder: Forwarder,
    private readonly hooks: ConnectHooks,
  ) {
    // A random start: a txn forwarded before a restart cannot match a connect made after it.
    this.nextNumber = 1 + state.prng.nextInt(MAX_CONNECT_NUMBER - 1);
  }

  get pendingCount(): number {
    return this.waiting.size + this.forwarded.size;
  }

  connect(connection: ClientConnection, request: ConnectRequest): void {
    connection.phase = 'connecting';
    connection.connect = request;
    connection.connectMs = this.state.nowMs;
    this.waiting.add(connection);
    this.progress(connection);
  }

  /** Moves every waiting connect on (after an apply, when a leader became known). */
  progressAll(): void {
    for (const connection of [...this.waiting]) this.progress(connection);
  }

  /** Closes the connects that waited longer than connectWaitMs. */
  expireWaits(): void {
    const limit = this.state.options.connectWaitMs;
    for (const connection of [...this.waiting]) {
      if (this.state.nowMs - connection.connectMs <= limit) continue;
      const request = connection.connect as ConnectRequest;
      const reason =
        this.state.tree.lastZxid < request.lastZxidSeen
          ? `this replica has applied zxid 0x${this.state.tree.lastZxid.toString(16)}, behind the client's 0x${request.lastZxidSeen.toString(16)}: try another replica`
          : 'no leader: try another replica';
      this.hooks.close(connection, reason);
    }
  }

  /** A txn was applied: it may complete (or refuse) a connect forwarded from here. */
  txnApplied(header: TxnHeader, txn: Txn): void {
    if (this.forwarded.size === 0) return;
    const connection = this.forwarded.get(header.cxid);
    if (connection === undefined) return;
    if (txn.type === 'createSession') this.created(connection, header, txn);
    else if (txn.type === 'moveSession') this.moved(connection, header, txn);
    else if (txn.type === 'error' && connection.connect?.sessionId === header.sessionId && header.sessionId !== 0n) {
      this.finish(connection);
      this.expired(connection);
    }
  }

  /** The leader changed (or refused): forwarded connects have an unknown outcome; the client retries. */
  failForwarded(reason: string, connectNumbers?: ReadonlySet<number>): void {
    for (const [number, connection] of [...this.forwarded]) {
      if (connectNumbers !== undefined && !connectNumbers.has(number)) continue;
      this.finish(connection);
      this.hooks.close(connection, reason);
    }
  }

  removed(connection: ClientConnection): void {
    this.waiting.delete(connection);
    if (connection.connectNumber !== 0 && this.forwarded.get(connection.connectNumber) === connection) {
      this.forwarded.delete(connection.connectNumber);
      this.forwarder.answered();
    }
  }

  private progress(connection: ClientConnection): void {
    const request = connection.connect as ConnectRequest;
    if (this.state.tree.lastZxid < request.lastZxidSeen) return;
    if (request.sessionId === 0n) {
      if (!this.forwarder.leaderReachable()) return;
      const password = new Uint8Array(PASSWORD_BYTES);
      for (let i = 0; i < PASSWORD_BYTES; i++) password[i] = this.state.prng.nextInt(256);
      connection.password = password;
      this.send(connection, 0n, {
        type: 'createSession',
        timeoutMs: request.timeoutMs,
        passwordDigest: sha1(password),
        fateShared: connection.fateShared,
      });
      return;
    }
    const passwordDigest = sha1(request.password);
    const record = this.state.sessions.get(request.sessionId);
    if (record !== undefined && !sameBytes(passwordDigest, record.passwordDigest)) {
      this.waiting.delete(connection);
      this.expired(connection);
      return;
    }
    // Like a ZooKeeper follower that lost its leader, a replica cut off from the leader takes no
    // connects, not even of sessions it owns: it would serve reads it cannot vouch for and drop the
    // connection again once leaderlessGraceMs passed (a reconnect loop, found by the recipes' tests).
    if (!this.forwarder.leaderReachable()) return;
    if (record !== undefined && record.ownerReplica === this.state.id) {
      this.waiting.delete(connection);
      this.hooks.attach(connection, record, request.password);
      return;
    }
    // Known here and owned elsewhere, or not known here: this replica may not have applied the
    // session's creation yet (the client's lastZxidSeen can predate it), so only the leader can
    // say "expired". It answers with a moveSession or an error txn; the reply waits for its apply.
    connection.password = request.password;
    this.send(connection, request.sessionId, { type: 'moveSession', passwordDigest });
  }

  private send(connection: ClientConnection, sessionId: bigint, op: Parameters<Forwarder['forward']>[0]['op']): void {
    this.waiting.delete(connection);
    const number = this.nextNumber;
    this.nextNumber = number >= MAX_CONNECT_NUMBER ? 1 : number + 1;
    connection.connectNumber = number;
    this.forwarded.set(number, connection);
    this.forwarder.forward({ sessionId, cxid: number, authIds: [], op });
  }

  private created(connection: ClientConnection, header: TxnHeader, txn: CreateSessionTxn): void {
    const password = connection.password;
    if (txn.ownerReplica !== this.state.id || password === null || !sameBytes(sha1(password), txn.passwordDigest)) return;
    this.finish(connection);
    this.hooks.attach(connection, { sessionId: header.sessionId, timeoutMs: txn.timeoutMs }, password);
  }

  private moved(connection: ClientConnection, header: TxnHeader, txn: MoveSessionTxn): void {
    const password = connection.password;
    if (txn.ownerReplica !== this.state.id || password === null || connection.connect?.sessionId !== header.sessionId) return;
    const record = this.state.sessions.get(header.sessionId);
    if (record === undefined) return;
    this.finish(connection);
    this.hooks.attach(connection, record, password);
  }

  private finish(connection: ClientConnection): void {
    this.forwarded.delete(connection.connectNumber);
    connection.connectNumber = 0;
    this.forwarder.answered();
  }

  /** ZooKeeper's answer to a session it does not know (or a wrong password): timeout 0, then close. */
  private expired(connection: ClientConnection): void {
    const message = { timeoutMs: 0, sessionId: 0n, password: new Uint8Array(PASSWORD_BYTES), readOnly: false };
    this.state.effects.client(connection.id, { kind: 'connectResponse', message });
    this.hooks.close(connection, 'session expired');
  }
}
