import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors/error-code.js';
import { EntryBatcher } from '../../src/server/entry-batcher.js';
import { chunkRequests } from '../../src/server/forwarder.js';
import type { ForwardedRequest } from '../../src/server/peer-message.js';
import { decodeSessionTable, encodeSessionTable } from '../../src/server/session-table-codec.js';
import { SessionTable } from '../../src/session/session-table.js';
import { MAX_FORWARD_REQUESTS } from '../../src/wire/limits.js';
import { CoreCluster } from './core-cluster.js';
import { create } from './requests.js';

function cluster(options: ConstructorParameters<typeof CoreCluster>[0]['options'] = {}): CoreCluster {
  const c = new CoreCluster({ voters: 3, options });
  c.elect('r1');
  return c;
}

describe('limits and bad input', () => {
  it('a replica serves at most maxClients connections; the next is closed with the reason', () => {
    const c = cluster({ maxClients: 2 });
    c.session('r2');
    c.session('r2');
    const third = c.connect('r2');
    c.settle();
    expect(third.closedReason).toMatch(/maxClients/);
  });

  it('a request before the ConnectRequest closes the connection', () => {
    const c = cluster();
    const core = c.core('r2');
    core.clientOpen(99, { fateShared: false });
    core.clientRequest(99, { xid: 1, body: { type: 'ping' } });
    expect(core.takeEffects().clientCloses).toEqual([{ connectionId: 99, reason: 'a request before the ConnectRequest' }]);
  });

  it('a second ConnectRequest on one connection closes it', () => {
    const c = cluster();
    const client = c.session('r2');
    c.core('r2').clientConnect(client.connectionId, { lastZxidSeen: 0n, timeoutMs: 1000, sessionId: 0n, password: new Uint8Array(16), readOnly: false });
    c.settle();
    expect(client.closedReason).toBe('a second ConnectRequest on one connection');
  });

  it('at most maxForwardedInFlight writes are forwarded; the rest wait in their session queues', () => {
    const c = cluster({ maxForwardedInFlight: 2 });
    const client = c.session('r2');
    c.slot('r1').autoDurable = false;
    c.slot('r3').autoDurable = false;
    for (let i = 0; i < 5; i++) client.send(create(`/f${i}`));
    c.settle();
    expect(c.core('r2').status().forwardedInFlight).toBe(2);
    expect(c.core('r2').status().outstandingRequests).toBe(5);
    for (let i = 0; i < 40 && client.replies().length < 5; i++) {
      c.completeWrites('r1');
      c.completeWrites('r3');
      c.settle();
    }
    expect(client.replies().map((r) => r.err)).toEqual([0, 0, 0, 0, 0]);
  });

  it('a full leader queue refuses forwards: the origin fails that session with CONNECTIONLOSS', () => {
    const c = cluster({ maxLeaderQueue: 2, maxUncommittedTxns: 1 });
    const client = c.session('r2');
    c.slot('r1').autoDurable = false;
    c.slot('r3').autoDurable = false;
    for (let i = 0; i < 6; i++) client.send(create(`/q${i}`));
    c.settle();
    expect(client.replies().map((r) => r.err)).toEqual(Array(6).fill(ErrorCode.CONNECTIONLOSS));
    expect(client.closed).toBe(true);
  });

  it('forwards are cut into messages within the peer codec limits', () => {
    const request = (i: number): ForwardedRequest => ({ sessionId: 1n, cxid: i, authIds: [], op: { type: 'delete', path: `/d${i}`, version: -1 } });
    const many = Array.from({ length: MAX_FORWARD_REQUESTS + 5 }, (_, i) => request(i));
    expect(chunkRequests(many).map((chunk) => chunk.length)).toEqual([MAX_FORWARD_REQUESTS, 5]);
    const big = (i: number): ForwardedRequest => ({ sessionId: 1n, cxid: i, authIds: [], op: { type: 'setData', path: '/big', data: new Uint8Array(1_000_000), version: -1 } });
    const chunks = chunkRequests(Array.from({ length: 10 }, (_, i) => big(i)));
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.flat().map((r) => r.cxid)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('one entry holds about maxEntryBytes of txns; a larger txn gets an entry of its own', () => {
    const batcher = new EntryBatcher(100, 10_000);
    const record = (size: number) => ({
      header: { sessionId: 1n, cxid: 1, zxid: 1n, timeMs: 0 },
      txn: { type: 'setData' as const, path: '/x', data: new Uint8Array(size), version: 1 },
    });
    batcher.add(record(4_000));
    batcher.add(record(4_000));
    batcher.add(record(4_000));
    batcher.add(record(50_000));
    batcher.add(record(10));
    expect(batcher.take().map((entry) => entry.length)).toEqual([2, 1, 1, 1]);
  });

  it('the session table round-trips through its snapshot encoding; bad bytes are MARSHALLINGERROR', () => {
    const table = new SessionTable();
    table.create({ sessionId: 5n, timeoutMs: 3000, passwordDigest: new Uint8Array(20).fill(1), ownerReplica: 'r2', fateShared: true });
    table.create({ sessionId: 9n, timeoutMs: 4000, passwordDigest: new Uint8Array(20).fill(2), ownerReplica: 'r3', fateShared: false });
    const bytes = encodeSessionTable(table);
    expect(decodeSessionTable(bytes).list()).toEqual(table.list());
    expect(() => decodeSessionTable(bytes.subarray(0, bytes.length - 2))).toThrow(/MARSHALLINGERROR/);
  });
});
