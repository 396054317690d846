import type { MessageType } from '../consensus/message.js';
import type { PeerMessage } from '../server/peer-message.js';

/**
 * The frame kinds of replica-to-replica messages, all in the consensus range 64..127: one kind per
 * Raft message type (64..95) and one per replica-layer message (96..127). The kind alone says which
 * message follows, so a frame can be routed with `peekFrameHeader` before its body is read.
 * Numbers are never reused; a new message takes a new number.
 */
export const RaftMessageKind = {
  MsgApp: 64,
  MsgAppResp: 65,
  MsgVote: 66,
  MsgPreVote: 67,
  MsgVoteResp: 68,
  MsgPreVoteResp: 69,
  MsgHeartbeat: 70,
  MsgHeartbeatResp: 71,
  MsgSnap: 72,
  MsgSnapResp: 73,
  MsgTransferLeader: 74,
  MsgTimeoutNow: 75,
  MsgReadIndex: 76,
  MsgReadIndexResp: 77,
} as const satisfies Record<MessageType, number>;

/** The replica-layer messages (src/server/peer-message.ts) other than `raft`. */
export const ReplicaMessageKind = {
  forward: 96,
  forwardRefused: 97,
  sessionActivity: 98,
} as const satisfies Record<Exclude<PeerMessage['type'], 'raft'>, number>;

export type RaftMessageKindNumber = (typeof RaftMessageKind)[MessageType];

const raftTypeByKind = new Map<number, MessageType>(
  (Object.keys(RaftMessageKind) as MessageType[]).map((type) => [RaftMessageKind[type], type]),
);

/** Every Raft message kind, for `decodeFrame`. */
export const RAFT_MESSAGE_KINDS: readonly number[] = [...raftTypeByKind.keys()];

/** Every peer frame kind: the Raft kinds and the replica-layer kinds. */
export const PEER_MESSAGE_KINDS: readonly number[] = [...RAFT_MESSAGE_KINDS, ...Object.values(ReplicaMessageKind)];

/** The kind of a Raft message type, or undefined for anything that is not one. */
export function raftMessageKind(type: unknown): RaftMessageKindNumber | undefined {
  return typeof type === 'string' && Object.hasOwn(RaftMessageKind, type) ? RaftMessageKind[type as MessageType] : undefined;
}

/** The Raft message type of a kind, or undefined when the kind is not a Raft message's. */
export function raftMessageType(kind: number): MessageType | undefined {
  return raftTypeByKind.get(kind);
}
