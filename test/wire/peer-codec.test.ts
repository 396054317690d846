import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ForwardedRequest, PeerMessage, SessionOp } from '../../src/server/peer-message.js';
import type { WriteOp } from '../../src/tree/op.js';
import { FrameKind, peekFrameHeader } from '../../src/wire/frame.js';
import { MAX_ACL_ENTRIES, MAX_FORWARD_REQUESTS, MAX_PASSWORD_BYTES, MAX_SESSION_ACTIVITY_IDS } from '../../src/wire/limits.js';
import { OpCode } from '../../src/wire/op-code.js';
import { decodePeerMessage, encodePeerMessage } from '../../src/wire/peer-codec.js';
import { PEER_MESSAGE_KINDS, RaftMessageKind, ReplicaMessageKind } from '../../src/wire/peer-kind.js';
import { decodeRaftMessage, encodeRaftMessage } from '../../src/wire/raft-message-codec.js';
import { encodeClientRequest } from '../../src/wire/request-codec.js';
import { concat, expectMarshalling, varUint } from './expect-marshalling.js';
import { forwardedOps, forwardedRequest, peerMessage, peerMessages, raftMessage } from './peer-arbitraries.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const request = (op: WriteOp | SessionOp, fields: Partial<ForwardedRequest> = {}): ForwardedRequest => ({
  sessionId: 0x1234n,
  cxid: 7,
  authIds: [],
  op,
  ...fields,
});
const forward = (...requests: ForwardedRequest[]): PeerMessage => ({ type: 'forward', requests });
const sessionIdBytes = [0, 0, 0, 0, 0, 0, 0x12, 0x34];
/** A forward frame of one request (session 0x1234, cxid 7, no auth ids) up to the op code. */
const forwardHead = [1, 96, 1, ...sessionIdBytes, 7, 0];

describe('peer message codec', () => {
  it('every PeerMessage variant round-trips: decode(encode(m)) equals m', () => {
    for (const [type, arbitrary] of Object.entries(peerMessages)) {
      fc.assert(
        fc.property(arbitrary, (m) => {
          expect(m.type).toBe(type);
          expect(decodePeerMessage(encodePeerMessage(m))).toEqual(m);
        }),
        { numRuns: 80 },
      );
    }
  });

  it('every write op and every session op round-trips inside a forward', () => {
    for (const [type, arbitrary] of Object.entries(forwardedOps)) {
      fc.assert(
        fc.property(forwardedRequest(arbitrary), (r) => {
          expect(r.op.type).toBe(type);
          expect(decodePeerMessage(encodePeerMessage(forward(r)))).toEqual(forward(r));
        }),
        { numRuns: 40 },
      );
    }
  });

  it('encoding is deterministic and only canonical bytes decode: encode(decode(b)) is b', () => {
    fc.assert(
      fc.property(peerMessage, (m) => {
        const bytes = encodePeerMessage(m);
        expect(encodePeerMessage(m)).toEqual(bytes);
        expect(encodePeerMessage(decodePeerMessage(bytes))).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('a raft peer message is exactly its Raft message frame, of that message type’s kind', () => {
    fc.assert(
      fc.property(raftMessage, (message) => {
        const bytes = encodePeerMessage({ type: 'raft', message });
        expect(bytes).toEqual(encodeRaftMessage(message));
        expect(peekFrameHeader(bytes).kind).toBe(RaftMessageKind[message.type]);
      }),
      { numRuns: 100 },
    );
    expect(peekFrameHeader(encodePeerMessage(forward())).kind).toBe(ReplicaMessageKind.forward);
    expect(peekFrameHeader(encodePeerMessage({ type: 'forwardRefused', requests: [], leader: null })).kind).toBe(97);
    expect(peekFrameHeader(encodePeerMessage({ type: 'sessionActivity', sessionIds: [] })).kind).toBe(98);
  });

  it('a forwarded write op is written exactly as the client request body of that op', () => {
    const writeOps = ['create', 'delete', 'setData', 'setACL', 'check', 'multi'] as const;
    for (const type of writeOps) {
      fc.assert(
        fc.property(forwardedOps[type], (op) => {
          const peer = encodePeerMessage(forward(request(op)));
          const client = encodeClientRequest({ xid: 0, body: op as WriteOp });
          expect(peer.subarray(forwardHead.length)).toEqual(client.subarray(3));
        }),
        { numRuns: 20 },
      );
    }
  });

  it('session ops are written as the grammar says', () => {
    const createSession: SessionOp = { type: 'createSession', timeoutMs: 30_000, passwordDigest: Uint8Array.of(9, 9), fateShared: true };
    expect(Array.from(encodePeerMessage(forward(request(createSession))))).toEqual([
      ...forwardHead,
      0x40 | 10,
      ...[0x80 | (30_000 & 0x3f), 0x80 | ((30_000 >> 6) & 0x7f), 30_000 >> 13],
      2,
      9,
      9,
      1,
    ]);
    expect(Array.from(encodePeerMessage(forward(request({ type: 'moveSession', passwordDigest: new Uint8Array([7, 8]) }))))).toEqual([...forwardHead, 0x40 | 20, 2, 7, 8]);
    expect(Array.from(encodePeerMessage(forward(request({ type: 'closeSession' }))))).toEqual([...forwardHead, 0x40 | 11]);
  });

  it('only write ops and session ops can be forwarded: reads, create2 and unknown op codes are refused', () => {
    for (const op of [{ type: 'getData', path: '/a', watch: false }, { type: 'create2' }, { type: 'sync', path: '/' }, { type: 'ping' }]) {
      expectMarshalling(() => encodePeerMessage(forward(request(op as unknown as WriteOp))), /is not a write op/);
    }
    for (const code of [OpCode.getData, OpCode.create2, OpCode.sync, OpCode.error, OpCode.multiRead, OpCode.createSession + 1, 50]) {
      const bytes = concat(forwardHead, code < 0 ? 0x40 | -code : varUint(code), 0, 0, 0, 0);
      expectMarshalling(() => decodePeerMessage(bytes), new RegExp(`forward op code at byte 13: op code ${code} cannot be forwarded`));
    }
  });

  it('a forwarded request carries at most MAX_ACL_ENTRIES auth ids and a password digest of at most 64 bytes', () => {
    const ids = Array.from({ length: MAX_ACL_ENTRIES }, (_, i) => ({ scheme: 'digest', id: `u${i}` }));
    const most = forward(request({ type: 'closeSession' }, { authIds: ids }));
    expect(decodePeerMessage(encodePeerMessage(most))).toEqual(most);
    expectMarshalling(() => encodePeerMessage(forward(request({ type: 'closeSession' }, { authIds: [...ids, ids[0]!] }))), /authIds count: 1025/);
    expectMarshalling(() => decodePeerMessage(concat(1, 96, 1, sessionIdBytes, 7, varUint(MAX_ACL_ENTRIES + 1))), /exceeds the limit of 1024/);
    const digest = (length: number): SessionOp => ({ type: 'createSession', timeoutMs: 1, passwordDigest: new Uint8Array(length), fateShared: false });
    expect(decodePeerMessage(encodePeerMessage(forward(request(digest(MAX_PASSWORD_BYTES)))))).toEqual(forward(request(digest(MAX_PASSWORD_BYTES))));
    expectMarshalling(() => encodePeerMessage(forward(request(digest(MAX_PASSWORD_BYTES + 1)))), /passwordDigest: 65 bytes exceed the limit of 64/);
  });

  it('list counts are checked against their limits and the bytes left before anything is read', () => {
    expectMarshalling(() => decodePeerMessage(concat(1, 96, varUint(MAX_FORWARD_REQUESTS + 1))), /forward.requests count .*exceeds the limit of 10000/);
    expectMarshalling(() => decodePeerMessage(concat(1, 96, 2, new Uint8Array(21))), /declared count 2 cannot fit in the 21 bytes left/);
    expectMarshalling(() => decodePeerMessage(concat(1, 97, 3, new Uint8Array(26))), /declared count 3 cannot fit in the 26 bytes left/);
    expectMarshalling(() => decodePeerMessage(concat(1, 98, varUint(MAX_SESSION_ACTIVITY_IDS + 1))), /exceeds the limit of 100000/);
    expectMarshalling(() => decodePeerMessage(concat(1, 98, varUint(1000), new Uint8Array(7999))), /declared count 1000 cannot fit in the 7999 bytes left/);
    const tooMany = Array.from({ length: MAX_FORWARD_REQUESTS + 1 }, () => request({ type: 'closeSession' }));
    expectMarshalling(() => encodePeerMessage({ type: 'forward', requests: tooMany }), /forward.requests count: 10001 is not an integer in \[0, 10000\]/);
    expectMarshalling(() => encodePeerMessage({ type: 'forwardRefused', requests: tooMany, leader: null }), /10001/);
    const ids = Array.from({ length: MAX_SESSION_ACTIVITY_IDS }, (_, i) => BigInt(i) - 5n);
    expect(decodePeerMessage(encodePeerMessage({ type: 'sessionActivity', sessionIds: ids }))).toEqual({ type: 'sessionActivity', sessionIds: ids });
    expectMarshalling(() => encodePeerMessage({ type: 'sessionActivity', sessionIds: [...ids, 0n] }), /100001/);
  });

  it('session ids are any int64, from -2^63 to 2^63 - 1; anything else is refused', () => {
    const m: PeerMessage = { type: 'sessionActivity', sessionIds: [INT64_MIN, -1n, 0n, INT64_MAX] };
    expect(decodePeerMessage(encodePeerMessage(m))).toEqual(m);
    const refused: PeerMessage = { type: 'forwardRefused', requests: [{ sessionId: INT64_MIN, cxid: -(2 ** 31) }, { sessionId: INT64_MAX, cxid: 2 ** 31 - 1 }], leader: 'r2' };
    expect(decodePeerMessage(encodePeerMessage(refused))).toEqual(refused);
    expectMarshalling(() => encodePeerMessage({ type: 'sessionActivity', sessionIds: [INT64_MAX + 1n] }), /not a 64-bit signed bigint/);
    expectMarshalling(() => encodePeerMessage({ type: 'sessionActivity', sessionIds: [1 as unknown as bigint] }), /not a 64-bit signed bigint/);
    expectMarshalling(() => encodePeerMessage(forward(request({ type: 'closeSession' }, { cxid: 2 ** 31 }))), /forward.cxid/);
  });

  it('forwardRefused names the leader or says there is none; its presence byte is 0 or 1', () => {
    for (const leader of [null, '', 'device-9/1']) {
      const m: PeerMessage = { type: 'forwardRefused', requests: [{ sessionId: 5n, cxid: 1 }], leader };
      expect(decodePeerMessage(encodePeerMessage(m))).toEqual(m);
    }
    expectMarshalling(() => decodePeerMessage(concat(1, 97, 0, 2)), /forwardRefused.hasLeader .*boolean byte 2/);
    expectMarshalling(() => encodePeerMessage({ type: 'forwardRefused', requests: [], leader: 7 as unknown as string }), /not a string or null/);
    expectMarshalling(() => encodePeerMessage({ type: 'forwardRefused', requests: [], leader: 'x'.repeat(513) }), /exceed the limit of 512/);
  });

  it('a peer message truncated anywhere is MARSHALLINGERROR', () => {
    const samples: PeerMessage[] = [
      forward(
        request({ type: 'create', path: '/a', data: Uint8Array.of(1), acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], mode: 0, ttlMs: 0 }, { authIds: [{ scheme: 'digest', id: 'u:x' }] }),
        request({ type: 'multi', ops: [{ type: 'check', path: '/a', version: 3 }] }),
        request({ type: 'createSession', timeoutMs: 4000, passwordDigest: Uint8Array.of(1, 2), fateShared: false }),
      ),
      { type: 'forwardRefused', requests: [{ sessionId: 1n, cxid: 2 }], leader: 'r1' },
      { type: 'sessionActivity', sessionIds: [1n, -1n] },
    ];
    for (const m of samples) {
      const bytes = encodePeerMessage(m);
      for (let end = 0; end < bytes.length; end++) expectMarshalling(() => decodePeerMessage(bytes.subarray(0, end)));
      expectMarshalling(() => decodePeerMessage(concat(bytes, 0)), /trailing bytes/);
    }
  });

  it('decodePeerMessage takes the peer kinds only; decodeRaftMessage refuses the replica-layer kinds', () => {
    const kinds = new Set(PEER_MESSAGE_KINDS);
    expect(kinds).toEqual(new Set([...Object.values(RaftMessageKind), 96, 97, 98]));
    for (let kind = 1; kind <= 127; kind++) {
      if (kinds.has(kind)) continue;
      expectMarshalling(() => decodePeerMessage(concat(1, kind, 0)), new RegExp(`frame kind ${kind} is not one of`));
    }
    expectMarshalling(() => decodePeerMessage(concat(1, 128, 1, 0)), /frame kind/);
    expectMarshalling(() => decodePeerMessage(concat(1, FrameKind.txnBatch, 0)), /frame kind 17 is not one of/);
    expectMarshalling(() => decodeRaftMessage(encodePeerMessage(forward())), /frame kind 96 is not one of/);
    expectMarshalling(() => encodePeerMessage({ type: 'gossip' } as unknown as PeerMessage), /unknown peer message type gossip/);
    expectMarshalling(() => encodePeerMessage({ type: 'toString' } as unknown as PeerMessage), /unknown peer message type toString/);
    expectMarshalling(() => encodePeerMessage({ type: 'raft', message: { type: 'constructor' } } as unknown as PeerMessage), /unknown message type/);
  });
});
