import { describe, expect, it } from 'vitest';
import { makeZxid } from '../../src/consensus/zxid.js';
import { ErrorCode } from '../../src/errors/error-code.js';
import { CreateMode } from '../../src/tree/create-mode.js';
import { CoreCluster } from './core-cluster.js';
import { create, exists, getData, setData } from './requests.js';

function cluster(voters = 3, options: ConstructorParameters<typeof CoreCluster>[0]['options'] = {}): CoreCluster {
  const c = new CoreCluster({ voters, options });
  c.elect('r1');
  return c;
}

describe('sessions', () => {
  it('a session id is the zxid of its createSession txn', () => {
    const c = cluster();
    const client = c.session('r2');
    expect(client.sessionId).toBe(makeZxid(2, 1));
    expect(client.password).toHaveLength(16);
  });

  it('the session timeout is negotiated into [minSessionTimeoutMs, maxSessionTimeoutMs]', () => {
    const c = cluster(3, { minSessionTimeoutMs: 200, maxSessionTimeoutMs: 5_000 });
    expect(c.session('r2', { timeoutMs: 1 }).connectResponse?.timeoutMs).toBe(200);
    expect(c.session('r3', { timeoutMs: 1_000_000 }).connectResponse?.timeoutMs).toBe(5_000);
    expect(c.session('r1', { timeoutMs: 0 }).connectResponse?.timeoutMs).toBe(200);
  });

  it('a session expires after its timeout without activity; its ephemerals go and watches fire', () => {
    const c = cluster();
    const owner = c.session('r2', { timeoutMs: 1_000 });
    const watcher = c.session('r3', { timeoutMs: 60_000 });
    owner.send(create('/eph', '', CreateMode.EPHEMERAL));
    c.settle();
    watcher.send(exists('/eph', true));
    c.settle();
    c.tick(800);
    expect(watcher.events()).toHaveLength(0);
    c.tick(1_000);
    expect(watcher.events().map((e) => [e.type, e.path])).toEqual([['NodeDeleted', '/eph']]);
    expect(owner.closedReason).toBe('session expired');
    const probe = watcher.send(exists('/eph'));
    c.settle();
    expect(watcher.reply(probe)?.body).toEqual({ type: 'exists', stat: null });
    const again = c.connect('r2', { sessionId: owner.sessionId, password: owner.password });
    c.settle();
    expect(again.connectResponse).toEqual({ timeoutMs: 0, sessionId: 0n, password: new Uint8Array(16), readOnly: false });
    expect(again.closed).toBe(true);
  });

  it("pings keep a session alive: the replica reports its sessions' activity to the leader", () => {
    const c = cluster();
    const client = c.session('r3', { timeoutMs: 1_000 });
    for (let i = 0; i < 10; i++) {
      client.send({ type: 'ping' });
      c.tick(300);
    }
    expect(client.closed).toBe(false);
    expect(c.core('r1').status().sessionCount).toBe(1);
    expect(client.replies().every((r) => r.err === ErrorCode.OK && r.body.type === 'ping')).toBe(true);
  });

  it("a fate-shared session ends as soon as its replica's link to the leader goes down", () => {
    const c = cluster();
    const tab = c.session('r2', { fateShared: true, timeoutMs: 60_000 });
    const watcher = c.session('r3');
    tab.send(create('/tab', '', CreateMode.EPHEMERAL));
    c.settle();
    watcher.send(exists('/tab', true));
    c.settle();
    c.crash('r2');
    c.settle();
    expect(watcher.events().map((e) => [e.type, e.path])).toEqual([['NodeDeleted', '/tab']]);
    expect(c.core('r1').status().sessionCount).toBe(1);
  });

  it('a new leader ends the fate-shared sessions of replicas it has no link to, after fateShareGraceMs', () => {
    const c = cluster(5, { fateShareGraceMs: 500 });
    const tab = c.session('r5', { fateShared: true, timeoutMs: 60_000 });
    const plain = c.session('r5', { timeoutMs: 60_000 });
    c.settle();
    c.cutLink('r2', 'r5');
    c.core('r1').transferLeadership('r2');
    c.settle();
    c.tick(10);
    expect(c.leader()).toBe('r2');
    expect(c.core('r2').status().sessionCount).toBe(2);
    c.tick(300);
    expect(c.core('r2').status().sessionCount).toBe(2);
    c.tick(400);
    expect(c.core('r2').status().sessionCount).toBe(1);
    expect(c.core('r3').status().sessionCount).toBe(1);
    // r5 is cut off from the new leader, so it cannot learn the close; its other session lives on.
    expect(tab.sessionId).not.toBe(plain.sessionId);
    expect(plain.closed).toBe(false);
  });

  it('moving a session: the new replica takes it over, the old replica answers SESSIONMOVED', () => {
    const c = cluster();
    const first = c.session('r2');
    first.send(create('/moved', 'v0'));
    c.settle();
    // Only r2 persists: nothing commits until the others' writes complete.
    c.slot('r1').autoDurable = false;
    c.slot('r3').autoDurable = false;
    const second = c.connect('r3', { sessionId: first.sessionId, password: first.password, lastZxidSeen: first.lastZxid }, 100);
    c.settle();
    const late = first.send(setData('/moved', 'v1'));
    c.settle();
    for (let i = 0; i < 20 && (second.connectResponse === undefined || first.reply(late) === undefined); i++) {
      c.completeWrites('r1');
      c.completeWrites('r3');
      c.settle();
    }
    expect(second.connectResponse?.sessionId).toBe(first.sessionId);
    expect(first.reply(late)?.err).toBe(ErrorCode.SESSIONMOVED);
    expect(first.closed).toBe(true);
    c.slot('r1').autoDurable = true;
    c.slot('r3').autoDurable = true;
    c.completeWrites('r1');
    c.completeWrites('r3');
    const write = second.send(setData('/moved', 'v2'));
    c.settle();
    expect(second.reply(write)?.err).toBe(ErrorCode.OK);
  });

  it('a connect with the wrong password is answered "expired" (timeout 0) and closed', () => {
    const c = cluster();
    const client = c.session('r2');
    const wrong = c.connect('r3', { sessionId: client.sessionId, password: new Uint8Array(16).fill(7) });
    c.settle();
    expect(wrong.connectResponse?.timeoutMs).toBe(0);
    expect(wrong.closed).toBe(true);
  });

  it('a replica cut off from the leader takes no reconnect, not even of a session it owns, until it is linked again', () => {
    const c = cluster();
    const client = c.session('r2');
    c.disconnect(client);
    c.partition([['r1', 'r3'], ['r2']]);
    const again = c.connect('r2', { sessionId: client.sessionId, password: client.password, lastZxidSeen: client.lastZxid });
    c.settle();
    c.tick(100);
    expect(again.connectResponse).toBeUndefined();
    c.heal();
    c.settle();
    c.tick(100);
    expect(again.connectResponse?.sessionId).toBe(client.sessionId);
    expect(again.connectResponse?.timeoutMs).toBeGreaterThan(0);
  });

  it('reconnecting to the replica that owns the session re-attaches it without a txn', () => {
    const c = cluster();
    const client = c.session('r2');
    c.disconnect(client);
    const before = c.core('r1').status().lastIndex;
    const again = c.connect('r2', { sessionId: client.sessionId, password: client.password });
    c.settle();
    expect(again.connectResponse?.sessionId).toBe(client.sessionId);
    expect(again.connectResponse?.password).toEqual(client.password);
    expect(c.core('r1').status().lastIndex).toBe(before);
  });

  it('closeSession is answered after its ephemerals are gone and their watches fired', () => {
    const c = cluster();
    const owner = c.session('r2');
    const watcher = c.session('r2');
    owner.send(create('/bye', '', CreateMode.EPHEMERAL));
    c.settle();
    watcher.send(getData('/bye', true));
    c.settle();
    const close = owner.send({ type: 'closeSession' });
    c.settle();
    expect(owner.reply(close)?.body).toEqual({ type: 'closeSession' });
    expect(owner.closedReason).toBe('session closed');
    expect(watcher.events().map((e) => e.type)).toEqual(['NodeDeleted']);
    expect(c.core('r3').status().sessionCount).toBe(1);
  });

  it("a new leader starts every session's clock afresh", () => {
    const c = cluster();
    const client = c.session('r3', { timeoutMs: 1_000 });
    c.tick(800);
    c.core('r1').transferLeadership('r2');
    c.settle();
    c.tick(10);
    expect(c.leader()).toBe('r2');
    c.tick(800);
    expect(client.closed).toBe(false);
    expect(c.core('r2').status().sessionCount).toBe(1);
    c.tick(600);
    expect(client.closed).toBe(true);
  });

  it("closing a connection drops its session's watches but keeps the session", () => {
    const c = cluster();
    const client = c.session('r2');
    client.send(create('/w'));
    client.send(getData('/w', true));
    c.settle();
    expect(c.core('r2').status().watches.total).toBe(1);
    c.disconnect(client);
    expect(c.core('r2').status().watches.total).toBe(0);
    expect(c.core('r2').status().sessionCount).toBe(1);
  });
});
