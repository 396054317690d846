import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors/error-code.js';
import type { Stat } from '../../src/tree/stat.js';
import type { ReplyBody, ServerReply } from '../../src/wire/client-message.js';
import { OpCode } from '../../src/wire/op-code.js';
import { decodeServerReply, encodeServerReply } from '../../src/wire/reply-codec.js';
import { replyBodies, serverReply } from './arbitraries.js';
import { concat, expectMarshalling } from './expect-marshalling.js';

const stat: Stat = {
  czxid: 2n ** 63n - 1n,
  mzxid: -(2n ** 63n),
  ctime: Number.MAX_SAFE_INTEGER,
  mtime: Number.MIN_SAFE_INTEGER,
  version: 2 ** 31 - 1,
  cversion: -(2 ** 31),
  aversion: 0,
  ephemeralOwner: -1n,
  dataLength: 1_048_575,
  numChildren: 0,
  pzxid: 0n,
};

const ok = (body: ReplyBody): ServerReply => ({ xid: 3, zxid: 9n, err: ErrorCode.OK, body });
/** A reply frame header: version 1, kind 4, xid 3, zxid 9 (8 bytes, big-endian), err OK. */
const header = [1, 4, 3, 0, 0, 0, 0, 0, 0, 0, 9, 0];

describe('server reply codec', () => {
  it('every reply body round-trips: decode(encode(x)) equals x', () => {
    for (const [type, arbitrary] of Object.entries(replyBodies)) {
      fc.assert(
        fc.property(arbitrary, (body) => {
          expect(body.type).toBe(type);
          expect(decodeServerReply(encodeServerReply(ok(body)))).toEqual(ok(body));
        }),
        { numRuns: 40 },
      );
    }
  });

  it('Stat with extreme values round-trips field for field', () => {
    const reply = ok({ type: 'getData', data: Uint8Array.of(1), stat });
    expect(decodeServerReply(encodeServerReply(reply))).toEqual(reply);
  });

  it('encoding is deterministic and decoding accepts only the canonical bytes', () => {
    fc.assert(
      fc.property(serverReply, (reply) => {
        const bytes = encodeServerReply(reply);
        expect(encodeServerReply(reply)).toEqual(bytes);
        expect(decodeServerReply(bytes)).toEqual(reply);
        expect(encodeServerReply(decodeServerReply(bytes))).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('an error reply carries no body on the wire and decodes as { type: error, code: err }', () => {
    const reply: ServerReply = { xid: 3, zxid: 9n, err: ErrorCode.NONODE, body: { type: 'error', code: ErrorCode.NONODE } };
    const bytes = encodeServerReply(reply);
    expect(Array.from(bytes)).toEqual([...header.slice(0, -1), 0x80 | 0x40 | (101 & 0x3f), 101 >> 6]);
    expect(decodeServerReply(bytes)).toEqual(reply);
  });

  it('err and body must agree', () => {
    const wrongBody: ServerReply = { xid: 1, zxid: 1n, err: ErrorCode.NONODE, body: { type: 'delete' } };
    expectMarshalling(() => encodeServerReply(wrongBody), /must have body \{ type: 'error', code: -101 \}/);
    const wrongCode: ServerReply = { xid: 1, zxid: 1n, err: ErrorCode.NONODE, body: { type: 'error', code: ErrorCode.NOAUTH } };
    expectMarshalling(() => encodeServerReply(wrongCode), /must have body/);
    expectMarshalling(() => encodeServerReply(ok({ type: 'error', code: ErrorCode.NONODE })), /cannot be a reply/);
    expectMarshalling(() => decodeServerReply(Uint8Array.of(...header, 0x41, 0)), /tag -1 is not a reply/);
  });

  it('an error code ZooKeeper does not have is MARSHALLINGERROR', () => {
    const unknown = Uint8Array.of(...header.slice(0, -1), 0x40 | 9);
    expectMarshalling(() => decodeServerReply(unknown), /reply err at byte 11: unknown error code -9/);
    const reply = { xid: 1, zxid: 1n, err: -9, body: { type: 'error', code: -9 } } as unknown as ServerReply;
    expectMarshalling(() => encodeServerReply(reply), /unknown error code -9/);
    const multiWithUnknown = Uint8Array.of(...header, OpCode.multi, 1, 0x41, 0x40 | 9);
    expectMarshalling(() => decodeServerReply(multiWithUnknown), /unknown error code -9/);
  });

  it('a multi reply holds create, delete, setData, check and error results only; multiRead getData, getChildren, error', () => {
    const nested = ok({ type: 'multi', results: [{ type: 'multi', results: [] }] });
    expectMarshalling(() => encodeServerReply(nested), /cannot be in a multi reply/);
    expectMarshalling(() => decodeServerReply(Uint8Array.of(...header, OpCode.multi, 1, OpCode.multi, 0)), /tag 14 is not a multi result/);
    expectMarshalling(() => decodeServerReply(Uint8Array.of(...header, OpCode.multiRead, 1, OpCode.exists, 0)), /tag 3 is not a multiRead result/);
    const failedMulti = ok({
      type: 'multi',
      results: [
        { type: 'error', code: ErrorCode.OK },
        { type: 'error', code: ErrorCode.BADVERSION },
        { type: 'error', code: ErrorCode.RUNTIMEINCONSISTENCY },
      ],
    });
    expect(decodeServerReply(encodeServerReply(failedMulti))).toEqual(failedMulti);
  });

  it('exists answers a Stat or null, its presence byte is 0 or 1', () => {
    expect(decodeServerReply(encodeServerReply(ok({ type: 'exists', stat: null })))).toEqual(ok({ type: 'exists', stat: null }));
    expectMarshalling(() => decodeServerReply(Uint8Array.of(...header, OpCode.exists, 2)), /has stat at byte 13: boolean byte 2/);
  });

  it('a reply truncated anywhere is MARSHALLINGERROR', () => {
    fc.assert(
      fc.property(serverReply, (reply) => {
        const bytes = encodeServerReply(reply);
        for (let length = 0; length < bytes.length; length++) {
          expectMarshalling(() => decodeServerReply(bytes.subarray(0, length)));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('a huge declared child count is rejected at once, before any child is read', () => {
    const bytes = concat(header, OpCode.getChildren, [0xff, 0xff, 0xff, 0xff, 0x07], 1, 0x61);
    expectMarshalling(() => decodeServerReply(bytes), /children count at byte 13: 2147483647 exceeds the limit of 1000000/);
    const fits = concat(header, OpCode.getChildren, [0xc0, 0x84, 0x3d], 1, 0x61);
    expectMarshalling(() => decodeServerReply(fits), /declared count 1000000 cannot fit in the 2 bytes left/);
  });
});
