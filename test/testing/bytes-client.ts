import type { ClientConnectionEnd } from '../../src/replica/client-connection.js';
import type { ConnectRequest, ConnectResponse, RequestBody, ServerReply, WatchNotification } from '../../src/wire/client-message.js';
import { decodeReplicaFrame, encodeClientFrame } from '../../src/wire/session-codec.js';

/**
 * A minimal test-only client over the bytes interface (encodes client frames, decodes replica
 * frames): one promise per request, watch events collected in order. Not the public client.
 */
export class BytesClient {
  readonly events: WatchNotification[] = [];
  /** Called after each watch event is recorded. */
  onEvent: (event: WatchNotification) => void = () => undefined;
  closeReason: string | null = null;
  response: ConnectResponse | null = null;
  private nextXid = 1;
  private readonly pending = new Map<number, { resolve: (reply: ServerReply) => void; reject: (error: Error) => void }>();
  private connected: { resolve: (response: ConnectResponse) => void; reject: (error: Error) => void } | null = null;

  private constructor(readonly end: ClientConnectionEnd) {
    end.onMessage((bytes) => {
      const frame = decodeReplicaFrame(bytes);
      if (frame.kind === 'connectResponse') {
        this.response = frame.message;
        this.connected?.resolve(frame.message);
      } else if (frame.kind === 'watchEvent') {
        this.events.push(frame.message);
        this.onEvent(frame.message);
      } else {
        const waiter = this.pending.get(frame.message.xid);
        this.pending.delete(frame.message.xid);
        waiter?.resolve(frame.message);
      }
    });
    end.onClose((reason) => {
      this.closeReason = reason;
      this.connected?.reject(new Error(`closed before connecting: ${reason}`));
      for (const waiter of this.pending.values()) waiter.reject(new Error(`closed: ${reason}`));
      this.pending.clear();
    });
  }

  static async connect(end: ClientConnectionEnd, request: Partial<ConnectRequest> = {}): Promise<BytesClient> {
    const client = new BytesClient(end);
    const connected = new Promise<ConnectResponse>((resolve, reject) => {
      client.connected = { resolve, reject };
    });
    end.send(
      encodeClientFrame({
        kind: 'connectRequest',
        message: {
          lastZxidSeen: request.lastZxidSeen ?? 0n,
          timeoutMs: request.timeoutMs ?? 10_000,
          sessionId: request.sessionId ?? 0n,
          password: request.password ?? new Uint8Array(16),
          readOnly: false,
        },
      }),
    );
    await connected;
    return client;
  }

  get sessionId(): bigint {
    return this.response?.sessionId ?? 0n;
  }

  request(body: RequestBody): Promise<ServerReply> {
    const xid = this.nextXid++;
    const reply = new Promise<ServerReply>((resolve, reject) => this.pending.set(xid, { resolve, reject }));
    this.end.send(encodeClientFrame({ kind: 'request', message: { xid, body } }));
    return reply;
  }

  close(): void {
    this.end.close('client closed');
  }
}
