import type { ConnectionId } from '../../src/server/core-effects.js';
import type { ReplicaCore } from '../../src/server/replica-core.js';
import type {
  ConnectResponse,
  ReplicaFrame,
  RequestBody,
  ServerReply,
  WatchNotification,
} from '../../src/wire/client-message.js';

/** How a test client connects: a new session, or an existing one (to reconnect or move). */
export interface TestConnectOptions {
  readonly sessionId?: bigint;
  readonly password?: Uint8Array;
  readonly timeoutMs?: number;
  readonly lastZxidSeen?: bigint;
  readonly fateShared?: boolean;
}

/**
 * A minimal client for the core's tests: it speaks ConnectRequest/ClientRequest objects to one
 * ReplicaCore and records every frame the replica sends it, in order. Not the public client.
 */
export class TestClient {
  readonly frames: ReplicaFrame[] = [];
  closedReason: string | null = null;
  private nextXid = 1;

  constructor(
    readonly replica: string,
    readonly connectionId: ConnectionId,
    private readonly core: () => ReplicaCore,
    nextXid = 1,
  ) {
    this.nextXid = nextXid;
  }

  get closed(): boolean {
    return this.closedReason !== null;
  }

  get xidCounter(): number {
    return this.nextXid;
  }

  /** The ConnectResponse, once it came. */
  get connectResponse(): ConnectResponse | undefined {
    const frame = this.frames.find((f) => f.kind === 'connectResponse');
    return frame?.kind === 'connectResponse' ? frame.message : undefined;
  }

  get sessionId(): bigint {
    return this.connectResponse?.sessionId ?? 0n;
  }

  get password(): Uint8Array {
    return this.connectResponse?.password ?? new Uint8Array(16);
  }

  /** The highest zxid the replica reported to this client (its lastZxidSeen). */
  get lastZxid(): bigint {
    let last = 0n;
    for (const reply of this.replies()) if (reply.zxid > last) last = reply.zxid;
    return last;
  }

  receive(frame: ReplicaFrame): void {
    this.frames.push(frame);
  }

  send(body: RequestBody): number {
    const xid = this.nextXid++;
    this.core().clientRequest(this.connectionId, { xid, body });
    return xid;
  }

  replies(): ServerReply[] {
    const out: ServerReply[] = [];
    for (const frame of this.frames) if (frame.kind === 'reply') out.push(frame.message);
    return out;
  }

  reply(xid: number): ServerReply | undefined {
    return this.replies().find((reply) => reply.xid === xid);
  }

  events(): WatchNotification[] {
    const out: WatchNotification[] = [];
    for (const frame of this.frames) if (frame.kind === 'watchEvent') out.push(frame.message);
    return out;
  }

  /** The frames as short strings, for order checks: "reply:3", "event:NodeDataChanged:/a". */
  trace(): string[] {
    return this.frames.map((frame) => {
      if (frame.kind === 'reply') return `reply:${frame.message.xid}`;
      if (frame.kind === 'watchEvent') return `event:${frame.message.type}:${frame.message.path}`;
      return 'connected';
    });
  }
}
