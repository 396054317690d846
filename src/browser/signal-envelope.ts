import { checkWebRtcSignal, type WebRtcSignal } from '../transport/webrtc-peer.js';

/**
 * What one WebRTC signal carries through the signaling server (sealed end to end by the
 * SignalingClient): the sender's ensemble, so a peer of another ensemble that shares the room name
 * (after a lost founding record) is never linked, and the connection's id, shared by both ends and
 * used as the link id, so late signals of an older connection are told from the current one's.
 *
 *   { v: 1, ensembleId, conn, signal }
 */
export interface SignalEnvelope {
  readonly v: 1;
  readonly ensembleId: string;
  readonly conn: string;
  readonly signal: WebRtcSignal;
}

export const MAX_CONNECTION_ID_CHARS = 200;

/** The envelope, checked; a string saying what is wrong otherwise. */
export function parseSignalEnvelope(value: unknown): SignalEnvelope | string {
  if (typeof value !== 'object' || value === null) return 'not an object';
  const { v, ensembleId, conn, signal } = value as Record<string, unknown>;
  if (v !== 1) return `unknown envelope version ${JSON.stringify(v)}`;
  if (typeof ensembleId !== 'string' || ensembleId.length === 0 || ensembleId.length > 64) return 'bad ensembleId';
  if (typeof conn !== 'string' || conn.length === 0 || conn.length > MAX_CONNECTION_ID_CHARS) return 'bad connection id';
  const problem = checkWebRtcSignal(signal);
  if (problem !== undefined) return `bad signal: ${problem}`;
  return { v, ensembleId, conn, signal: signal as WebRtcSignal };
}

export function signalEnvelope(ensembleId: string, conn: string, signal: WebRtcSignal): SignalEnvelope {
  return { v: 1, ensembleId, conn, signal };
}

/** The kind of signal inside an envelope. */
export function signalType(envelope: SignalEnvelope): 'offer' | 'answer' | 'candidate' | 'other' {
  const type = (envelope.signal as { type?: unknown }).type;
  return type === 'offer' || type === 'answer' || type === 'candidate' ? type : 'other';
}
