import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors/error-code.js';
import { CoreCluster } from './core-cluster.js';
import { create, getData } from './requests.js';

describe('leader change', () => {
  it('leader change fails in-flight writes, and everything queued behind them, with CONNECTIONLOSS', () => {
    const cluster = new CoreCluster({ voters: 3 });
    cluster.elect('r1');
    const client = cluster.session('r2');
    cluster.slot('r1').autoDurable = false;
    cluster.slot('r3').autoDurable = false;
    const write = client.send(create('/lost'));
    const read = client.send(getData('/lost'));
    const after = client.send(create('/after'));
    cluster.settle();
    expect(client.replies()).toHaveLength(0);
    cluster.pause('r1');
    cluster.slot('r3').autoDurable = true;
    cluster.completeWrites('r3');
    cluster.tick(1_000);
    expect(cluster.leader()).not.toBe('r1');
    expect(client.replies().map((r) => [r.xid, r.err])).toEqual([
      [write, ErrorCode.CONNECTIONLOSS],
      [read, ErrorCode.CONNECTIONLOSS],
      [after, ErrorCode.CONNECTIONLOSS],
    ]);
    expect(client.closed).toBe(true);
  });

  it('a leader whose tab leaves (its links close with bye) is replaced without waiting out an election timeout', () => {
    const left = new CoreCluster({ voters: 3 });
    left.elect('r1');
    left.leave('r1');
    // 50 ms: the successor's grace (3 ticks of 10 ms), far below the election timeout (100-200 ms).
    left.tick(50);
    left.settle();
    expect(left.leader()).toBe('r2');
    // The same without the bye (a crash): nobody campaigns before a timeout.
    const crashed = new CoreCluster({ voters: 3 });
    crashed.elect('r1');
    crashed.crash('r1');
    crashed.tick(50);
    crashed.settle();
    expect(crashed.leader()).toBeNull();
    const client = left.session('r3');
    const write = client.send(create('/after-leave'));
    left.settle();
    expect(client.reply(write)?.err).toBe(ErrorCode.OK);
  });

  it('a session without writes in flight keeps its connection across a leader change', () => {
    const cluster = new CoreCluster({ voters: 3 });
    cluster.elect('r1');
    const client = cluster.session('r2');
    const quiet = client.send(create('/quiet'));
    cluster.settle();
    expect(client.reply(quiet)?.err).toBe(ErrorCode.OK);
    cluster.pause('r1');
    cluster.tick(1_000);
    const leader = cluster.leader();
    expect(leader === 'r2' || leader === 'r3').toBe(true);
    expect(client.closed).toBe(false);
    const next = client.send(create('/next'));
    cluster.settle();
    expect(client.reply(next)?.err).toBe(ErrorCode.OK);
  });

  it("losing the link to the leader fails the writes forwarded over it", () => {
    const cluster = new CoreCluster({ voters: 3 });
    cluster.elect('r1');
    const client = cluster.session('r3');
    cluster.slot('r1').autoDurable = false;
    cluster.slot('r2').autoDurable = false;
    const write = client.send(create('/cut'));
    cluster.settle();
    cluster.partition([['r1', 'r2'], ['r3']]);
    cluster.settle();
    expect(client.reply(write)?.err).toBe(ErrorCode.CONNECTIONLOSS);
    expect(client.closed).toBe(true);
  });

  it('a replica that does not lead refuses forwarded requests', () => {
    const cluster = new CoreCluster({ voters: 3 });
    cluster.elect('r1');
    const follower = cluster.core('r2');
    follower.peerMessage('r3', { type: 'forward', requests: [{ sessionId: 5n, cxid: 9, authIds: [], op: { type: 'delete', path: '/x', version: -1 } }] });
    const refused = follower.takeEffects().peerMessages.find((send) => send.message.type === 'forwardRefused');
    expect(refused).toEqual({ to: 'r3', message: { type: 'forwardRefused', requests: [{ sessionId: 5n, cxid: 9 }], leader: 'r1' } });
  });

  it('a new leader holds requests until it has applied the entries before its term, then serves them', () => {
    const cluster = new CoreCluster({ voters: 3 });
    cluster.elect('r1');
    const client = cluster.session('r2');
    // The voters hold their writes: the new leader's first entry cannot commit until they complete.
    cluster.slot('r1').autoDurable = false;
    cluster.slot('r2').autoDurable = false;
    cluster.core('r1').transferLeadership('r3');
    for (let i = 0; i < 20 && cluster.core('r3').status().role !== 'leader'; i++) {
      cluster.settle();
      if (cluster.core('r3').status().role === 'leader') break;
      cluster.completeWrites('r1');
      cluster.completeWrites('r2');
    }
    expect(cluster.core('r3').status().role).toBe('leader');
    expect(cluster.core('r3').status().leaderReady).toBe(false);
    const xid = client.send(create('/held'));
    cluster.settle();
    expect(cluster.core('r3').status().leaderQueue).toBe(1);
    expect(client.reply(xid)).toBeUndefined();
    for (let i = 0; i < 20 && client.reply(xid) === undefined; i++) {
      cluster.completeWrites('r1');
      cluster.completeWrites('r2');
      cluster.settle();
    }
    expect(cluster.core('r3').status().leaderReady).toBe(true);
    expect(client.reply(xid)?.err).toBe(ErrorCode.OK);
    expect(client.reply(xid)?.zxid).toBe((3n << 32n) | 1n);
  });

  it('a replica without a leader closes its clients after leaderlessGraceMs', () => {
    const cluster = new CoreCluster({ voters: 3, options: { leaderlessGraceMs: 500 } });
    cluster.elect('r1');
    const client = cluster.session('r3');
    cluster.partition([['r1', 'r2'], ['r3']]);
    cluster.tick(300);
    expect(cluster.core('r3').status().leader).toBeNull();
    expect(client.closed).toBe(false);
    cluster.tick(1_000);
    expect(client.closed).toBe(true);
  });
});

describe('without a leader', () => {
  it('a replica without a leader holds pings until a leader is known again', () => {
    const cluster = new CoreCluster({ voters: 3, options: { leaderlessGraceMs: 60_000 } });
    cluster.elect('r1');
    const client = cluster.session('r3');
    cluster.partition([['r1', 'r2'], ['r3']]);
    const ping = client.send({ type: 'ping' });
    cluster.tick(300);
    expect(client.reply(ping)).toBeUndefined();
    cluster.heal();
    cluster.tick(300);
    expect(client.reply(ping)?.err).toBe(ErrorCode.OK);
  });
});
