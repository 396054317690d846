import type { ReplicaId } from '../consensus/types.js';
import { clipReason } from './link.js';

/**
 * The messages of the BroadcastChannel transport (structured-cloned objects).
 *
 * On the room channel `meshkeeper:<room>`, heard by every tab of the profile in the room:
 *   hello  { v, t: 'hello', from, instance, wantsReply }   presence; wantsReply asks every tab to answer
 *   open   { v, t: 'open', from, instance, to, toInstance, link }
 *                                                          asks `to` for a link on the pair channel of `link`
 *   bye    { v, t: 'bye', from, instance }                 the tab leaves: close its links now
 *
 * On the pair channel `meshkeeper:<room>:link:<link>`, heard only by the two ends:
 *   accept { t: 'accept', from }                           the first message of the responder
 *   reject { t: 'reject', from, reason }                   the responder refuses the link
 *   frame  { t: 'frame', from, seq, data: Uint8Array }     seq counts messages (frame, frames, ping) per direction from 0
 *   frames { t: 'frames', from, seq, data: Uint8Array }    the frames sent in one microtask, packed (frame-batch.ts)
 *   ping   { t: 'ping', from, seq }                        liveness when no frame went in a heartbeat
 *   bye    { t: 'bye', from, reason }                      the sender closed the link
 *
 * `instance` is random per transport, so a reloaded tab (same replica id) is told apart from the tab
 * it replaces. Messages that fail these shapes are ignored on the room channel (another version may
 * share it) and close the link on a pair channel.
 */

export const BROADCAST_PROTOCOL_VERSION = 1;

export type RoomMessage =
  | { readonly v: number; readonly t: 'hello'; readonly from: ReplicaId; readonly instance: string; readonly wantsReply: boolean }
  | {
      readonly v: number;
      readonly t: 'open';
      readonly from: ReplicaId;
      readonly instance: string;
      readonly to: ReplicaId;
      readonly toInstance: string;
      readonly link: string;
    }
  | { readonly v: number; readonly t: 'bye'; readonly from: ReplicaId; readonly instance: string };

export type PairMessage =
  | { readonly t: 'accept'; readonly from: ReplicaId }
  | { readonly t: 'reject'; readonly from: ReplicaId; readonly reason: string }
  | { readonly t: 'frame'; readonly from: ReplicaId; readonly seq: number; readonly data: Uint8Array }
  | { readonly t: 'frames'; readonly from: ReplicaId; readonly seq: number; readonly data: Uint8Array }
  | { readonly t: 'ping'; readonly from: ReplicaId; readonly seq: number }
  | { readonly t: 'bye'; readonly from: ReplicaId; readonly reason: string };

/** Longest replica id, instance or link id accepted from the channel. */
export const MAX_NAME_CHARS = 256;

export function roomChannelName(room: string): string {
  return `meshkeeper:${room}`;
}

export function pairChannelName(room: string, link: string): string {
  return `meshkeeper:${room}:link:${link}`;
}

type Fields = Readonly<Record<string, unknown>>;

const isName = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= MAX_NAME_CHARS;
const isSeq = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const fieldsOf = (value: unknown): Fields | undefined => (typeof value === 'object' && value !== null ? (value as Fields) : undefined);

/** The room message, or undefined when `value` is not one of this version. */
export function parseRoomMessage(value: unknown): RoomMessage | undefined {
  const m = fieldsOf(value);
  if (m === undefined || m.v !== BROADCAST_PROTOCOL_VERSION || !isName(m.from) || !isName(m.instance)) return undefined;
  switch (m.t) {
    case 'hello':
      return typeof m.wantsReply === 'boolean' ? { v: m.v, t: 'hello', from: m.from, instance: m.instance, wantsReply: m.wantsReply } : undefined;
    case 'open':
      return isName(m.to) && isName(m.toInstance) && isName(m.link)
        ? { v: m.v, t: 'open', from: m.from, instance: m.instance, to: m.to, toInstance: m.toInstance, link: m.link }
        : undefined;
    case 'bye':
      return { v: m.v, t: 'bye', from: m.from, instance: m.instance };
    default:
      return undefined;
  }
}

/** The pair message, or a reason it is malformed. */
export function parsePairMessage(value: unknown): PairMessage | string {
  const m = fieldsOf(value);
  if (m === undefined) return 'malformed link message: not an object';
  if (!isName(m.from)) return 'malformed link message: no sender';
  switch (m.t) {
    case 'accept':
      return { t: 'accept', from: m.from };
    case 'reject':
    case 'bye':
      return typeof m.reason === 'string' ? { t: m.t, from: m.from, reason: clipReason(m.reason) } : `malformed link message: ${m.t} without a reason`;
    case 'frame':
    case 'frames':
      if (!isSeq(m.seq)) return `malformed link message: ${m.t} without a sequence number`;
      return m.data instanceof Uint8Array ? { t: m.t, from: m.from, seq: m.seq, data: m.data } : `malformed link message: ${m.t} data is not a Uint8Array`;
    case 'ping':
      return isSeq(m.seq) ? { t: 'ping', from: m.from, seq: m.seq } : 'malformed link message: ping without a sequence number';
    default:
      return `malformed link message: unknown type ${JSON.stringify(String(m.t)).slice(0, 40)}`;
  }
}

/** The part of BroadcastChannel the transport uses (the browser's and Node's satisfy it). */
export interface BroadcastChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  close(): void;
}

export type OpenBroadcastChannel = (name: string) => BroadcastChannelLike;

export const openBroadcastChannel: OpenBroadcastChannel = (name) => new BroadcastChannel(name);
