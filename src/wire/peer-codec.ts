import type {
  ForwardedRequest,
  ForwardMessage,
  ForwardRefusedMessage,
  PeerMessage,
  SessionActivityMessage,
  SessionOp,
} from '../server/peer-message.js';
import type { Id } from '../tree/acl.js';
import type { WriteOp } from '../tree/op.js';
import { decodeFrame, encodeFrame } from './frame.js';
import {
  MAX_ACL_ENTRIES,
  MAX_FORWARD_REQUESTS,
  MAX_PASSWORD_BYTES,
  MAX_PEER_FRAME_BYTES,
  MAX_REPLICA_ID_BYTES,
  MAX_SESSION_ACTIVITY_IDS,
} from './limits.js';
import { OpCode } from './op-code.js';
import { PEER_MESSAGE_KINDS, ReplicaMessageKind } from './peer-kind.js';
import {
  readBool,
  readBytes,
  readCount,
  readInt32,
  readInt64,
  readString,
  writeBool,
  writeBytes,
  writeInt32,
  writeInt64,
  writeString,
  writeUint,
  type Decoder,
  type Encoder,
} from './primitives.js';
import { raftMessageFrameKind, readRaftMessage, writeRaftMessage } from './raft-message-codec.js';
import { MIN_ID_BYTES, readId, writeId } from './record-codec.js';
import { asMarshalling, marshallingError } from './wire-error.js';
import { isWriteOpCode, readWriteOpFields, writeWriteOp } from './write-op-codec.js';

/**
 * What one replica sends another (src/server/peer-message.ts), as frames of the consensus range:
 * a `raft` message is the frame of its Raft message (kinds 64..77, raft-message-codec.ts); the
 * replica layer's own messages are kinds 96..98.
 *
 *   forward          := list(forwardedRequest)                                (≤ MAX_FORWARD_REQUESTS)
 *   forwardedRequest := int64(sessionId) • varInt(cxid: int32) • list(id)(authIds) • forwardedOp
 *   forwardedOp      := writeOp | varInt(-10) • varInt(timeoutMs: int32) • varByteArray(passwordDigest)
 *                       • bool(fateShared) | varInt(-20) • varByteArray(passwordDigest) | varInt(-11)
 *   forwardRefused   := list(int64(sessionId) • varInt(cxid: int32)) • bool(hasLeader) • [varString(leader)]
 *   sessionActivity  := list(int64(sessionId))                                (≤ MAX_SESSION_ACTIVITY_IDS)
 */

/** The fewest bytes of one forwarded request: session id 8, cxid 1, empty authIds 1, op code 1. */
const MIN_FORWARDED_REQUEST_BYTES = 11;
/** The fewest bytes of one refused request: session id 8, cxid 1. */
const MIN_REFUSED_REQUEST_BYTES = 9;
const SESSION_ID_BYTES = 8;

function writeForwardedOp(encoder: Encoder, op: WriteOp | SessionOp): void {
  switch (op.type) {
    case 'createSession':
      writeInt32(encoder, OpCode.createSession, 'forward op code');
      writeInt32(encoder, op.timeoutMs, 'forward createSession.timeoutMs');
      writeBytes(encoder, op.passwordDigest, MAX_PASSWORD_BYTES, 'forward createSession.passwordDigest');
      return writeBool(encoder, op.fateShared, 'forward createSession.fateShared');
    case 'moveSession':
      writeInt32(encoder, OpCode.moveSession, 'forward op code');
      return writeBytes(encoder, op.passwordDigest, MAX_PASSWORD_BYTES, 'forward moveSession.passwordDigest');
    case 'closeSession':
      return writeInt32(encoder, OpCode.closeSession, 'forward op code');
    default:
      return writeWriteOp(encoder, op);
  }
}

function readForwardedOp(decoder: Decoder): WriteOp | SessionOp {
  const offset = decoder.pos;
  const code = readInt32(decoder, 'forward op code');
  switch (code) {
    case OpCode.createSession: {
      const timeoutMs = readInt32(decoder, 'forward createSession.timeoutMs');
      const passwordDigest = readBytes(decoder, MAX_PASSWORD_BYTES, 'forward createSession.passwordDigest');
      return { type: 'createSession', timeoutMs, passwordDigest, fateShared: readBool(decoder, 'forward createSession.fateShared') };
    }
    case OpCode.moveSession:
      return { type: 'moveSession', passwordDigest: readBytes(decoder, MAX_PASSWORD_BYTES, 'forward moveSession.passwordDigest') };
    case OpCode.closeSession:
      return { type: 'closeSession' };
    default:
      if (!isWriteOpCode(code)) throw marshallingError('forward op code', `op code ${code} cannot be forwarded`, offset);
      return readWriteOpFields(decoder, code, offset);
  }
}

function writeForwardedRequest(encoder: Encoder, request: ForwardedRequest): void {
  writeInt64(encoder, request.sessionId, 'forward.sessionId');
  writeInt32(encoder, request.cxid, 'forward.cxid');
  const authIds = request.authIds;
  if (!Array.isArray(authIds)) throw marshallingError('forward.authIds', 'authIds is not an array');
  writeUint(encoder, authIds.length, MAX_ACL_ENTRIES, 'forward.authIds count');
  for (const id of authIds as readonly Id[]) writeId(encoder, id, 'forward.authIds');
  writeForwardedOp(encoder, request.op);
}

function readForwardedRequest(decoder: Decoder): ForwardedRequest {
  const sessionId = readInt64(decoder, 'forward.sessionId');
  const cxid = readInt32(decoder, 'forward.cxid');
  const count = readCount(decoder, MAX_ACL_ENTRIES, MIN_ID_BYTES, 'forward.authIds count');
  const authIds: Id[] = [];
  for (let i = 0; i < count; i++) authIds.push(readId(decoder, 'forward.authIds'));
  return { sessionId, cxid, authIds, op: readForwardedOp(decoder) };
}

/** varUint count in [0, max], refusing what is not an array. */
function writeListCount(encoder: Encoder, list: unknown, max: number, what: string): void {
  if (!Array.isArray(list)) throw marshallingError(what, 'not an array');
  writeUint(encoder, list.length, max, `${what} count`);
}

function writeForward(encoder: Encoder, m: ForwardMessage): void {
  writeListCount(encoder, m.requests, MAX_FORWARD_REQUESTS, 'forward.requests');
  for (const request of m.requests) writeForwardedRequest(encoder, request);
}

function readForward(decoder: Decoder): ForwardMessage {
  const count = readCount(decoder, MAX_FORWARD_REQUESTS, MIN_FORWARDED_REQUEST_BYTES, 'forward.requests count');
  const requests: ForwardedRequest[] = [];
  for (let i = 0; i < count; i++) requests.push(readForwardedRequest(decoder));
  return { type: 'forward', requests };
}

function writeForwardRefused(encoder: Encoder, m: ForwardRefusedMessage): void {
  writeListCount(encoder, m.requests, MAX_FORWARD_REQUESTS, 'forwardRefused.requests');
  for (const request of m.requests) {
    writeInt64(encoder, request.sessionId, 'forwardRefused.sessionId');
    writeInt32(encoder, request.cxid, 'forwardRefused.cxid');
  }
  if (m.leader !== null && typeof m.leader !== 'string') throw marshallingError('forwardRefused.leader', 'not a string or null');
  writeBool(encoder, m.leader !== null, 'forwardRefused.hasLeader');
  if (m.leader !== null) writeString(encoder, m.leader, MAX_REPLICA_ID_BYTES, 'forwardRefused.leader');
}

function readForwardRefused(decoder: Decoder): ForwardRefusedMessage {
  const count = readCount(decoder, MAX_FORWARD_REQUESTS, MIN_REFUSED_REQUEST_BYTES, 'forwardRefused.requests count');
  const requests: { sessionId: bigint; cxid: number }[] = [];
  for (let i = 0; i < count; i++) {
    const sessionId = readInt64(decoder, 'forwardRefused.sessionId');
    requests.push({ sessionId, cxid: readInt32(decoder, 'forwardRefused.cxid') });
  }
  const hasLeader = readBool(decoder, 'forwardRefused.hasLeader');
  const leader = hasLeader ? readString(decoder, MAX_REPLICA_ID_BYTES, 'forwardRefused.leader') : null;
  return { type: 'forwardRefused', requests, leader };
}

function writeSessionActivity(encoder: Encoder, m: SessionActivityMessage): void {
  writeListCount(encoder, m.sessionIds, MAX_SESSION_ACTIVITY_IDS, 'sessionActivity.sessionIds');
  for (const sessionId of m.sessionIds) writeInt64(encoder, sessionId, 'sessionActivity.sessionId');
}

function readSessionActivity(decoder: Decoder): SessionActivityMessage {
  const count = readCount(decoder, MAX_SESSION_ACTIVITY_IDS, SESSION_ID_BYTES, 'sessionActivity.sessionIds count');
  const sessionIds: bigint[] = [];
  for (let i = 0; i < count; i++) sessionIds.push(readInt64(decoder, 'sessionActivity.sessionId'));
  return { type: 'sessionActivity', sessionIds };
}

/** Writes a peer message's body; its kind is `peerMessageKind(m)`. */
function writePeerMessage(encoder: Encoder, m: PeerMessage): void {
  switch (m.type) {
    case 'raft':
      return writeRaftMessage(encoder, m.message);
    case 'forward':
      return writeForward(encoder, m);
    case 'forwardRefused':
      return writeForwardRefused(encoder, m);
    case 'sessionActivity':
      return writeSessionActivity(encoder, m);
  }
}

/** The frame kind of a peer message; MARSHALLINGERROR for anything that is not one. */
export function peerMessageKind(m: PeerMessage): number {
  if (m.type === 'raft') return raftMessageFrameKind(m.message);
  const type: unknown = m.type;
  if (typeof type === 'string' && Object.hasOwn(ReplicaMessageKind, type)) {
    return ReplicaMessageKind[type as keyof typeof ReplicaMessageKind];
  }
  throw marshallingError('peer message', `unknown peer message type ${String(type)}`);
}

/**
 * One peer message as a frame: a Raft message's kind (64..77) or the replica layer's (96..98); at
 * most MAX_PEER_FRAME_BYTES. Whatever the decoder would refuse is MARSHALLINGERROR here.
 */
export function encodePeerMessage(m: PeerMessage): Uint8Array {
  return asMarshalling('peer message', () =>
    encodeFrame(peerMessageKind(m), 'peer message', (encoder) => writePeerMessage(encoder, m), MAX_PEER_FRAME_BYTES),
  );
}

/**
 * Reads a peer frame. Guarantees the shape only: the Raft-level facts of a `raft` message are checked
 * by `messageProblem` (RaftNode.step runs it), the rest by the replica layer.
 */
export function decodePeerMessage(bytes: Uint8Array): PeerMessage {
  return decodeFrame(
    bytes,
    'peer message',
    PEER_MESSAGE_KINDS,
    (decoder, kind): PeerMessage => {
      switch (kind) {
        case ReplicaMessageKind.forward:
          return readForward(decoder);
        case ReplicaMessageKind.forwardRefused:
          return readForwardRefused(decoder);
        case ReplicaMessageKind.sessionActivity:
          return readSessionActivity(decoder);
        default:
          return { type: 'raft', message: readRaftMessage(decoder, kind) };
      }
    },
    MAX_PEER_FRAME_BYTES,
  );
}
