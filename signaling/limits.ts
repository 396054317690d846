/** Every bound the signaling server enforces, with its default. All are configurable. */

export interface SignalingLimits {
  /** Longest text frame handled; longer ones get a `message-too-large` error frame and are dropped. */
  readonly maxMessageBytes: number;
  /** Longest frame read at all; the socket is closed with 1009 beyond it (ws enforces this while reading). */
  readonly maxFrameBytes: number;
  /** Token bucket per socket: sustained messages per second... */
  readonly messagesPerSecond: number;
  /** ...and the burst it allows. */
  readonly messageBurst: number;
  /** Messages dropped by the rate limit, in total, before the socket is closed with 1008. */
  readonly maxDroppedMessagesPerSocket: number;
  /** Frames of one socket waiting behind an asynchronous one (a proof check) before `busy` drops them. */
  readonly maxQueuedFramesPerSocket: number;
  readonly maxPeersPerRoom: number;
  /** Founded rooms (founding records) the server keeps; new foundings beyond it are refused. */
  readonly maxRooms: number;
  /** Open WebSocket connections. */
  readonly maxConnections: number;
  /** `join` requests one socket may send in its lifetime (bounds online secret guessing per socket). */
  readonly maxJoinsPerSocket: number;
  /** Rooms one socket may be in at once. */
  readonly maxRoomsPerSocket: number;
  /** Bytes queued to a socket that does not read before it is dropped. */
  readonly maxBufferedBytes: number;
  /** Protocol-level ping period; a socket that did not answer the previous ping is terminated. */
  readonly pingIntervalMs: number;
  /** How long a closing socket may take to finish the close handshake before it is cut. */
  readonly closeGraceMs: number;
}

export const DEFAULT_SIGNALING_LIMITS: SignalingLimits = {
  maxMessageBytes: 64 * 1024,
  maxFrameBytes: 256 * 1024,
  messagesPerSecond: 20,
  messageBurst: 60,
  maxDroppedMessagesPerSocket: 200,
  maxQueuedFramesPerSocket: 64,
  maxPeersPerRoom: 64,
  maxRooms: 10_000,
  maxConnections: 5_000,
  maxJoinsPerSocket: 32,
  maxRoomsPerSocket: 4,
  maxBufferedBytes: 1024 * 1024,
  pingIntervalMs: 30_000,
  closeGraceMs: 1_000,
};

const LIMIT_NAMES = Object.keys(DEFAULT_SIGNALING_LIMITS) as (keyof SignalingLimits)[];

/** The defaults overridden by `overrides`; throws a RangeError naming the first bad value. */
export function resolveLimits(overrides: Partial<SignalingLimits> = {}): SignalingLimits {
  const limits: Record<keyof SignalingLimits, number> = { ...DEFAULT_SIGNALING_LIMITS };
  for (const name of Object.keys(overrides)) {
    if (!(LIMIT_NAMES as string[]).includes(name)) throw new RangeError(`unknown signaling limit ${name}`);
  }
  for (const name of LIMIT_NAMES) {
    const value = overrides[name];
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value <= 0) throw new RangeError(`signaling limit ${name} must be a positive number, got ${value}`);
    limits[name] = value;
  }
  if (limits.maxFrameBytes < limits.maxMessageBytes) {
    throw new RangeError('signaling limit maxFrameBytes must be at least maxMessageBytes');
  }
  return limits;
}

export function limitNames(): readonly (keyof SignalingLimits)[] {
  return LIMIT_NAMES;
}
