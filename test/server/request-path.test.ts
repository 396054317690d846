import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors/error-code.js';
import { CreateMode } from '../../src/tree/create-mode.js';
import { CoreCluster } from './core-cluster.js';
import { bytes, create, exists, getChildren, getData, setData, text } from './requests.js';

function cluster3(options: ConstructorParameters<typeof CoreCluster>[0]['options'] = {}): CoreCluster {
  const cluster = new CoreCluster({ voters: 3, options });
  cluster.elect('r1');
  return cluster;
}

describe('the request path', () => {
  it('a follower forwards writes and replies once it applied them itself', () => {
    const cluster = cluster3();
    const client = cluster.session('r2');
    cluster.slot('r2').autoDurable = false;
    cluster.slot('r3').autoDurable = false;
    const xid = client.send(create('/a', 'one'));
    cluster.settle();
    // Only the leader holds the entry durably: no quorum, nothing applied, no reply.
    expect(cluster.core('r1').status().lastZxid).toBe(cluster.core('r2').status().lastZxid);
    expect(client.reply(xid)).toBeUndefined();
    // r3's copy makes a quorum; r2 applies what the leader says is committed, its own copy not durable yet.
    cluster.completeWrites('r3');
    cluster.settle();
    const reply = client.reply(xid);
    expect(reply?.err).toBe(ErrorCode.OK);
    expect(reply?.body).toMatchObject({ type: 'create', path: '/a' });
    expect(reply?.zxid).toBe(cluster.core('r2').status().lastZxid);
    expect(cluster.core('r1').status().lastZxid).toBe(reply?.zxid);
  });

  it("the leader answers once its followers hold a write durably, its own copy still in flight", () => {
    const cluster = cluster3();
    const client = cluster.session('r1');
    cluster.slot('r1').autoDurable = false;
    const xid = client.send(create('/quorum', 'x'));
    cluster.settle();
    expect(client.reply(xid)?.err).toBe(ErrorCode.OK);
    cluster.completeWrites('r1');
  });

  it('the leader serves its own clients the same way, without a hop', () => {
    const cluster = cluster3();
    const client = cluster.session('r1');
    const xid = client.send(create('/leader', 'x'));
    cluster.settle();
    expect(client.reply(xid)?.err).toBe(ErrorCode.OK);
  });

  it('writes are pipelined: several are forwarded before the first is answered', () => {
    const cluster = cluster3();
    const client = cluster.session('r2');
    cluster.slot('r1').autoDurable = false;
    cluster.slot('r3').autoDurable = false;
    for (let i = 0; i < 5; i++) client.send(create(`/p${i}`));
    cluster.settle();
    expect(cluster.core('r2').status().forwardedInFlight).toBe(5);
    expect(client.replies()).toHaveLength(0);
    for (let i = 0; i < 20 && client.replies().length < 5; i++) {
      cluster.completeWrites('r1');
      cluster.completeWrites('r3');
      cluster.settle();
    }
    expect(client.replies().map((r) => r.xid)).toEqual([1, 2, 3, 4, 5]);
  });

  it("one turn's txns go into one log entry", () => {
    const cluster = cluster3();
    const client = cluster.session('r1');
    const before = cluster.core('r1').status().lastIndex;
    for (let i = 0; i < 10; i++) client.send(create(`/batch${i}`));
    cluster.settle();
    expect(client.replies().every((r) => r.err === ErrorCode.OK)).toBe(true);
    expect(cluster.core('r1').status().lastIndex).toBe(before + 1);
  });

  it('an entry holds at most maxTxnsPerEntry txns', () => {
    const cluster = cluster3({ maxTxnsPerEntry: 3 });
    const client = cluster.session('r1');
    const before = cluster.core('r1').status().lastIndex;
    for (let i = 0; i < 10; i++) client.send(create(`/small${i}`));
    cluster.settle();
    expect(client.replies()).toHaveLength(10);
    expect(cluster.core('r1').status().lastIndex).toBe(before + 4);
  });

  it('replies leave in request order, reads included', () => {
    const cluster = cluster3();
    const client = cluster.session('r3');
    const xids = [
      client.send(create('/o')),
      client.send(getData('/o')),
      client.send(setData('/o', 'v1')),
      client.send(exists('/o')),
      client.send(create('/o/c')),
      client.send(getChildren('/o')),
    ];
    cluster.settle();
    expect(client.replies().map((r) => r.xid)).toEqual(xids);
  });

  it("a client's reads never overtake its own earlier writes", () => {
    const cluster = cluster3();
    const client = cluster.session('r2');
    client.send(create('/r', 'first'));
    client.send(setData('/r', 'second'));
    const read = client.send(getData('/r'));
    cluster.settle();
    const body = client.reply(read)?.body;
    expect(body?.type === 'getData' && text(body.data)).toBe('second');
  });

  it('a write behind a waiting read is not forwarded before the read ran', () => {
    const cluster = cluster3();
    const client = cluster.session('r2');
    client.send(create('/w', 'zero'));
    cluster.settle();
    cluster.slot('r1').autoDurable = false;
    cluster.slot('r3').autoDurable = false;
    client.send(setData('/w', 'one'));
    const read = client.send(getData('/w'));
    client.send(setData('/w', 'two'));
    cluster.settle();
    // Only the first setData went; the read waits for it, and the second write waits for the read.
    expect(cluster.core('r2').status().forwardedInFlight).toBe(1);
    for (let i = 0; i < 20 && client.replies().length < 4; i++) {
      cluster.completeWrites('r1');
      cluster.completeWrites('r3');
      cluster.settle();
    }
    const body = client.reply(read)?.body;
    expect(body?.type === 'getData' && text(body.data)).toBe('one');
  });

  it('a failed write consumes a zxid', () => {
    const cluster = cluster3();
    const client = cluster.session('r2');
    const first = client.send(create('/z'));
    const failed = client.send(create('/z'));
    const third = client.send(create('/z2'));
    cluster.settle();
    const zxidOf = (xid: number) => client.reply(xid)?.zxid ?? 0n;
    expect(client.reply(failed)?.err).toBe(ErrorCode.NODEEXISTS);
    expect(zxidOf(failed)).toBe(zxidOf(first) + 1n);
    expect(zxidOf(third)).toBe(zxidOf(first) + 2n);
  });

  it('a sequential create gets the parent counter; create2 and getChildren2 answer like their plain forms', () => {
    const cluster = cluster3();
    const client = cluster.session('r2');
    client.send(create('/q'));
    const seq = client.send({ type: 'create2', path: '/q/n-', data: bytes(''), acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], mode: CreateMode.PERSISTENT_SEQUENTIAL, ttlMs: 0 });
    const children = client.send({ type: 'getChildren2', path: '/q', watch: false });
    cluster.settle();
    expect(client.reply(seq)?.body).toMatchObject({ type: 'create', path: '/q/n-0000000000' });
    expect(client.reply(children)?.body).toMatchObject({ type: 'getChildren', children: ['n-0000000000'] });
  });

  it('multiRead answers each op, errors per op', () => {
    const cluster = cluster3();
    const client = cluster.session('r3');
    client.send(create('/m', 'data'));
    const xid = client.send({ type: 'multiRead', ops: [{ type: 'getData', path: '/m' }, { type: 'getChildren', path: '/missing' }] });
    cluster.settle();
    const body = client.reply(xid)?.body;
    expect(body?.type).toBe('multiRead');
    if (body?.type !== 'multiRead') return;
    expect(body.results[0]?.type).toBe('getData');
    expect(body.results[1]).toEqual({ type: 'error', code: ErrorCode.NONODE });
  });

  it("getEphemerals lists the session's own ephemerals only", () => {
    const cluster = cluster3();
    const mine = cluster.session('r2');
    const other = cluster.session('r3');
    mine.send(create('/e1', '', CreateMode.EPHEMERAL));
    other.send(create('/e2', '', CreateMode.EPHEMERAL));
    cluster.settle();
    const xid = mine.send({ type: 'getEphemerals', prefix: '/' });
    cluster.settle();
    expect(mine.reply(xid)?.body).toEqual({ type: 'getEphemerals', paths: ['/e1'] });
  });

  it('a multi is all or nothing and still takes one zxid when it fails', () => {
    const cluster = cluster3();
    const client = cluster.session('r2');
    const ok = client.send({ type: 'multi', ops: [create('/mu') as never, { type: 'check', path: '/mu', version: 0 }] });
    const bad = client.send({ type: 'multi', ops: [create('/mu2') as never, { type: 'check', path: '/nope', version: 0 }] });
    const probe = client.send(exists('/mu2'));
    cluster.settle();
    expect(client.reply(ok)?.body).toMatchObject({ type: 'multi' });
    const failed = client.reply(bad);
    expect(failed?.err).toBe(ErrorCode.OK);
    expect(failed?.body).toEqual({
      type: 'multi',
      results: [
        { type: 'error', code: ErrorCode.OK },
        { type: 'error', code: ErrorCode.NONODE },
      ],
    });
    expect(client.reply(probe)?.body).toEqual({ type: 'exists', stat: null });
    expect(failed?.zxid).toBe((client.reply(ok)?.zxid ?? 0n) + 1n);
  });

  it('a session over maxQueuedPerSession gets THROTTLEDOP for the excess, in order', () => {
    const cluster = cluster3({ maxQueuedPerSession: 3 });
    const client = cluster.session('r2');
    cluster.slot('r1').autoDurable = false;
    for (let i = 0; i < 5; i++) client.send(create(`/t${i}`));
    cluster.settle();
    for (let i = 0; i < 20 && client.replies().length < 5; i++) {
      cluster.completeWrites('r1');
      cluster.settle();
    }
    expect(client.replies().map((r) => [r.xid, r.err])).toEqual([
      [1, 0],
      [2, 0],
      [3, 0],
      [4, ErrorCode.THROTTLEDOP],
      [5, ErrorCode.THROTTLEDOP],
    ]);
  });

  it('the leader keeps at most maxUncommittedTxns in flight; the rest wait in its queue', () => {
    const cluster = cluster3({ maxUncommittedTxns: 2 });
    const client = cluster.session('r2');
    cluster.slot('r1').autoDurable = false;
    cluster.slot('r3').autoDurable = false;
    for (let i = 0; i < 6; i++) client.send(create(`/u${i}`));
    cluster.settle();
    const status = cluster.core('r1').status();
    expect(status.uncommittedTxns).toBe(2);
    expect(status.leaderQueue).toBe(4);
    for (let i = 0; i < 50 && client.replies().length < 6; i++) {
      cluster.completeWrites('r1');
      cluster.completeWrites('r3');
      cluster.settle();
    }
    expect(client.replies().map((r) => r.err)).toEqual([0, 0, 0, 0, 0, 0]);
  });
});
