import type { ConnectFn } from '../../src/client/connection.js';
import { KeeperError } from '../../src/errors/keeper-error.js';
import { ErrorCode, type ErrorCodeNumber } from '../../src/errors/error-code.js';
import type {
  ClientFrame,
  ClientRequest,
  ConnectRequest,
  ReplyBody,
  WatchNotification,
} from '../../src/wire/client-message.js';
import { decodeClientFrame, encodeReplicaFrame } from '../../src/wire/session-codec.js';
import { createConnectionPair, type MemoryEnd } from './connection-pair.js';

/** Lets queued microtasks (frame deliveries, promise jobs) run. */
export async function flush(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

/**
 * The replica end of one client connection, driven by a test: it decodes what the client sends
 * with src/wire and answers with whatever the test scripts.
 */
export class ScriptedConnection {
  readonly frames: ClientFrame[] = [];
  private waiters: (() => void)[] = [];
  private read = 0;

  constructor(readonly end: MemoryEnd) {
    end.onMessage((bytes) => {
      this.frames.push(decodeClientFrame(bytes));
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  get closed(): boolean {
    return this.end.closed;
  }

  /** The next frame the client sent (pings skipped unless `withPings`). */
  async next(withPings = false): Promise<ClientFrame> {
    for (;;) {
      while (this.read < this.frames.length) {
        const frame = this.frames[this.read++] as ClientFrame;
        if (!withPings && frame.kind === 'request' && frame.message.body.type === 'ping') continue;
        return frame;
      }
      if (this.closed) throw new Error('the connection closed');
      await new Promise<void>((wake) => this.waiters.push(wake));
    }
  }

  /** The next frame, which must be a connectRequest. */
  async connectRequest(): Promise<ConnectRequest> {
    const frame = await this.next();
    if (frame.kind !== 'connectRequest') throw new Error(`expected a connectRequest, got a ${frame.kind}`);
    return frame.message;
  }

  /** The next frame, which must be a request (not a ping). */
  async request(): Promise<ClientRequest> {
    const frame = await this.next();
    if (frame.kind !== 'request') throw new Error(`expected a request, got a ${frame.kind}`);
    return frame.message;
  }

  /** Every ping sent so far. */
  pings(): number {
    return this.frames.filter((f) => f.kind === 'request' && f.message.body.type === 'ping').length;
  }

  accept(sessionId = 0x100n, timeoutMs = 30_000, password = new Uint8Array([1, 2, 3, 4])): void {
    this.end.send(encodeReplicaFrame({ kind: 'connectResponse', message: { timeoutMs, sessionId, password, readOnly: false } }));
  }

  /** The answer a replica gives a session it does not know (or a wrong password): timeout 0. */
  expire(): void {
    this.end.send(
      encodeReplicaFrame({ kind: 'connectResponse', message: { timeoutMs: 0, sessionId: 0n, password: new Uint8Array(0), readOnly: false } }),
    );
  }

  reply(xid: number, body: ReplyBody, zxid = 0n): void {
    this.end.send(encodeReplicaFrame({ kind: 'reply', message: { xid, zxid, err: ErrorCode.OK, body } }));
  }

  fail(xid: number, err: ErrorCodeNumber, zxid = 0n): void {
    this.end.send(encodeReplicaFrame({ kind: 'reply', message: { xid, zxid, err, body: { type: 'error', code: err } } }));
  }

  event(event: Omit<WatchNotification, 'state'> & { state?: WatchNotification['state'] }): void {
    this.end.send(encodeReplicaFrame({ kind: 'watchEvent', message: { state: 'SyncConnected', ...event } }));
  }

  raw(bytes: Uint8Array): void {
    this.end.send(bytes);
  }

  close(reason = 'replica closed'): void {
    this.end.close(reason);
  }
}

/**
 * Endpoints whose replica ends a test drives. `endpoint(i)` is a ConnectFn; `refuse(i)` makes it
 * reject; each successful connect shows up in `connections` and `nextConnection()`.
 */
export class ScriptedReplicas {
  readonly connections: { index: number; connection: ScriptedConnection }[] = [];
  readonly attempts: number[] = [];
  private readonly refused = new Set<number>();
  private waiters: (() => void)[] = [];
  private taken = 0;

  endpoint(index: number): ConnectFn {
    return async () => {
      this.attempts.push(index);
      if (this.refused.has(index)) throw new KeeperError('CONNECTIONLOSS', `replica ${index} is down`);
      const [client, replica] = createConnectionPair();
      this.connections.push({ index, connection: new ScriptedConnection(replica) });
      for (const wake of this.waiters.splice(0)) wake();
      return client;
    };
  }

  endpoints(count: number): ConnectFn[] {
    return Array.from({ length: count }, (_, i) => this.endpoint(i));
  }

  refuse(index: number): void {
    this.refused.add(index);
  }

  admit(index: number): void {
    this.refused.delete(index);
  }

  /** The next connection a client opened (in order), with the endpoint index it went to. */
  async nextConnection(): Promise<{ index: number; connection: ScriptedConnection }> {
    while (this.taken >= this.connections.length) await new Promise<void>((wake) => this.waiters.push(wake));
    return this.connections[this.taken++] as { index: number; connection: ScriptedConnection };
  }
}
