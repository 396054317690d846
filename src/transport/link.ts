import type { ReplicaId } from '../consensus/types.js';

/**
 * A Link is what a replica talks to one peer replica through: a bidirectional, ordered, reliable
 * channel of binary frames. Every transport (memory, BroadcastChannel, WebRTC data channel, a
 * MessagePort bridge) produces Links; the replica only ever sees this interface.
 *
 * Loss is never silent: a frame is either delivered in order or the link closes, and a closed link
 * stays closed (the replica gets a new Link from its transport when the peer is reachable again;
 * Raft catches up over it).
 */

/** Where a link runs: tests and the simulator, tabs of one profile, a data channel, a port to the window. */
export type LinkKind = 'memory' | 'broadcast' | 'webrtc' | 'port';

/**
 * What `send` did with a frame. 'sent': accepted, the link will deliver it in order or close.
 * 'closed': not accepted, because the link was closed before the call or closed during it (for
 * instance its send buffer would have exceeded its bound: reason 'backpressure'); `closeReason` says why.
 */
export type SendResult = 'sent' | 'closed';

export type FrameListener = (frame: Uint8Array) => void;
export type CloseListener = (reason: string) => void;
export type Unsubscribe = () => void;

export interface Link {
  /** The replica at the other end. */
  readonly peer: ReplicaId;
  readonly kind: LinkKind;
  /**
   * The same string at both ends of one link (for example `<initiator>~<instance>~<n>`); the hub's
   * duplicate rule compares it, so both ends keep the same link when two appear for one pair.
   */
  readonly id: string;
  /** The largest frame `send` accepts and the largest frame this end accepts from the peer. */
  readonly maxFrameBytes: number;
  /**
   * Frames the link owns from now on: bytes queued by this end and not yet handed to the network
   * (0 for transports that hand frames over at once). Bounded by the link's buffer limit.
   */
  readonly bufferedBytes: number;
  readonly closed: boolean;
  /** Why the link closed, or undefined while it is open. */
  readonly closeReason: string | undefined;
  /**
   * Queues one frame. The link owns `frame` from now on: do not modify it, and do not read it
   * afterwards (a port link transfers its ArrayBuffer when the view spans all of it).
   * A frame larger than `maxFrameBytes` is a programmer error (the caller knows the limit) and throws.
   */
  send(frame: Uint8Array): SendResult;
  /** Closes this end and tells the peer (best effort); listeners hear `reason`. Idempotent. */
  close(reason?: string): void;
  /**
   * Frames in order. Frames that arrive before the first listener is attached are kept (bounded)
   * and handed to that listener. A listener that throws closes the link (reason 'listener failed: …').
   */
  onFrame(listener: FrameListener): Unsubscribe;
  /** Called once, when the link closes; called at once (synchronously) if it already has. */
  onClose(listener: CloseListener): Unsubscribe;
}

/** 4 MiB: the default largest frame (Raft's appends and snapshot chunks are split to fit it). */
export const DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024;

/** Close reasons the transports use; remote reasons arrive as `remote: <their reason>`. */
export const CloseReason = {
  local: 'closed',
  backpressure: 'backpressure',
  timeout: 'timeout',
  bye: 'bye',
  duplicate: 'duplicate',
  tooManyLinks: 'too many links',
  channelClosed: 'channel closed',
  peerRestarted: 'peer restarted',
  transportClosed: 'transport closed',
} as const;

/** The reason a link reports when the peer closed it and said why. */
export function remoteReason(reason: string): string {
  return `remote: ${reason}`;
}

/** The longest close reason sent to a peer; longer ones are cut (a reason is a diagnostic, not data). */
export const MAX_CLOSE_REASON_CHARS = 200;

export function clipReason(reason: string): string {
  return reason.length <= MAX_CLOSE_REASON_CHARS ? reason : `${reason.slice(0, MAX_CLOSE_REASON_CHARS - 1)}…`;
}
