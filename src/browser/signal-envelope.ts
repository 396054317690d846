import { checkWebRtcSignal, type WebRtcSignal } from '../transport/webrtc-peer.js';

/**
 * What one WebRTC signal carries through the signaling server (sealed end to end by the
 * SignalingClient): the sender's ensemble, so a peer of another ensemble that shares the room name
 * (after a lost founding record) is never linked, and the connection's id, shared by both ends and
 * used as the link id, so late signals of an older connection are told from the current one's.
 *
 *   { type, v: 1, ensembleId, conn, signal }
 *
 * `type` repeats the signal's type ('offer', 'answer', 'candidate') at the top, where
 * SignalingClient's glare rule (signaling-glare.ts) looks for it.
 */
export interface SignalEnvelope {
  readonly type: 'offer' | 'answer' | 'candidate';
  readonly v: 1;
  readonly ensembleId: string;
  readonly conn: string;
  readonly signal: WebRtcSignal;
}

export const MAX_CONNECTION_ID_CHARS = 200;

/** The envelope, checked; a string saying what is wrong otherwise. */
export function parseSignalEnvelope(value: unknown): SignalEnvelope | string {
  if (typeof value !== 'object' || value === null) return 'not an object';
  const { type, v, ensembleId, conn, signal } = value as Record<string, unknown>;
  if (v !== 1) return `unknown envelope version ${JSON.stringify(v)}`;
  if (typeof ensembleId !== 'string' || ensembleId.length === 0 || ensembleId.length > 64) return 'bad ensembleId';
  if (typeof conn !== 'string' || conn.length === 0 || conn.length > MAX_CONNECTION_ID_CHARS) return 'bad connection id';
  const problem = checkWebRtcSignal(signal);
  if (problem !== undefined) return `bad signal: ${problem}`;
  const inner = (signal as { type: 'offer' | 'answer' | 'candidate' }).type;
  if (type !== inner) return `envelope type ${JSON.stringify(type)} is not the signal's (${inner})`;
  return { type: inner, v, ensembleId, conn, signal: signal as WebRtcSignal };
}

/** Wraps a signal from simple-peer (an offer, an answer or a candidate). */
export function signalEnvelope(ensembleId: string, conn: string, signal: WebRtcSignal): SignalEnvelope {
  const type = (signal as { type?: unknown }).type;
  return { type: type === 'offer' || type === 'answer' ? type : 'candidate', v: 1, ensembleId, conn, signal };
}
