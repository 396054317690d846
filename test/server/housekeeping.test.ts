import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors/error-code.js';
import { CreateMode } from '../../src/tree/create-mode.js';
import { CoreCluster } from './core-cluster.js';
import { create, del, exists, getData } from './requests.js';

function cluster(options: ConstructorParameters<typeof CoreCluster>[0]['options'] = {}): CoreCluster {
  const c = new CoreCluster({ voters: 3, options });
  c.elect('r1');
  return c;
}

describe('housekeeping', () => {
  it('the leader deletes an emptied container by a txn every replica applies', () => {
    const c = cluster({ sweepIntervalMs: 200 });
    const client = c.session('r2');
    const watcher = c.session('r3');
    client.send(create('/box', '', CreateMode.CONTAINER));
    client.send(create('/box/item'));
    client.send(del('/box/item'));
    c.settle();
    watcher.send(exists('/box', true));
    c.settle();
    const before = c.core('r1').status().lastZxid;
    c.tick(400);
    expect(watcher.events().map((e) => `${e.type}:${e.path}`)).toEqual(['NodeDeleted:/box']);
    for (const id of c.ids) expect(c.core(id).status().lastZxid).toBe(before + 1n);
    expect(c.core('r2').status().digest).toBe(c.core('r1').status().digest);
  });

  it('a TTL node is deleted once it is older than its TTL and has no children', () => {
    const c = cluster({ sweepIntervalMs: 100 });
    const client = c.session('r2');
    client.send(create('/ttl', '', CreateMode.PERSISTENT_WITH_TTL, undefined, 500));
    c.settle();
    c.tick(300);
    const early = client.send(exists('/ttl'));
    c.settle();
    expect(client.reply(early)?.body).toMatchObject({ type: 'exists', stat: { version: 0 } });
    c.tick(500);
    const late = client.send(exists('/ttl'));
    c.settle();
    expect(client.reply(late)?.body).toEqual({ type: 'exists', stat: null });
  });

  it('snapshot + restart of a replica restores its tree and sessions', () => {
    const c = cluster({ snapshotEveryEntries: 5 });
    const client = c.session('r2', { timeoutMs: 60_000 });
    for (let i = 0; i < 12; i++) client.send(create(`/snap${i}`, `d${i}`));
    client.send(create('/snap-eph', '', CreateMode.EPHEMERAL));
    c.settle();
    expect(c.core('r2').status().snapshotIndex).toBeGreaterThan(0);
    const digest = c.core('r1').status().digest;
    c.crash('r2');
    c.restart('r2');
    c.tick(100);
    const status = c.core('r2').status();
    expect(status.digest).toBe(digest);
    expect(status.sessionCount).toBe(1);
    const back = c.connect('r2', { sessionId: client.sessionId, password: client.password, lastZxidSeen: client.lastZxid }, 100);
    c.settle();
    expect(back.connectResponse?.sessionId).toBe(client.sessionId);
    const read = back.send(getData('/snap11'));
    c.settle();
    expect(back.reply(read)?.err).toBe(ErrorCode.OK);
  });

  it('a follower behind the compacted log catches up from the leader snapshot', () => {
    const c = cluster({ snapshotEveryEntries: 3 });
    const client = c.session('r1');
    const behind = c.core('r3').status().appliedIndex;
    c.crash('r3');
    for (let i = 0; i < 10; i++) {
      client.send(create(`/far${i}`));
      c.settle();
    }
    expect(c.core('r1').status().firstIndex).toBeGreaterThan(behind + 1);
    c.restart('r3');
    c.tick(200);
    expect(c.core('r3').status().digest).toBe(c.core('r1').status().digest);
    expect(c.core('r3').status().lastZxid).toBe(c.core('r1').status().lastZxid);
  });
});

describe('status', () => {
  it('reports role, term, lag per follower, sessions, watches and latency', () => {
    const c = cluster();
    const client = c.session('r2');
    client.send(create('/st'));
    client.send(getData('/st', true));
    c.settle();
    const leader = c.core('r1').status();
    expect(leader.role).toBe('leader');
    expect(leader.term).toBe(2);
    expect(leader.leaderReady).toBe(true);
    expect(leader.peers.map((p) => [p.id, p.lagEntries])).toEqual([
      ['r2', 0],
      ['r3', 0],
    ]);
    const follower = c.core('r2').status();
    expect(follower.role).toBe('follower');
    expect(follower.leader).toBe('r1');
    expect(follower.sessionCount).toBe(1);
    expect(follower.connections).toHaveLength(1);
    expect(follower.connections[0]).toMatchObject({ sessionId: client.sessionId, received: 2, sent: 3 });
    expect(follower.watches).toMatchObject({ total: 1, watchers: 1, paths: 1 });
    expect(follower.latency.count).toBe(2);
    expect(follower.outstandingRequests).toBe(0);
  });

  it('an observer replicates and serves clients but does not vote', () => {
    const c = new CoreCluster({ voters: 3, observers: 1 });
    c.elect('r1');
    const client = c.session('o1');
    const xid = client.send(create('/obs'));
    c.settle();
    expect(client.reply(xid)?.err).toBe(ErrorCode.OK);
    expect(c.core('o1').status().role).toBe('observer');
    expect(c.core('o1').status().learners).toEqual(['o1']);
  });
});
