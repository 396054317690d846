/**
 * The signaling wire: JSON text frames over one WebSocket, shared by the server (signaling/) and the
 * client (signaling-client.ts). signaling/PROTOCOL.md writes the grammar down.
 *
 * The server sees room names, peer ids and ensemble ids in clear; every signal payload is sealed
 * end to end with a key derived from the room secret (room-crypto.ts) and is opaque to the server.
 */

export const SIGNALING_PROTOCOL_VERSION = 1;

/** Bounds of the fields every frame carries; both sides reject frames that exceed them. */
export const SignalingFieldLimits = {
  roomNameMaxChars: 128,
  peerIdMaxChars: 64,
  ensembleIdMaxChars: 64,
  /** A sealed signal (base64url): an SDP with its candidates fits several times over. */
  payloadMaxChars: 48 * 1024,
  nonceChars: 22, // 16 random bytes
  proofChars: 43, // HMAC-SHA-256
  verifierChars: 43, // 32-byte HMAC key
  errorMessageMaxChars: 512,
} as const;

/** WebSocket close codes the server uses (RFC 6455 §7.4.1). */
export const SignalingCloseCode = {
  goingAway: 1001,
  unsupportedData: 1003,
  invalidPayload: 1007,
  policyViolation: 1008,
  messageTooBig: 1009,
  tryAgainLater: 1013,
} as const;

/** Reasons the server refuses something; each is sent as an `error` frame and counted in /metrics. */
export const SIGNALING_ERROR_CODES = [
  'bad-message', // frame is not a valid message (malformed JSON also closes the socket)
  'binary-frame', // binary frames are not part of the protocol (closes the socket)
  'message-too-large', // frame longer than the server's message limit
  'rate-limited', // more messages per second than the socket's token bucket allows
  'busy', // too many frames of this socket still being processed
  'server-full', // connection limit reached (closes the socket)
  'origin-not-allowed', // Origin header not in the allowlist (HTTP 403, no socket)
  'room-limit', // the server holds as many founded rooms as it may
  'room-full', // the room holds as many peers as it may
  'socket-room-limit', // this socket is in as many rooms as it may
  'join-limit', // this socket sent as many join requests as it may
  'auth-failed', // the proof does not match the room's verifier: wrong secret
  'no-challenge', // prove/found without a pending challenge for that room
  'not-founded', // prove for a room that has no founding record (any more): join again
  'founding-failed', // the founding record could not be written to disk: join again later
  'already-joined', // join for a room this socket is already in
  'not-joined', // signal/leave for a room this socket is not in
  'unknown-peer', // signal to a peer id that is not in the room
  'peer-replaced', // another socket joined the room with this socket's peer id
  'backpressure', // the socket does not read its frames (closes the socket)
  'shutting-down', // the server is stopping (closes the socket)
] as const;

export type SignalingErrorCode = (typeof SIGNALING_ERROR_CODES)[number];

export type ClientMessage =
  | { readonly type: 'join'; readonly room: string; readonly peerId: string }
  | { readonly type: 'prove'; readonly room: string; readonly proof: string }
  | {
      readonly type: 'found';
      readonly room: string;
      readonly ensembleId: string;
      readonly verifier: string;
      readonly proof: string;
    }
  | { readonly type: 'signal'; readonly room: string; readonly to: string; readonly payload: string }
  | { readonly type: 'leave'; readonly room: string }
  | { readonly type: 'ping' };

export type ServerMessage =
  | { readonly type: 'challenge'; readonly room: string; readonly nonce: string; readonly founded: boolean }
  | {
      readonly type: 'joined';
      readonly room: string;
      readonly peerId: string;
      /** True for exactly one join ever: the one that wrote the room's founding record. */
      readonly founder: boolean;
      readonly ensembleId: string;
      /** The other peers in the room, sorted. */
      readonly peers: readonly string[];
    }
  | { readonly type: 'peer-joined'; readonly room: string; readonly peerId: string }
  | { readonly type: 'peer-left'; readonly room: string; readonly peerId: string }
  | { readonly type: 'signal'; readonly room: string; readonly from: string; readonly payload: string }
  | { readonly type: 'left'; readonly room: string }
  | { readonly type: 'pong' }
  | {
      readonly type: 'error';
      readonly code: SignalingErrorCode;
      readonly message: string;
      readonly room?: string;
    };

export type ParseResult<T> =
  | { readonly ok: true; readonly message: T }
  | { readonly ok: false; readonly malformedJson: boolean; readonly detail: string };

const IDENTIFIER_PATTERN = /^[A-Za-z0-9._:-]+$/;
// Any printable text: no C0/C1 control characters, no lone surrogates.
const ROOM_NAME_PATTERN = /^[^\p{Cc}\p{Cs}]+$/u;
const BASE64URL_PATTERN = /^[A-Za-z0-9_-]+$/;

export function isValidRoomName(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= SignalingFieldLimits.roomNameMaxChars &&
    ROOM_NAME_PATTERN.test(value)
  );
}

/** Peer ids are compared by UTF-16 code units (the glare rule), so they are kept to plain ASCII. */
export function isValidPeerId(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= SignalingFieldLimits.peerIdMaxChars &&
    IDENTIFIER_PATTERN.test(value)
  );
}

export function isValidEnsembleId(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= SignalingFieldLimits.ensembleIdMaxChars &&
    IDENTIFIER_PATTERN.test(value)
  );
}

function isBase64urlOfLength(value: unknown, chars: number): value is string {
  return typeof value === 'string' && value.length === chars && BASE64URL_PATTERN.test(value);
}

export function isValidPayload(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= SignalingFieldLimits.payloadMaxChars &&
    BASE64URL_PATTERN.test(value)
  );
}

export function isSignalingErrorCode(value: unknown): value is SignalingErrorCode {
  return typeof value === 'string' && (SIGNALING_ERROR_CODES as readonly string[]).includes(value);
}

type Fields = Readonly<Record<string, unknown>>;

function parseJsonObject(text: string): ParseResult<Fields> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, malformedJson: true, detail: 'frame is not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, malformedJson: true, detail: 'frame is not a JSON object' };
  }
  return { ok: true, message: value as Fields };
}

function invalid(detail: string): { ok: false; malformedJson: false; detail: string } {
  return { ok: false, malformedJson: false, detail };
}

function valid<T>(message: T): { ok: true; message: T } {
  return { ok: true, message };
}

/** Checks one text frame a client sent; the server never trusts anything it did not check here. */
export function parseClientMessage(text: string): ParseResult<ClientMessage> {
  const parsed = parseJsonObject(text);
  if (!parsed.ok) return parsed;
  const fields = parsed.message;
  if (fields['type'] === 'ping') return valid({ type: 'ping' });
  const room = fields['room'];
  if (!isValidRoomName(room)) return invalid('room must be 1-128 printable characters');
  switch (fields['type']) {
    case 'join': {
      const peerId = fields['peerId'];
      if (!isValidPeerId(peerId)) return invalid('peerId must be 1-64 characters of [A-Za-z0-9._:-]');
      return valid({ type: 'join', room, peerId });
    }
    case 'prove': {
      const proof = fields['proof'];
      if (!isBase64urlOfLength(proof, SignalingFieldLimits.proofChars)) return invalid('proof must be 43 base64url characters');
      return valid({ type: 'prove', room, proof });
    }
    case 'found': {
      const { ensembleId, verifier, proof } = fields;
      if (!isValidEnsembleId(ensembleId)) return invalid('ensembleId must be 1-64 characters of [A-Za-z0-9._:-]');
      if (!isBase64urlOfLength(verifier, SignalingFieldLimits.verifierChars)) return invalid('verifier must be 43 base64url characters');
      if (!isBase64urlOfLength(proof, SignalingFieldLimits.proofChars)) return invalid('proof must be 43 base64url characters');
      return valid({ type: 'found', room, ensembleId, verifier, proof });
    }
    case 'signal': {
      const { to, payload } = fields;
      if (!isValidPeerId(to)) return invalid('to must be a peer id');
      if (!isValidPayload(payload)) return invalid(`payload must be 1-${SignalingFieldLimits.payloadMaxChars} base64url characters`);
      return valid({ type: 'signal', room, to, payload });
    }
    case 'leave':
      return valid({ type: 'leave', room });
    default:
      return invalid('unknown message type');
  }
}

function parsePeerList(value: unknown): readonly string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const peers: string[] = [];
  for (const peer of value as readonly unknown[]) {
    if (!isValidPeerId(peer)) return undefined;
    peers.push(peer);
  }
  return peers;
}

/** Checks one text frame the server sent; the client treats a frame that fails as a broken server. */
export function parseServerMessage(text: string): ParseResult<ServerMessage> {
  const parsed = parseJsonObject(text);
  if (!parsed.ok) return parsed;
  const fields = parsed.message;
  const type = fields['type'];
  if (type === 'pong') return valid({ type: 'pong' });
  if (type === 'error') {
    const { code, message, room } = fields;
    if (!isSignalingErrorCode(code)) return invalid('unknown error code');
    if (typeof message !== 'string' || message.length > SignalingFieldLimits.errorMessageMaxChars) return invalid('bad error message');
    if (room === undefined) return valid({ type: 'error', code, message });
    if (!isValidRoomName(room)) return invalid('bad error room');
    return valid({ type: 'error', code, message, room });
  }
  const room = fields['room'];
  if (!isValidRoomName(room)) return invalid('bad room');
  switch (type) {
    case 'challenge': {
      const { nonce, founded } = fields;
      if (!isBase64urlOfLength(nonce, SignalingFieldLimits.nonceChars)) return invalid('bad nonce');
      if (typeof founded !== 'boolean') return invalid('bad founded flag');
      return valid({ type: 'challenge', room, nonce, founded });
    }
    case 'joined': {
      const { peerId, founder, ensembleId } = fields;
      const peers = parsePeerList(fields['peers']);
      if (!isValidPeerId(peerId) || typeof founder !== 'boolean' || !isValidEnsembleId(ensembleId) || peers === undefined) {
        return invalid('bad joined frame');
      }
      return valid({ type: 'joined', room, peerId, founder, ensembleId, peers });
    }
    case 'peer-joined':
    case 'peer-left': {
      const peerId = fields['peerId'];
      if (!isValidPeerId(peerId)) return invalid('bad peer id');
      return valid({ type, room, peerId });
    }
    case 'signal': {
      const { from, payload } = fields;
      if (!isValidPeerId(from) || !isValidPayload(payload)) return invalid('bad signal frame');
      return valid({ type: 'signal', room, from, payload });
    }
    case 'left':
      return valid({ type: 'left', room });
    default:
      return invalid('unknown message type');
  }
}

export function encodeMessage(message: ClientMessage | ServerMessage): string {
  return JSON.stringify(message);
}
