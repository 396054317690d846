import type { ReplicaId } from '../consensus/types.js';
import type { DataChannelLike } from './backpressure.js';
import type { Link } from './link.js';
import { pipeLinks } from './link-pipe.js';
import { createPortLink, type PortLike } from './port-link.js';
import { createWebRtcLink, type WebRtcLinkOptions } from './webrtc-link.js';

/**
 * Moving the replica's data channel from the window (where simple-peer made it) to the worker (where
 * the replica runs). Chromium transfers a fresh RTCDataChannel to a worker; where that fails
 * (DataCloneError: a browser without transferable data channels), the window keeps the channel
 * behind a WebRTC link and bridges it to the worker through a MessageChannel (a port link).
 * The worker turns either message into a Link with `linkFromHandoff`.
 *
 *   { type: 'meshkeeper:channel', link: LinkDescription, channel: RTCDataChannel }   transferred
 *   { type: 'meshkeeper:port', link: LinkDescription, port: MessagePort }            bridged
 */

/** What the worker needs to know about the link besides the channel. */
export interface LinkDescription {
  readonly peer: ReplicaId;
  /** Shared by both ends (the connection id from signaling). */
  readonly id: string;
  readonly maxFrameBytes?: number;
  readonly chunkBytes?: number;
}

export const HANDOFF_CHANNEL = 'meshkeeper:channel';
export const HANDOFF_PORT = 'meshkeeper:port';

/** A worker, or anything with a worker's postMessage. */
export interface HandoffTarget {
  postMessage(message: unknown, transfer: Transferable[]): void;
}

export interface HandoffResult {
  readonly mode: 'transferred' | 'bridged';
  /** The window's link when bridged (closing it closes the worker's end), undefined when transferred. */
  readonly windowLink: Link | undefined;
}

/**
 * Sends `channel` to the worker: transferred when possible (call this before anything touches the
 * channel), else bridged. `forceBridge` skips the transfer (tests; browsers known to lack it).
 */
export function handOffDataChannel(
  target: HandoffTarget,
  channel: RTCDataChannel,
  link: LinkDescription,
  options: { readonly forceBridge?: boolean } = {},
): HandoffResult {
  if (options.forceBridge !== true) {
    try {
      target.postMessage({ type: HANDOFF_CHANNEL, link, channel }, [channel]);
      return { mode: 'transferred', windowLink: undefined };
    } catch (error) {
      if (!(error instanceof DOMException && error.name === 'DataCloneError')) throw error;
    }
  }
  const windowLink = createWebRtcLink(channel, webRtcOptions(link));
  const { port1, port2 } = new MessageChannel();
  pipeLinks(windowLink, createPortLink(port1, portOptions(link)));
  target.postMessage({ type: HANDOFF_PORT, link, port: port2 }, [port2]);
  return { mode: 'bridged', windowLink };
}

/**
 * The worker's side: the Link for a handoff message, or undefined when `message` is not one
 * (so a worker can route its other messages).
 */
export function linkFromHandoff(message: unknown): Link | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const { type, link, channel, port } = message as { type?: unknown; link?: unknown; channel?: unknown; port?: unknown };
  if (type !== HANDOFF_CHANNEL && type !== HANDOFF_PORT) return undefined;
  const description = parseDescription(link);
  if (description === undefined) return undefined;
  if (type === HANDOFF_CHANNEL && isDataChannel(channel)) return createWebRtcLink(channel, webRtcOptions(description));
  if (type === HANDOFF_PORT && isPort(port)) return createPortLink(port, portOptions(description));
  return undefined;
}

function webRtcOptions(link: LinkDescription): WebRtcLinkOptions {
  return {
    peer: link.peer,
    id: link.id,
    ...(link.maxFrameBytes === undefined ? {} : { maxFrameBytes: link.maxFrameBytes }),
    ...(link.chunkBytes === undefined ? {} : { chunkBytes: link.chunkBytes }),
  };
}

function portOptions(link: LinkDescription) {
  return { peer: link.peer, id: link.id, ...(link.maxFrameBytes === undefined ? {} : { maxFrameBytes: link.maxFrameBytes }) };
}

function parseDescription(value: unknown): LinkDescription | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { peer, id, maxFrameBytes, chunkBytes } = value as Record<string, unknown>;
  if (typeof peer !== 'string' || typeof id !== 'string' || peer.length === 0 || id.length === 0) return undefined;
  const positive = (number: unknown) => number === undefined || (typeof number === 'number' && Number.isSafeInteger(number) && number > 0);
  if (!positive(maxFrameBytes) || !positive(chunkBytes)) return undefined;
  return {
    peer,
    id,
    ...(typeof maxFrameBytes === 'number' ? { maxFrameBytes } : {}),
    ...(typeof chunkBytes === 'number' ? { chunkBytes } : {}),
  };
}

function isDataChannel(value: unknown): value is DataChannelLike {
  return typeof value === 'object' && value !== null && typeof (value as { send?: unknown }).send === 'function' && 'bufferedAmount' in value;
}

function isPort(value: unknown): value is PortLike {
  return typeof value === 'object' && value !== null && typeof (value as { postMessage?: unknown }).postMessage === 'function' && typeof (value as { start?: unknown }).start === 'function';
}
