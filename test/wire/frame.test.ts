import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors/error-code.js';
import {
  CONSENSUS_KIND_FIRST,
  CONSENSUS_KIND_LAST,
  FrameKind,
  decodeFrame,
  encodeFrame,
  peekFrameHeader,
} from '../../src/wire/frame.js';
import { MAX_FRAME_BYTES, MAX_REQUEST_FRAME_BYTES, WIRE_VERSION } from '../../src/wire/limits.js';
import { readString, writeString } from '../../src/wire/primitives.js';
import { decodeServerReply, encodeServerReply } from '../../src/wire/reply-codec.js';
import { decodeClientRequest, encodeClientRequest } from '../../src/wire/request-codec.js';
import { decodeClientFrame, decodeReplicaFrame, encodeWatchNotification } from '../../src/wire/session-codec.js';
import { encodeTxnBatch } from '../../src/wire/txn-codec.js';
import { encodeTreeSnapshot } from '../../src/wire/snapshot-encoder.js';
import { expectMarshalling } from './expect-marshalling.js';

const ping = encodeClientRequest({ xid: 7, body: { type: 'ping' } });
const pingReply = encodeServerReply({ xid: 7, zxid: 5n, err: ErrorCode.OK, body: { type: 'ping' } });

describe('frames', () => {
  it('every frame starts with the protocol version and its kind', () => {
    expect(peekFrameHeader(ping)).toEqual({ version: WIRE_VERSION, kind: FrameKind.request });
    expect(peekFrameHeader(pingReply)).toEqual({ version: WIRE_VERSION, kind: FrameKind.reply });
    expect(peekFrameHeader(encodeTxnBatch([]))).toEqual({ version: WIRE_VERSION, kind: FrameKind.txnBatch });
    const snapshot = encodeTreeSnapshot({ lastZxid: 0n, nodes: [], sessions: new Uint8Array(0) });
    expect(peekFrameHeader(snapshot)).toEqual({ version: WIRE_VERSION, kind: FrameKind.treeSnapshot });
    const event = encodeWatchNotification({ type: 'NodeCreated', state: 'SyncConnected', path: '/a', zxid: 1n });
    expect(Array.from(event.subarray(0, 2))).toEqual([1, FrameKind.watchEvent]);
  });

  it('an unknown protocol version is MARSHALLINGERROR', () => {
    for (const version of [0, 2, 127]) {
      const bytes = ping.slice();
      bytes[0] = version;
      expectMarshalling(() => decodeClientRequest(bytes), new RegExp(`unsupported protocol version ${version}`));
      expectMarshalling(() => peekFrameHeader(bytes), /unsupported protocol version/);
    }
  });

  it('kind 0, an unknown kind, or a kind that does not belong here is MARSHALLINGERROR', () => {
    const kind0 = ping.slice();
    kind0[1] = 0;
    expectMarshalling(() => decodeClientFrame(kind0), /kind 0 is never valid/);
    const kind63 = ping.slice();
    kind63[1] = 63;
    expectMarshalling(() => decodeClientFrame(kind63), /frame kind 63 is not one of 1, 3/);
    expectMarshalling(() => decodeClientRequest(pingReply), /frame kind 4 is not one of 3/);
    expectMarshalling(() => decodeReplicaFrame(ping), /frame kind 3 is not one of 2, 4, 5/);
    expectMarshalling(() => decodeServerReply(Uint8Array.of(1, 0x84, 0x01)), /frame kind/);
  });

  it('bytes after the end of a message are rejected', () => {
    expectMarshalling(() => decodeClientRequest(Uint8Array.of(...ping, 0)), /1 trailing bytes after the end of the message/);
    expectMarshalling(() => decodeServerReply(Uint8Array.of(...pingReply, 9, 9)), /2 trailing bytes/);
  });

  it('empty, truncated and non-Uint8Array input is MARSHALLINGERROR', () => {
    expectMarshalling(() => decodeClientRequest(new Uint8Array(0)), /truncated input/);
    expectMarshalling(() => peekFrameHeader(Uint8Array.of(1)), /truncated input/);
    expectMarshalling(() => decodeClientRequest([1, 3, 14, 11] as unknown as Uint8Array), /not a Uint8Array/);
    expectMarshalling(() => decodeClientRequest(null as unknown as Uint8Array), /not a Uint8Array/);
  });

  it('a frame over its size limit is rejected before it is parsed', () => {
    const tooBig = new Uint8Array(MAX_REQUEST_FRAME_BYTES + 1);
    tooBig.set(ping);
    expectMarshalling(() => decodeClientRequest(tooBig), /exceed the frame limit of 2097152/);
    const replyTooBig = new Uint8Array(MAX_FRAME_BYTES + 1);
    replyTooBig.set(pingReply);
    expectMarshalling(() => decodeServerReply(replyTooBig), /exceed the frame limit of 16777216/);
  });

  it('encoders refuse a frame the decoder would refuse for its size', () => {
    const data = new Uint8Array(1_000_000);
    const ops = [0, 1, 2].map((i) => ({ type: 'setData' as const, path: `/n${i}`, data, version: -1 }));
    expectMarshalling(() => encodeClientRequest({ xid: 1, body: { type: 'multi', ops } }), /exceed the frame limit of 2097152/);
  });

  it('a Node Buffer decodes like a Uint8Array, into plain Uint8Arrays', () => {
    const request = encodeClientRequest({ xid: 1, body: { type: 'setData', path: '/a', data: Uint8Array.of(1, 2), version: 3 } });
    const decoded = decodeClientRequest(Buffer.from(request));
    expect(decoded.body).toEqual({ type: 'setData', path: '/a', data: Uint8Array.of(1, 2), version: 3 });
    expect(Object.getPrototypeOf((decoded.body as { data: Uint8Array }).data)).toBe(Uint8Array.prototype);
  });

  it('kinds 64..127 are left for consensus messages, built with encodeFrame/decodeFrame', () => {
    expect([CONSENSUS_KIND_FIRST, CONSENSUS_KIND_LAST]).toEqual([64, 127]);
    for (const kind of Object.values(FrameKind)) expect(kind).toBeLessThan(CONSENSUS_KIND_FIRST);
    const kind = CONSENSUS_KIND_FIRST + 1;
    const bytes = encodeFrame(kind, 'vote', (encoder: encoding.Encoder) => writeString(encoder, 'replica-1', 64, 'vote.from'));
    expect(decodeFrame(bytes, 'vote', [kind], (decoder) => readString(decoder, 64, 'vote.from'))).toBe('replica-1');
    expectMarshalling(() => encodeFrame(128, 'x', () => {}), /not a kind in \[1, 127\]/);
    expectMarshalling(() => decodeFrame(bytes, 'append', [kind + 1], () => null), /frame kind 65 is not one of 66/);
  });
});
