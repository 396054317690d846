import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors/error-code.js';
import type { Txn } from '../../src/tree/txn.js';
import { MAX_TXN_BATCH_COUNT } from '../../src/wire/limits.js';
import { OpCode } from '../../src/wire/op-code.js';
import { decodeTxn, decodeTxnBatch, encodeTxn, encodeTxnBatch, type TxnRecord } from '../../src/wire/txn-codec.js';
import { txnHeader, txnRecord, txns } from './arbitraries.js';
import { concat, expectMarshalling, varUint } from './expect-marshalling.js';

const header = { sessionId: 0x7fff_ffff_ffff_ffffn, cxid: -1, zxid: 0x1_0000_0001n, timeMs: 1_700_000_000_000 };
const record = (txn: Txn): TxnRecord => ({ header, txn });
/** The bytes of a txn frame up to the txn's op code (header above: 8 + 1 + 8 + 6 bytes). */
const frameStart = Array.from(encodeTxn(record({ type: 'closeSession' })).subarray(0, -1));

describe('txn codec', () => {
  it('every txn kind round-trips with its header: decode(encode(x)) equals x', () => {
    for (const [type, arbitrary] of Object.entries(txns)) {
      fc.assert(
        fc.property(txnHeader, arbitrary, (h, txn) => {
          expect(txn.type).toBe(type);
          expect(decodeTxn(encodeTxn({ header: h, txn }))).toEqual({ header: h, txn });
        }),
        { numRuns: 50 },
      );
    }
  });

  it('a batch of txns round-trips in order, and encoding is deterministic and canonical', () => {
    fc.assert(
      fc.property(fc.array(txnRecord, { maxLength: 8 }), (records) => {
        const bytes = encodeTxnBatch(records);
        expect(encodeTxnBatch(records)).toEqual(bytes);
        expect(decodeTxnBatch(bytes)).toEqual(records);
        expect(encodeTxnBatch(decodeTxnBatch(bytes))).toEqual(bytes);
      }),
      { numRuns: 200 },
    );
  });

  it('a multi txn is all successes or all errors (OK, the failure, RUNTIMEINCONSISTENCY)', () => {
    const failed = record({
      type: 'multi',
      txns: [
        { type: 'error', code: ErrorCode.OK },
        { type: 'error', code: ErrorCode.NONODE },
        { type: 'error', code: ErrorCode.RUNTIMEINCONSISTENCY },
      ],
    });
    expect(decodeTxn(encodeTxn(failed))).toEqual(failed);
    const mixed = record({ type: 'multi', txns: [{ type: 'delete', path: '/a' }, { type: 'error', code: ErrorCode.NONODE }] });
    expectMarshalling(() => encodeTxn(mixed), /1 of 2 sub-txns are errors: all or none must be/);
    const mixedBytes = concat(frameStart, OpCode.multi, 2, OpCode.delete, 2, 0x2f, 0x61, 0x41, 0x40 | 0x80 | (101 & 0x3f), 101 >> 6);
    expectMarshalling(() => decodeTxn(mixedBytes), /all or none must be/);
    expect(decodeTxn(encodeTxn(record({ type: 'multi', txns: [] })))).toEqual(record({ type: 'multi', txns: [] }));
  });

  it('a multi txn holds create, delete, setData, check or error txns, never a multi or a session txn', () => {
    const nested = record({ type: 'multi', txns: [{ type: 'multi', txns: [] }] } as unknown as Txn);
    expectMarshalling(() => encodeTxn(nested), /a multi txn cannot be in a multi/);
    expectMarshalling(() => decodeTxn(concat(frameStart, OpCode.multi, 1, OpCode.multi, 0)), /op code 14 cannot be in a multi txn/);
    expectMarshalling(() => decodeTxn(concat(frameStart, OpCode.multi, 1, 0x40 | 11, 0)), /op code -11 cannot be in a multi txn/);
  });

  it('an unknown txn op code, create mode or error code is MARSHALLINGERROR', () => {
    expectMarshalling(() => decodeTxn(concat(frameStart, OpCode.sync, 0)), /unknown txn op code 9/);
    expectMarshalling(() => decodeTxn(concat(frameStart, 0x41, 0x40 | 50)), /txn.error.code at byte \d+: unknown error code -50/);
    const create = encodeTxn(record({ type: 'create', path: '/a', data: new Uint8Array(0), acl: [], mode: 0, ephemeralOwner: 0n, ttlMs: 0, parentCversion: 0 }));
    const modeAt = frameStart.length + 1 + 3 + 1 + 1;
    expect(create[modeAt]).toBe(0);
    create[modeAt] = 12;
    expectMarshalling(() => decodeTxn(create), /txn.create.mode at byte \d+: 12 exceeds the limit of 6/);
  });

  it('a batch declares at most MAX_TXN_BATCH_COUNT txns, and never more than its bytes can hold', () => {
    const records = Array.from({ length: MAX_TXN_BATCH_COUNT + 1 }, () => record({ type: 'closeSession' }));
    expectMarshalling(() => encodeTxnBatch(records), /txn batch count: 10001 is not an integer in \[0, 10000\]/);
    expectMarshalling(() => decodeTxnBatch(concat(1, 17, varUint(MAX_TXN_BATCH_COUNT + 1))), /exceeds the limit of 10000/);
    expectMarshalling(() => decodeTxnBatch(concat(1, 17, varUint(10), new Uint8Array(100))), /declared count 10 cannot fit in the 100 bytes left/);
    expect(decodeTxnBatch(encodeTxnBatch(records.slice(1)))).toHaveLength(MAX_TXN_BATCH_COUNT);
  });

  it('a txn or batch truncated anywhere is MARSHALLINGERROR', () => {
    fc.assert(
      fc.property(fc.array(txnRecord, { minLength: 1, maxLength: 3 }), (records) => {
        const batch = encodeTxnBatch(records);
        for (let length = 0; length < batch.length; length++) expectMarshalling(() => decodeTxnBatch(batch.subarray(0, length)));
        const single = encodeTxn(records[0]!);
        for (let length = 0; length < single.length; length++) expectMarshalling(() => decodeTxn(single.subarray(0, length)));
      }),
      { numRuns: 60 },
    );
  });

  it('a single txn and a batch are different frame kinds', () => {
    const single = encodeTxn(record({ type: 'closeSession' }));
    expectMarshalling(() => decodeTxnBatch(single), /frame kind 16 is not one of 17/);
    expectMarshalling(() => decodeTxn(encodeTxnBatch([])), /frame kind 17 is not one of 16/);
  });
});
