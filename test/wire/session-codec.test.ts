import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors/error-code.js';
import type { ClientFrame, ReplicaFrame } from '../../src/wire/client-message.js';
import { MAX_PASSWORD_BYTES } from '../../src/wire/limits.js';
import {
  decodeClientFrame,
  decodeConnectRequest,
  decodeConnectResponse,
  decodeReplicaFrame,
  decodeWatchNotification,
  encodeClientFrame,
  encodeConnectRequest,
  encodeConnectResponse,
  encodeReplicaFrame,
  encodeWatchNotification,
} from '../../src/wire/session-codec.js';
import { clientRequest, connectRequest, connectResponse, serverReply, watchNotification } from './arbitraries.js';
import { expectMarshalling } from './expect-marshalling.js';

const clientFrame: fc.Arbitrary<ClientFrame> = fc.oneof(
  connectRequest.map((message) => ({ kind: 'connectRequest' as const, message })),
  clientRequest.map((message) => ({ kind: 'request' as const, message })),
);

const replicaFrame: fc.Arbitrary<ReplicaFrame> = fc.oneof(
  connectResponse.map((message) => ({ kind: 'connectResponse' as const, message })),
  serverReply.map((message) => ({ kind: 'reply' as const, message })),
  watchNotification.map((message) => ({ kind: 'watchEvent' as const, message })),
);

describe('session codec', () => {
  it('connect request and response round-trip, extreme ids and zxids included', () => {
    fc.assert(
      fc.property(connectRequest, connectResponse, (request, response) => {
        expect(decodeConnectRequest(encodeConnectRequest(request))).toEqual(request);
        expect(decodeConnectResponse(encodeConnectResponse(response))).toEqual(response);
      }),
      { numRuns: 200 },
    );
  });

  it('watch notifications round-trip for every event type and keeper state', () => {
    fc.assert(
      fc.property(watchNotification, (event) => {
        const bytes = encodeWatchNotification(event);
        expect(decodeWatchNotification(bytes)).toEqual(event);
        expect(encodeWatchNotification(decodeWatchNotification(bytes))).toEqual(bytes);
      }),
      { numRuns: 200 },
    );
  });

  it('a client frame and a replica frame decode to the kind that was sent', () => {
    fc.assert(
      fc.property(clientFrame, replicaFrame, (sent, answered) => {
        const clientBytes = encodeClientFrame(sent);
        expect(decodeClientFrame(clientBytes)).toEqual(sent);
        expect(encodeClientFrame(decodeClientFrame(clientBytes))).toEqual(clientBytes);
        const replicaBytes = encodeReplicaFrame(answered);
        expect(decodeReplicaFrame(replicaBytes)).toEqual(answered);
        expect(encodeReplicaFrame(decodeReplicaFrame(replicaBytes))).toEqual(replicaBytes);
      }),
      { numRuns: 200 },
    );
  });

  it('a client cannot send replica frames, nor a replica client frames', () => {
    const reply = encodeReplicaFrame({ kind: 'reply', message: { xid: 1, zxid: 1n, err: ErrorCode.OK, body: { type: 'ping' } } });
    expectMarshalling(() => decodeClientFrame(reply), /frame kind 4 is not one of 1, 3/);
    const connect = encodeClientFrame({
      kind: 'connectRequest',
      message: { lastZxidSeen: 0n, timeoutMs: 30_000, sessionId: 0n, password: new Uint8Array(16), readOnly: false },
    });
    expectMarshalling(() => decodeReplicaFrame(connect), /frame kind 1 is not one of 2, 4, 5/);
    expectMarshalling(() => encodeClientFrame({ kind: 'reply' } as unknown as ClientFrame), /unknown kind reply/);
    expectMarshalling(() => encodeClientFrame(null as unknown as ClientFrame), /client frame/);
    expectMarshalling(() => encodeReplicaFrame(undefined as unknown as ReplicaFrame), /replica frame/);
  });

  it('an unknown event type or keeper state is MARSHALLINGERROR', () => {
    const event = encodeWatchNotification({ type: 'NodeDeleted', state: 'SyncConnected', path: '/a', zxid: 4n });
    const badType = event.slice();
    badType[2] = 8;
    expectMarshalling(() => decodeWatchNotification(badType), /watchEvent.type at byte 2: unknown value 8/);
    const badState = event.slice();
    badState[3] = 1;
    expectMarshalling(() => decodeWatchNotification(badState), /watchEvent.state at byte 3: unknown value 1/);
    const bad = { type: 'NodeGone', state: 'SyncConnected', path: '/a', zxid: 1n } as unknown as Parameters<typeof encodeWatchNotification>[0];
    expectMarshalling(() => encodeWatchNotification(bad), /unknown name/);
  });

  it('a session password longer than the limit is refused both ways', () => {
    const message = { timeoutMs: 1, sessionId: 1n, password: new Uint8Array(MAX_PASSWORD_BYTES + 1), readOnly: false };
    expectMarshalling(() => encodeConnectResponse(message), /password: 65 bytes exceed the limit of 64/);
    const bytes = encodeConnectResponse({ ...message, password: new Uint8Array(MAX_PASSWORD_BYTES) });
    bytes[11] = MAX_PASSWORD_BYTES + 1;
    expectMarshalling(() => decodeConnectResponse(bytes), /password at byte 11: 65 exceeds the limit of 64/);
  });
});
