/** The server's state for one WebSocket: its rooms, pending challenges, rate limit and frame queue. */
import { TokenBucket } from './token-bucket.js';

/** What the hub needs from a socket; server.ts adapts a `ws` WebSocket to it. */
export interface SocketPort {
  readonly bufferedAmount: number;
  send(text: string): void;
  /** Starts the close handshake; the port cuts the socket if the handshake does not finish in time. */
  close(code: number, reason: string): void;
  ping(): void;
  terminate(): void;
}

export interface PendingChallenge {
  readonly nonce: string;
  readonly peerId: string;
}

export class Connection {
  /** room -> this socket's peer id in it. */
  readonly rooms = new Map<string, string>();
  /** room -> the challenge sent for the socket's latest join of it. */
  readonly challenges = new Map<string, PendingChallenge>();
  readonly bucket: TokenBucket;
  joinsRequested = 0;
  droppedMessages = 0;
  rateLimitReported = false;
  queuedFrames = 0;
  queue: Promise<void> = Promise.resolve();
  /** Answered the last protocol ping. */
  alive = true;
  /** Being closed: no more frames are handled, nothing more is sent. */
  closing = false;

  constructor(
    readonly id: number,
    readonly port: SocketPort,
    readonly remoteAddress: string,
    bucket: { readonly ratePerSecond: number; readonly burst: number; readonly nowMs: number },
  ) {
    this.bucket = new TokenBucket(bucket.ratePerSecond, bucket.burst, bucket.nowMs);
  }
}
