/** What a SignalingClient is configured with, and how it treats each server error. */
import type { RoomKeys } from './room-crypto.js';
import type { SignalingErrorCode } from './signaling-protocol.js';
import type { SignalingSocketConstructor } from './signaling-socket.js';

export interface SignalingClientCommonOptions {
  /** ws:// or wss:// address of the signaling server. */
  readonly url: string;
  /** The WebSocket constructor: the browser's `WebSocket`, or `WebSocket` from the `ws` package. */
  readonly WebSocket: SignalingSocketConstructor;
  readonly room: string;
  readonly peerId: string;
  /** The ensemble to register if this client founds the room (ignored when the room exists). */
  readonly ensembleId: string;
  /** First reconnect delay (default 250 ms); doubles per failed attempt up to `reconnectMaxDelayMs`. */
  readonly reconnectInitialDelayMs?: number;
  /** Longest reconnect delay (default 30 s). */
  readonly reconnectMaxDelayMs?: number;
  /** Application-level ping period; a socket silent for two periods is dropped (default 20 s, 0 = off). */
  readonly heartbeatIntervalMs?: number;
  /** Jitter source in [0, 1) (default Math.random). */
  readonly random?: () => number;
}

export type SignalingClientOptions = SignalingClientCommonOptions &
  (
    | { readonly secret: string; readonly pbkdf2Iterations?: number }
    /** Keys derived beforehand with deriveRoomKeys (for the same room). */
    | { readonly keys: RoomKeys }
  );

/** Server errors after which retrying cannot help. */
export const FATAL_SIGNALING_ERRORS: ReadonlySet<SignalingErrorCode> = new Set(['auth-failed', 'peer-replaced']);
/** Server errors that end this join attempt: drop the socket, back off, join again. */
export const RETRYABLE_SIGNALING_ERRORS: ReadonlySet<SignalingErrorCode> = new Set([
  'server-full',
  'room-limit',
  'room-full',
  'socket-room-limit',
  'join-limit',
  'no-challenge',
  'not-founded',
  'founding-failed',
  'already-joined',
  'backpressure',
  'shutting-down',
]);
