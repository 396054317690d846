import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors/error-code.js';
import { CREATOR_ALL_ACL, OPEN_ACL_UNSAFE, Perms, generateDigest } from '../../src/tree/acl.js';
import { CreateMode } from '../../src/tree/create-mode.js';
import { CoreCluster } from './core-cluster.js';
import { bytes, create, exists, getData, setData, sync, text } from './requests.js';

function cluster(options: ConstructorParameters<typeof CoreCluster>[0]['options'] = {}): CoreCluster {
  const c = new CoreCluster({ voters: 3, options });
  c.elect('r1');
  return c;
}

function dataOf(body: unknown): string | undefined {
  const b = body as { type?: string; data?: Uint8Array };
  return b.type === 'getData' && b.data !== undefined ? text(b.data) : undefined;
}

describe('reads and lastZxidSeen', () => {
  it("a lagging replica holds a connect until it has applied the client's lastZxidSeen", () => {
    const c = cluster();
    const writer = c.session('r1');
    c.partition([['r1', 'r2'], ['r3']]);
    for (let i = 0; i < 3; i++) writer.send(create(`/lag${i}`));
    c.settle();
    const seen = writer.lastZxid;
    expect(c.core('r3').status().lastZxid).toBeLessThan(seen);
    const late = c.connect('r3', { lastZxidSeen: seen });
    c.tick(100);
    expect(late.connectResponse).toBeUndefined();
    expect(late.closed).toBe(false);
    c.heal();
    c.tick(100);
    expect(late.connectResponse?.sessionId).not.toBe(0n);
    const read = late.send(exists('/lag2'));
    c.settle();
    expect(late.reply(read)?.body).toMatchObject({ type: 'exists', stat: { czxid: seen } });
  });

  it('a connect that waited longer than connectWaitMs is refused', () => {
    const c = cluster({ connectWaitMs: 300, leaderlessGraceMs: 60_000 });
    const writer = c.session('r1');
    c.partition([['r1', 'r2'], ['r3']]);
    writer.send(create('/ahead'));
    c.settle();
    const late = c.connect('r3', { lastZxidSeen: writer.lastZxid });
    c.tick(500);
    expect(late.connectResponse).toBeUndefined();
    expect(late.closedReason).toMatch(/behind the client's/);
  });

  it('sync then read sees every write committed before the sync', () => {
    const c = cluster();
    const writer = c.session('r1');
    const reader = c.session('r3');
    writer.send(create('/s', 'v0'));
    c.settle();
    c.partition([['r1', 'r2'], ['r3']]);
    for (let i = 1; i <= 5; i++) writer.send(setData('/s', `v${i}`));
    c.settle();
    expect(writer.replies().at(-1)?.err).toBe(ErrorCode.OK);
    const stale = reader.send(getData('/s'));
    c.settle();
    expect(dataOf(reader.reply(stale)?.body)).toBe('v0');
    c.heal();
    const synced = reader.send(sync('/s'));
    const fresh = reader.send(getData('/s'));
    for (let i = 0; i < 20 && reader.reply(fresh) === undefined; i++) c.tick(10);
    expect(reader.reply(synced)?.body).toEqual({ type: 'sync', path: '/s' });
    expect(dataOf(reader.reply(fresh)?.body)).toBe('v5');
  });
});

describe('watches', () => {
  it('a watch event arrives before the reply of the write that fired it', () => {
    const c = cluster();
    const client = c.session('r2');
    client.send(create('/n', 'a'));
    const read = client.send(getData('/n', true));
    const write = client.send(setData('/n', 'b'));
    c.settle();
    expect(client.trace()).toEqual(['connected', 'reply:1', `reply:${read}`, 'event:NodeDataChanged:/n', `reply:${write}`]);
    expect(client.events()[0]?.zxid).toBe(client.reply(write)?.zxid);
  });

  it("another client's watch fires before it can read the newer data", () => {
    const c = cluster();
    const writer = c.session('r1');
    const watcher = c.session('r3');
    writer.send(create('/x', 'a'));
    c.settle();
    watcher.send(exists('/x', true));
    c.settle();
    writer.send(setData('/x', 'b'));
    c.settle();
    const read = watcher.send(getData('/x'));
    c.settle();
    expect(watcher.trace().slice(-2)).toEqual(['event:NodeDataChanged:/x', `reply:${read}`]);
  });

  it('an exists watch on a missing node fires NodeCreated once, and is then gone', () => {
    const c = cluster();
    const watcher = c.session('r2');
    const writer = c.session('r3');
    const probe = watcher.send(exists('/later', true));
    c.settle();
    expect(watcher.reply(probe)?.body).toEqual({ type: 'exists', stat: null });
    writer.send(create('/later'));
    writer.send(setData('/later', 'x'));
    writer.send({ type: 'delete', path: '/later', version: -1 });
    c.settle();
    expect(watcher.events().map((e) => e.type)).toEqual(['NodeCreated']);
  });

  it('setWatches re-registers watches and delivers what happened while the client was away', () => {
    const c = cluster();
    const client = c.session('r2');
    const other = c.session('r1');
    client.send(create('/sw', 'a'));
    client.send(create('/kept', 'a'));
    client.send(getData('/sw', true));
    client.send(getData('/kept', true));
    c.settle();
    const lastZxid = client.lastZxid;
    c.disconnect(client);
    other.send(setData('/sw', 'b'));
    c.settle();
    const back = c.connect('r3', { sessionId: client.sessionId, password: client.password, lastZxidSeen: lastZxid }, client.xidCounter);
    c.settle();
    const xid = back.send({
      type: 'setWatches',
      relativeZxid: lastZxid,
      dataWatches: ['/sw', '/kept'],
      existWatches: [],
      childWatches: [],
      persistentWatches: [],
      persistentRecursiveWatches: [],
    });
    c.settle();
    expect(back.trace()).toEqual(['connected', 'event:NodeDataChanged:/sw', `reply:${xid}`]);
    expect(back.events()[0]?.zxid).toBe(-1n);
    other.send(setData('/kept', 'b'));
    c.settle();
    expect(back.events().map((e) => e.path)).toEqual(['/sw', '/kept']);
  });

  it('a PERSISTENT_RECURSIVE watch fires for every descendant and stays', () => {
    const c = cluster();
    const watcher = c.session('r2');
    const writer = c.session('r3');
    writer.send(create('/tree'));
    c.settle();
    watcher.send({ type: 'addWatch', path: '/tree', mode: 'PERSISTENT_RECURSIVE' });
    c.settle();
    writer.send(create('/tree/a'));
    writer.send(create('/tree/a/b'));
    writer.send(setData('/tree/a', 'x'));
    c.settle();
    expect(watcher.events().map((e) => `${e.type}:${e.path}`)).toEqual([
      'NodeCreated:/tree/a',
      'NodeCreated:/tree/a/b',
      'NodeDataChanged:/tree/a',
    ]);
  });

  it('removeWatches answers NOWATCHER when the session has no such watch, and removes one it has', () => {
    const c = cluster();
    const client = c.session('r2');
    client.send(create('/rw'));
    const none = client.send({ type: 'removeWatches', path: '/rw', watcherType: 'Data', local: false });
    client.send(getData('/rw', true));
    const removed = client.send({ type: 'removeWatches', path: '/rw', watcherType: 'Data', local: false });
    client.send(setData('/rw', 'x'));
    c.settle();
    expect(client.reply(none)?.err).toBe(ErrorCode.NOWATCHER);
    expect(client.reply(removed)?.err).toBe(ErrorCode.OK);
    expect(client.events()).toHaveLength(0);
  });
});

describe('ACLs and auth', () => {
  const alice = { perms: Perms.ALL, id: { scheme: 'digest', id: generateDigest('alice:secret') } };
  const addAuth = (credential: string) => ({ type: 'addAuthInfo' as const, scheme: 'digest', auth: bytes(credential) });

  it('reads and writes need their permission (NOAUTH) until the session authenticates', () => {
    const c = cluster();
    const owner = c.session('r2');
    const stranger = c.session('r3');
    owner.send(create('/secret', 's', CreateMode.PERSISTENT, [alice]));
    c.settle();
    const read = stranger.send(getData('/secret'));
    const write = stranger.send(setData('/secret', 'x'));
    const auth = stranger.send(addAuth('alice:secret'));
    const again = stranger.send(getData('/secret'));
    const who = stranger.send({ type: 'whoAmI' });
    c.settle();
    expect(stranger.reply(read)?.err).toBe(ErrorCode.NOAUTH);
    expect(stranger.reply(write)?.err).toBe(ErrorCode.NOAUTH);
    expect(stranger.reply(auth)?.err).toBe(ErrorCode.OK);
    expect(dataOf(stranger.reply(again)?.body)).toBe('s');
    expect(stranger.reply(who)?.body).toEqual({ type: 'whoAmI', ids: [{ scheme: 'digest', id: 'alice' }] });
  });

  it('a write with the auth scheme needs an authenticated session (INVALIDACL), then expands to its ids', () => {
    const c = cluster();
    const client = c.session('r2');
    const invalid = client.send(create('/mine', '', CreateMode.PERSISTENT, CREATOR_ALL_ACL));
    client.send(addAuth('bob:pw'));
    const valid = client.send(create('/mine', '', CreateMode.PERSISTENT, CREATOR_ALL_ACL));
    const acl = client.send({ type: 'getACL', path: '/mine' });
    c.settle();
    expect(client.reply(invalid)?.err).toBe(ErrorCode.INVALIDACL);
    expect(client.reply(valid)?.err).toBe(ErrorCode.OK);
    expect(client.reply(acl)?.body).toMatchObject({ acl: [{ perms: Perms.ALL, id: { scheme: 'digest', id: generateDigest('bob:pw') } }] });
  });

  it('AUTHFAILED: a bad scheme or credential is answered AUTHFAILED and the connection closed; the session lives on', () => {
    const c = cluster();
    const client = c.session('r2');
    const bad = client.send({ type: 'addAuthInfo', scheme: 'kerberos', auth: bytes('x') });
    const behind = client.send(getData('/'));
    c.settle();
    expect(client.reply(bad)?.err).toBe(ErrorCode.AUTHFAILED);
    expect(client.reply(behind)).toBeUndefined();
    expect(client.closedReason).toMatch(/authentication failed/);
    expect(c.core('r1').status().sessionCount).toBe(1);
    const other = c.session('r3');
    const noColon = other.send({ type: 'addAuthInfo', scheme: 'digest', auth: bytes('no-colon') });
    c.settle();
    expect(other.reply(noColon)?.err).toBe(ErrorCode.AUTHFAILED);
  });

  it('watch events about a node the session may not READ are dropped', () => {
    const c = cluster();
    const watcher = c.session('r2');
    const writer = c.session('r3');
    writer.send(create('/acl'));
    writer.send(addAuth('alice:secret'));
    c.settle();
    watcher.send({ type: 'addWatch', path: '/acl', mode: 'PERSISTENT_RECURSIVE' });
    c.settle();
    writer.send(create('/acl/private', '', CreateMode.PERSISTENT, [alice]));
    writer.send(create('/acl/public', '', CreateMode.PERSISTENT, OPEN_ACL_UNSAFE));
    c.settle();
    expect(watcher.events().map((e) => e.path)).toEqual(['/acl/public']);
  });
});
