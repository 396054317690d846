import fc from 'fast-check';
import type { Message, MessageType } from '../../src/consensus/message.js';
import type { Entry, EntryTypeNumber, ReplicaId, SnapshotMetadata } from '../../src/consensus/types.js';
import type { ForwardedRequest, PeerMessage, SessionOp } from '../../src/server/peer-message.js';
import type { WriteOp } from '../../src/tree/op.js';
import { bytes, id, int32, int64, requestBodies, text } from './arbitraries.js';

/** fast-check arbitraries for replica-to-replica messages: every Raft message type and every PeerMessage. */

/** Terms, indexes, commits, offsets: any safe non-negative integer, edges included. */
export const raftNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: 0, max: 1000 }),
  fc.maxSafeNat(),
  fc.constantFrom(0, 1, 63, 64, 127, 128, 2 ** 31, 2 ** 32, Number.MAX_SAFE_INTEGER),
);

export const replicaId: fc.Arbitrary<ReplicaId> = fc.oneof(fc.constantFrom('r1', 'device-7f3a/0', ''), text(16));

const envelope = { from: replicaId, to: replicaId, term: raftNumber };

const entryTerm = fc.oneof(fc.constantFrom(1, 2, 3), raftNumber);
const entryBody = (maxData: number) => fc.record({ term: entryTerm, type: fc.constantFrom<EntryTypeNumber>(0, 1), data: bytes(maxData) });

/** Entries following `index`, which is lowered when needed so the last index stays safe. */
function followingEntries(index: number, bodies: readonly { term: number; type: EntryTypeNumber; data: Uint8Array }[]) {
  const first = Math.min(index, Number.MAX_SAFE_INTEGER - bodies.length);
  const entries: Entry[] = bodies.map((body, i) => ({ term: body.term, index: first + 1 + i, type: body.type, data: body.data }));
  return { index: first, entries };
}

/** MsgApps of up to `maxEntries` entries, each with up to `maxData` bytes of data. */
export const msgApp = (maxData = 40, maxEntries = 12): fc.Arbitrary<Message> =>
  fc
    .record({ ...envelope, index: raftNumber, logTerm: raftNumber, commit: raftNumber, bodies: fc.array(entryBody(maxData), { maxLength: maxEntries }) })
    .map(({ bodies, index, ...rest }) => ({ type: 'MsgApp' as const, ...rest, ...followingEntries(index, bodies) }));

export const snapshotMetadata: fc.Arbitrary<SnapshotMetadata> = fc.record({
  index: raftNumber,
  term: raftNumber,
  confState: fc.record({ voters: fc.array(replicaId, { maxLength: 5 }), learners: fc.array(replicaId, { maxLength: 3 }) }),
});

/** One arbitrary per Raft message type. */
export const raftMessages: Record<MessageType, fc.Arbitrary<Message>> = {
  MsgApp: msgApp(),
  MsgAppResp: fc.record({
    type: fc.constant('MsgAppResp' as const),
    ...envelope,
    index: raftNumber,
    reject: fc.boolean(),
    hintIndex: raftNumber,
    hintTerm: raftNumber,
  }),
  MsgVote: fc.record({ type: fc.constant('MsgVote' as const), ...envelope, index: raftNumber, logTerm: raftNumber, transfer: fc.boolean() }),
  MsgPreVote: fc.record({ type: fc.constant('MsgPreVote' as const), ...envelope, index: raftNumber, logTerm: raftNumber, transfer: fc.boolean() }),
  MsgVoteResp: fc.record({ type: fc.constant('MsgVoteResp' as const), ...envelope, reject: fc.boolean() }),
  MsgPreVoteResp: fc.record({ type: fc.constant('MsgPreVoteResp' as const), ...envelope, reject: fc.boolean() }),
  MsgHeartbeat: fc.record({ type: fc.constant('MsgHeartbeat' as const), ...envelope, commit: raftNumber, readSeq: raftNumber }),
  MsgHeartbeatResp: fc.record({ type: fc.constant('MsgHeartbeatResp' as const), ...envelope, readSeq: raftNumber }),
  MsgSnap: fc.record({
    type: fc.constant('MsgSnap' as const),
    ...envelope,
    metadata: snapshotMetadata,
    totalBytes: raftNumber,
    offset: raftNumber,
    chunk: bytes(64),
  }),
  MsgSnapResp: fc.record({
    type: fc.constant('MsgSnapResp' as const),
    ...envelope,
    snapshotIndex: raftNumber,
    receivedBytes: raftNumber,
    reject: fc.boolean(),
  }),
  MsgTransferLeader: fc.record({ type: fc.constant('MsgTransferLeader' as const), ...envelope, transferee: replicaId }),
  MsgTimeoutNow: fc.record({ type: fc.constant('MsgTimeoutNow' as const), ...envelope }),
  MsgReadIndex: fc.record({ type: fc.constant('MsgReadIndex' as const), ...envelope, context: bytes(24) }),
  MsgReadIndexResp: fc.record({ type: fc.constant('MsgReadIndexResp' as const), ...envelope, index: raftNumber, context: bytes(24) }),
};

export const raftMessage: fc.Arbitrary<Message> = fc.oneof(...Object.values(raftMessages));

type ForwardedOp = WriteOp | SessionOp;

/** One arbitrary per op a follower forwards: every write op and every session op. */
export const forwardedOps: Record<ForwardedOp['type'], fc.Arbitrary<ForwardedOp>> = {
  create: requestBodies.create as fc.Arbitrary<WriteOp>,
  delete: requestBodies.delete as fc.Arbitrary<WriteOp>,
  setData: requestBodies.setData as fc.Arbitrary<WriteOp>,
  setACL: requestBodies.setACL as fc.Arbitrary<WriteOp>,
  check: requestBodies.check as fc.Arbitrary<WriteOp>,
  multi: requestBodies.multi as fc.Arbitrary<WriteOp>,
  createSession: fc.record({
    type: fc.constant('createSession' as const),
    timeoutMs: int32,
    passwordDigest: bytes(64),
    fateShared: fc.boolean(),
  }),
  moveSession: fc.record({ type: fc.constant('moveSession' as const), passwordDigest: bytes(64) }),
  closeSession: fc.constant({ type: 'closeSession' as const }),
};

export const forwardedRequest = (op: fc.Arbitrary<ForwardedOp>): fc.Arbitrary<ForwardedRequest> =>
  fc.record({ sessionId: int64, cxid: int32, authIds: fc.array(id, { maxLength: 3 }), op });

/** One arbitrary per PeerMessage variant. */
export const peerMessages: Record<PeerMessage['type'], fc.Arbitrary<PeerMessage>> = {
  raft: raftMessage.map((message) => ({ type: 'raft' as const, message })),
  forward: fc.record({
    type: fc.constant('forward' as const),
    requests: fc.array(forwardedRequest(fc.oneof(...Object.values(forwardedOps))), { maxLength: 4 }),
  }),
  forwardRefused: fc.record({
    type: fc.constant('forwardRefused' as const),
    requests: fc.array(fc.record({ sessionId: int64, cxid: int32 }), { maxLength: 4 }),
    leader: fc.option(replicaId, { nil: null }),
  }),
  sessionActivity: fc.record({ type: fc.constant('sessionActivity' as const), sessionIds: fc.array(int64, { maxLength: 8 }) }),
};

export const peerMessage: fc.Arbitrary<PeerMessage> = fc.oneof(...Object.values(peerMessages));
