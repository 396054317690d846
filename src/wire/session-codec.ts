import { EventType, type EventTypeName } from '../tree/watch-event.js';
import {
  KeeperState,
  type ClientFrame,
  type ConnectRequest,
  type ConnectResponse,
  type KeeperStateName,
  type ReplicaFrame,
  type WatchNotification,
} from './client-message.js';
import { FrameKind, decodeFrame, encodeFrame } from './frame.js';
import { MAX_PASSWORD_BYTES, MAX_PATH_BYTES, MAX_REQUEST_FRAME_BYTES } from './limits.js';
import {
  enumCodec,
  readBool,
  readBytes,
  readInt32,
  readInt64,
  readString,
  writeBool,
  writeBytes,
  writeInt32,
  writeInt64,
  writeString,
  type Decoder,
  type Encoder,
} from './primitives.js';
import { readClientRequest, writeClientRequest } from './request-codec.js';
import { readServerReply, writeServerReply } from './reply-codec.js';
import { asMarshalling, marshallingError } from './wire-error.js';

/**
 *   connectRequest  := int64(lastZxidSeen) • varInt(timeoutMs) • int64(sessionId) • varByteArray(password) • bool(readOnly)
 *   connectResponse := varInt(timeoutMs) • int64(sessionId) • varByteArray(password) • bool(readOnly)
 *   watchEvent      := varInt(eventType) • varInt(keeperState) • varString(path) • int64(zxid)
 */

const eventTypes = enumCodec<EventTypeName>(EventType);
const keeperStates = enumCodec<KeeperStateName>(KeeperState);

export function writeConnectRequest(encoder: Encoder, request: ConnectRequest): void {
  writeInt64(encoder, request.lastZxidSeen, 'connectRequest.lastZxidSeen');
  writeInt32(encoder, request.timeoutMs, 'connectRequest.timeoutMs');
  writeInt64(encoder, request.sessionId, 'connectRequest.sessionId');
  writeBytes(encoder, request.password, MAX_PASSWORD_BYTES, 'connectRequest.password');
  writeBool(encoder, request.readOnly, 'connectRequest.readOnly');
}

export function readConnectRequest(decoder: Decoder): ConnectRequest {
  const lastZxidSeen = readInt64(decoder, 'connectRequest.lastZxidSeen');
  const timeoutMs = readInt32(decoder, 'connectRequest.timeoutMs');
  const sessionId = readInt64(decoder, 'connectRequest.sessionId');
  const password = readBytes(decoder, MAX_PASSWORD_BYTES, 'connectRequest.password');
  const readOnly = readBool(decoder, 'connectRequest.readOnly');
  return { lastZxidSeen, timeoutMs, sessionId, password, readOnly };
}

export function writeConnectResponse(encoder: Encoder, response: ConnectResponse): void {
  writeInt32(encoder, response.timeoutMs, 'connectResponse.timeoutMs');
  writeInt64(encoder, response.sessionId, 'connectResponse.sessionId');
  writeBytes(encoder, response.password, MAX_PASSWORD_BYTES, 'connectResponse.password');
  writeBool(encoder, response.readOnly, 'connectResponse.readOnly');
}

export function readConnectResponse(decoder: Decoder): ConnectResponse {
  const timeoutMs = readInt32(decoder, 'connectResponse.timeoutMs');
  const sessionId = readInt64(decoder, 'connectResponse.sessionId');
  const password = readBytes(decoder, MAX_PASSWORD_BYTES, 'connectResponse.password');
  const readOnly = readBool(decoder, 'connectResponse.readOnly');
  return { timeoutMs, sessionId, password, readOnly };
}

export function writeWatchNotification(encoder: Encoder, event: WatchNotification): void {
  eventTypes.write(encoder, event.type, 'watchEvent.type');
  keeperStates.write(encoder, event.state, 'watchEvent.state');
  writeString(encoder, event.path, MAX_PATH_BYTES, 'watchEvent.path');
  writeInt64(encoder, event.zxid, 'watchEvent.zxid');
}

export function readWatchNotification(decoder: Decoder): WatchNotification {
  const type = eventTypes.read(decoder, 'watchEvent.type');
  const state = keeperStates.read(decoder, 'watchEvent.state');
  const path = readString(decoder, MAX_PATH_BYTES, 'watchEvent.path');
  return { type, state, path, zxid: readInt64(decoder, 'watchEvent.zxid') };
}

/** A connectRequest frame (kind 1). */
export function encodeConnectRequest(request: ConnectRequest): Uint8Array {
  return encodeFrame(FrameKind.connectRequest, 'connectRequest', (e) => writeConnectRequest(e, request), MAX_REQUEST_FRAME_BYTES);
}

export function decodeConnectRequest(bytes: Uint8Array): ConnectRequest {
  return decodeFrame(bytes, 'connectRequest', [FrameKind.connectRequest], readConnectRequest, MAX_REQUEST_FRAME_BYTES);
}

/** A connectResponse frame (kind 2). */
export function encodeConnectResponse(response: ConnectResponse): Uint8Array {
  return encodeFrame(FrameKind.connectResponse, 'connectResponse', (e) => writeConnectResponse(e, response));
}

export function decodeConnectResponse(bytes: Uint8Array): ConnectResponse {
  return decodeFrame(bytes, 'connectResponse', [FrameKind.connectResponse], readConnectResponse);
}

/** A watchEvent frame (kind 5). */
export function encodeWatchNotification(event: WatchNotification): Uint8Array {
  return encodeFrame(FrameKind.watchEvent, 'watchEvent', (e) => writeWatchNotification(e, event));
}

export function decodeWatchNotification(bytes: Uint8Array): WatchNotification {
  return decodeFrame(bytes, 'watchEvent', [FrameKind.watchEvent], readWatchNotification);
}

/** Whatever a client sends: a connectRequest or a request frame. */
export function encodeClientFrame(frame: ClientFrame): Uint8Array {
  return asMarshalling('client frame', () => {
    switch (frame.kind) {
      case 'connectRequest':
        return encodeConnectRequest(frame.message);
      case 'request':
        return encodeFrame(FrameKind.request, 'request', (e) => writeClientRequest(e, frame.message), MAX_REQUEST_FRAME_BYTES);
      default:
        throw marshallingError('client frame', `unknown kind ${String((frame as { kind: unknown }).kind)}`);
    }
  });
}

/** Reads what a client sent; any other kind of frame is MARSHALLINGERROR. */
export function decodeClientFrame(bytes: Uint8Array): ClientFrame {
  return decodeFrame(
    bytes,
    'client frame',
    [FrameKind.connectRequest, FrameKind.request],
    (decoder, kind): ClientFrame =>
      kind === FrameKind.connectRequest
        ? { kind: 'connectRequest', message: readConnectRequest(decoder) }
        : { kind: 'request', message: readClientRequest(decoder) },
    MAX_REQUEST_FRAME_BYTES,
  );
}

/** Whatever a replica sends a client: a connectResponse, reply or watchEvent frame. */
export function encodeReplicaFrame(frame: ReplicaFrame): Uint8Array {
  return asMarshalling('replica frame', () => {
    switch (frame.kind) {
      case 'connectResponse':
        return encodeConnectResponse(frame.message);
      case 'reply':
        return encodeFrame(FrameKind.reply, 'reply', (e) => writeServerReply(e, frame.message));
      case 'watchEvent':
        return encodeWatchNotification(frame.message);
      default:
        throw marshallingError('replica frame', `unknown kind ${String((frame as { kind: unknown }).kind)}`);
    }
  });
}

/** Reads what a replica sent a client; any other kind of frame is MARSHALLINGERROR. */
export function decodeReplicaFrame(bytes: Uint8Array): ReplicaFrame {
  return decodeFrame(
    bytes,
    'replica frame',
    [FrameKind.connectResponse, FrameKind.reply, FrameKind.watchEvent],
    (decoder, kind): ReplicaFrame => {
      if (kind === FrameKind.connectResponse) return { kind: 'connectResponse', message: readConnectResponse(decoder) };
      if (kind === FrameKind.reply) return { kind: 'reply', message: readServerReply(decoder) };
      return { kind: 'watchEvent', message: readWatchNotification(decoder) };
    },
  );
}
