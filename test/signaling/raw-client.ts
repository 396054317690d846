/**
 * A bare protocol client over a real `ws` socket, for tests that speak the wire directly (legitimate
 * peers, and hostile ones that break the rules on purpose). Not a test file itself.
 */
import { WebSocket, type ClientOptions } from 'ws';
import { proveJoin, type RoomKeys } from '../../src/transport/room-crypto.js';
import { parseServerMessage, type ServerMessage } from '../../src/transport/signaling-protocol.js';

const WAIT_MS = 10_000;

type Predicate = (message: ServerMessage) => boolean;

export class RawClient {
  /** Every frame received, in order (unparseable ones as `undefined`). */
  readonly frames: (ServerMessage | undefined)[] = [];
  readonly texts: string[] = [];
  readonly closed: Promise<{ readonly code: number; readonly reason: string }>;
  /** Frames not yet taken by next(). */
  private readonly pending: ServerMessage[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(readonly socket: WebSocket) {
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const wake of this.waiters) wake();
      });
    });
    socket.on('error', () => undefined);
    socket.on('message', (data, isBinary) => {
      const text = isBinary ? '' : data.toString();
      this.texts.push(text);
      const parsed = parseServerMessage(text);
      this.frames.push(parsed.ok ? parsed.message : undefined);
      if (parsed.ok) this.pending.push(parsed.message);
      for (const wake of this.waiters) wake();
    });
  }

  static open(url: string, options: ClientOptions = {}): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, options);
      const client = new RawClient(socket);
      socket.once('open', () => resolve(client));
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
    });
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  send(message: object | string): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The first not-yet-taken frame matching `predicate` (frames before it stay available). */
  next(predicate: Predicate, what = 'a frame'): Promise<ServerMessage> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const index = this.pending.findIndex(predicate);
        if (index < 0) return false;
        const [frame] = this.pending.splice(index, 1);
        resolve(frame as ServerMessage);
        return true;
      };
      if (check()) return;
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.pending)}`));
      }, WAIT_MS);
      const wake = (): void => {
        if (check()) {
          clearTimeout(timer);
          this.waiters.delete(wake);
        } else if (this.socket.readyState === WebSocket.CLOSED) {
          clearTimeout(timer);
          this.waiters.delete(wake);
          reject(new Error(`socket closed while waiting for ${what}`));
        }
      };
      this.waiters.add(wake);
    });
  }

  nextOfType<T extends ServerMessage['type']>(type: T, extra: Predicate = () => true): Promise<Extract<ServerMessage, { type: T }>> {
    return this.next((message) => message.type === type && extra(message), type) as Promise<Extract<ServerMessage, { type: T }>>;
  }

  /** Joins with the room keys: answers the challenge (founding the room with `ensembleId` if unfounded). */
  async join(keys: RoomKeys, peerId: string, ensembleId = 'ensemble-test'): Promise<ServerMessage> {
    this.send({ type: 'join', room: keys.room, peerId });
    const challenge = await this.next(
      (message) => (message.type === 'challenge' || message.type === 'error') && message.room === keys.room,
      'challenge',
    );
    if (challenge.type !== 'challenge') return challenge;
    const proof = await proveJoin(keys, challenge.nonce, peerId);
    if (challenge.founded) this.send({ type: 'prove', room: keys.room, proof });
    else this.send({ type: 'found', room: keys.room, ensembleId, verifier: keys.verifier, proof });
    return this.next((message) => (message.type === 'joined' || message.type === 'error') && message.room === keys.room, 'joined or error');
  }

  close(): Promise<unknown> {
    if (this.socket.readyState !== WebSocket.CLOSED) this.socket.close();
    return this.closed;
  }

  /** Drops the TCP connection without a close handshake. */
  terminate(): Promise<unknown> {
    this.socket.terminate();
    return this.closed;
  }
}

/** Resolves once `condition` holds, checking after each macrotask; fails after a deadline. */
export async function eventually(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
