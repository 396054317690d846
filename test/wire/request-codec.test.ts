import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CreateOp } from '../../src/tree/op.js';
import type { RequestBody } from '../../src/wire/client-message.js';
import {
  MAX_ACL_ENTRIES,
  MAX_DATA_FIELD_BYTES,
  MAX_MULTI_OPS,
  MAX_PATH_BYTES,
} from '../../src/wire/limits.js';
import { OpCode } from '../../src/wire/op-code.js';
import { decodeClientRequest, encodeClientRequest } from '../../src/wire/request-codec.js';
import { clientRequest, requestBodies } from './arbitraries.js';
import { concat, expectMarshalling, varUint } from './expect-marshalling.js';

const create = (over: Partial<CreateOp> = {}): CreateOp => ({
  type: 'create',
  path: '/a',
  data: new Uint8Array(0),
  acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }],
  mode: 0,
  ttlMs: 0,
  ...over,
});

const roundTrip = (body: RequestBody) => decodeClientRequest(encodeClientRequest({ xid: 1, body })).body;

describe('client request codec', () => {
  it('every request of the API round-trips: decode(encode(x)) equals x', () => {
    for (const [type, arbitrary] of Object.entries(requestBodies)) {
      fc.assert(
        fc.property(arbitrary, fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (body, xid) => {
          expect(body.type).toBe(type);
          expect(decodeClientRequest(encodeClientRequest({ xid, body }))).toEqual({ xid, body });
        }),
        { numRuns: 60 },
      );
    }
  });

  it('encoding is deterministic and decoding accepts only the canonical bytes', () => {
    fc.assert(
      fc.property(clientRequest, (request) => {
        const bytes = encodeClientRequest(request);
        expect(encodeClientRequest(request)).toEqual(bytes);
        expect(encodeClientRequest(decodeClientRequest(bytes))).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('request bodies are tagged with ZooKeeper op codes', () => {
    const bytes = encodeClientRequest({ xid: 5, body: { type: 'getData', path: '/x', watch: true } });
    expect(Array.from(bytes)).toEqual([1, 3, 5, OpCode.getData, 2, 0x2f, 0x78, 1]);
    const close = encodeClientRequest({ xid: 0, body: { type: 'closeSession' } });
    expect(Array.from(close)).toEqual([1, 3, 0, 0x40 | 11]);
  });

  it('an op code that is not a request is MARSHALLINGERROR', () => {
    for (const code of [0, 10, 16, 20, 99, -1, -10, 108, 1000]) {
      const bytes = concat(1, 3, 0, code < 0 ? 0x40 | -code : code < 64 ? code : [0x80 | (code & 0x3f), code >> 6]);
      expectMarshalling(() => decodeClientRequest(bytes), new RegExp(`unknown request op code ${code}`));
    }
  });

  it('a multi holds only create, delete, setData and check; a multiRead only getData and getChildren', () => {
    const multiWithSync = concat(1, 3, 0, OpCode.multi, 1, OpCode.sync, 2, 0x2f, 0x61);
    expectMarshalling(() => decodeClientRequest(multiWithSync), /op code 9 cannot be in a multi/);
    const multiReadWithExists = concat(1, 3, 0, OpCode.multiRead, 1, OpCode.exists, 2, 0x2f, 0x61);
    expectMarshalling(() => decodeClientRequest(multiReadWithExists), /op code 3 cannot be in a multiRead/);
    const ops = [{ type: 'sync', path: '/a' }] as unknown as CreateOp[];
    expectMarshalling(() => encodeClientRequest({ xid: 1, body: { type: 'multi', ops } }), /cannot be in a multi/);
    const reads = [{ type: 'exists', path: '/a' }] as never[];
    expectMarshalling(() => encodeClientRequest({ xid: 1, body: { type: 'multiRead', ops: reads } }), /cannot be in a multiRead/);
  });

  it('a create mode that does not exist is MARSHALLINGERROR', () => {
    const bytes = encodeClientRequest({ xid: 1, body: create({ mode: 6 }) });
    const modeAt = bytes.length - 2;
    expect(bytes[modeAt]).toBe(6);
    bytes[modeAt] = 7;
    expectMarshalling(() => decodeClientRequest(bytes), /request create.mode at byte \d+: 7 exceeds the limit of 6/);
    expectMarshalling(() => encodeClientRequest({ xid: 1, body: create({ mode: 9 as 0 }) }), /create.mode/);
  });

  it('watcher types and add-watch modes are ZooKeeper’s; others are MARSHALLINGERROR', () => {
    const removal = roundTrip({ type: 'removeWatches', path: '/a', watcherType: 'PersistentRecursive', local: false });
    expect(removal).toEqual({ type: 'removeWatches', path: '/a', watcherType: 'PersistentRecursive', local: false });
    const bad = concat(1, 3, 0, 18, 2, 0x2f, 0x61, 6, 0);
    expectMarshalling(() => decodeClientRequest(bad), /watcherType at byte 7: unknown value 6/);
    const badMode = concat(1, 3, 0, [0x80 | (106 & 0x3f), 106 >> 6], 2, 0x2f, 0x61, 2);
    expectMarshalling(() => decodeClientRequest(badMode), /addWatch.mode at byte 8: unknown value 2/);
  });

  it('limits: path, data, ACL entries and multi ops beyond their maximum are refused both ways', () => {
    const longPath = `/${'p'.repeat(MAX_PATH_BYTES)}`;
    expectMarshalling(() => encodeClientRequest({ xid: 1, body: { type: 'sync', path: longPath } }), /sync.path: 4097 UTF-8 bytes exceed the limit of 4096/);
    expect(roundTrip({ type: 'sync', path: longPath.slice(1) })).toEqual({ type: 'sync', path: longPath.slice(1) });
    const pathBytes = concat(1, 3, 0, OpCode.sync, varUint(MAX_PATH_BYTES + 1), new Uint8Array(MAX_PATH_BYTES + 1).fill(0x61));
    expectMarshalling(() => decodeClientRequest(pathBytes), /sync.path at byte 4: 4097 exceeds the limit of 4096/);

    const data = new Uint8Array(MAX_DATA_FIELD_BYTES + 1);
    expectMarshalling(() => encodeClientRequest({ xid: 1, body: create({ data }) }), /create.data: 1048576 bytes exceed the limit of 1048575/);
    const largest = roundTrip(create({ data: data.subarray(1) })) as CreateOp;
    expect(largest.data.length).toBe(MAX_DATA_FIELD_BYTES);
    expect(Buffer.compare(largest.data, data.subarray(1))).toBe(0);

    const acl = Array.from({ length: MAX_ACL_ENTRIES + 1 }, () => ({ perms: 1, id: { scheme: 'world', id: 'anyone' } }));
    expectMarshalling(() => encodeClientRequest({ xid: 1, body: create({ acl }) }), /acl count: 1025 is not an integer in \[0, 1024\]/);

    const ops = Array.from({ length: MAX_MULTI_OPS + 1 }, () => ({ type: 'check' as const, path: '/', version: 0 }));
    expectMarshalling(() => encodeClientRequest({ xid: 1, body: { type: 'multi', ops } }), /multi count/);
    const manyOps = concat(1, 3, 0, OpCode.multi, varUint(MAX_MULTI_OPS + 1));
    expectMarshalling(() => decodeClientRequest(manyOps), /multi count at byte 4: 10001 exceeds the limit of 10000/);
  });

  it('paths travel as given: their validation is the server’s (BADARGUMENTS, as ZooKeeper)', () => {
    for (const path of ['', 'relative', '/a//b', '/a/', '/./x', '/with\u0000nul']) {
      expect(roundTrip({ type: 'exists', path, watch: false })).toEqual({ type: 'exists', path, watch: false });
    }
  });

  it('a request truncated anywhere is MARSHALLINGERROR', () => {
    fc.assert(
      fc.property(clientRequest, (request) => {
        const bytes = encodeClientRequest(request);
        for (let length = 0; length < bytes.length; length++) {
          expectMarshalling(() => decodeClientRequest(bytes.subarray(0, length)));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('a malformed request object is MARSHALLINGERROR, not a TypeError', () => {
    expectMarshalling(() => encodeClientRequest({ xid: 1, body: { type: 'nope' } as unknown as RequestBody }), /unknown request type nope/);
    expectMarshalling(() => encodeClientRequest({ xid: 1, body: { type: 'create' } as unknown as RequestBody }), /request create/);
    expectMarshalling(() => encodeClientRequest({ xid: 1.5, body: { type: 'ping' } }), /request xid/);
    expectMarshalling(() => encodeClientRequest(null as never), /request/);
  });
});
