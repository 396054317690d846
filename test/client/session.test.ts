import { describe, expect, it } from 'vitest';
import { MeshKeeperClient } from '../../src/client/client.js';
import type { MeshKeeperClientOptions } from '../../src/client/client-options.js';
import { ErrorCode } from '../../src/errors/error-code.js';
import type { Stat } from '../../src/tree/stat.js';
import type { ClientRequest } from '../../src/wire/client-message.js';
import { recorder, rejection } from './helpers.js';
import { ManualClock } from './manual-clock.js';
import { ScriptedReplicas, flush, type ScriptedConnection } from './scripted-replica.js';

const STAT: Stat = {
  czxid: 1n,
  mzxid: 1n,
  ctime: 0,
  mtime: 0,
  version: 0,
  cversion: 0,
  aversion: 0,
  ephemeralOwner: 0n,
  dataLength: 0,
  numChildren: 0,
  pzxid: 1n,
};
const PASSWORD = new Uint8Array([9, 8, 7, 6]);
const SESSION = 0x42n;

interface Harness {
  readonly zk: MeshKeeperClient;
  readonly replicas: ScriptedReplicas;
  readonly clock: ManualClock;
  readonly states: string[];
  readonly watcher: ReturnType<typeof recorder>;
  connection: ScriptedConnection;
}

/** A client of scripted replicas, connected to the first (session 0x42, timeout 9000 ms). */
async function connected(options: Partial<MeshKeeperClientOptions> = {}, endpoints = 3): Promise<Harness> {
  const replicas = new ScriptedReplicas();
  const clock = new ManualClock();
  const watcher = recorder();
  const zk = new MeshKeeperClient({ endpoints: replicas.endpoints(endpoints), clock, sessionTimeoutMs: 9000, reconnectDelayMs: 100, watcher, ...options });
  const states: string[] = [];
  zk.on('state', (state) => states.push(state));
  const { connection } = await replicas.nextConnection();
  await connection.connectRequest();
  connection.accept(SESSION, 9000, PASSWORD);
  await flush();
  return { zk, replicas, clock, states, watcher, connection };
}

/** Waits for the next connection, checks it resumes the session, accepts it. */
async function reconnect(h: Harness, expectedIndex?: number): Promise<{ lastZxidSeen: bigint }> {
  await h.clock.advance(200);
  const { index, connection } = await h.replicas.nextConnection();
  if (expectedIndex !== undefined) expect(index).toBe(expectedIndex);
  const request = await connection.connectRequest();
  expect(request.sessionId).toBe(SESSION);
  expect(request.password).toEqual(PASSWORD);
  connection.accept(SESSION, 9000, PASSWORD);
  h.connection = connection;
  await flush();
  return { lastZxidSeen: request.lastZxidSeen };
}

/** Sends nothing more after `request()` resolves with the next non-ping request. */
async function nextRequest(connection: ScriptedConnection): Promise<ClientRequest> {
  return connection.request();
}

describe('connecting', () => {
  it('the handshake sends a ConnectRequest and adopts the negotiated session', async () => {
    const replicas = new ScriptedReplicas();
    const zk = new MeshKeeperClient({ endpoints: replicas.endpoints(1), sessionTimeoutMs: 12_000, clock: new ManualClock() });
    expect(zk.state).toBe('CONNECTING');
    expect(zk.sessionId).toBe(0n);
    const { connection } = await replicas.nextConnection();
    expect(await connection.connectRequest()).toEqual({
      lastZxidSeen: 0n,
      timeoutMs: 12_000,
      sessionId: 0n,
      password: new Uint8Array(0),
      readOnly: false,
    });
    connection.accept(SESSION, 6000, PASSWORD);
    expect(await zk.waitForState('CONNECTED')).toBe('CONNECTED');
    expect(zk.sessionId).toBe(SESSION);
    expect(zk.sessionTimeoutMs).toBe(6000);
    expect(zk.sessionPassword).toEqual(PASSWORD);
  });

  it('a client given a sessionId and password resumes that session', async () => {
    const replicas = new ScriptedReplicas();
    const zk = new MeshKeeperClient({ endpoints: replicas.endpoints(1), clock: new ManualClock(), sessionId: SESSION, sessionPassword: PASSWORD });
    const { connection } = await replicas.nextConnection();
    expect(await connection.connectRequest()).toMatchObject({ sessionId: SESSION, password: PASSWORD });
    connection.accept(SESSION, 9000, PASSWORD);
    await zk.waitForState('CONNECTED');
    expect(zk.sessionId).toBe(SESSION);
  });

  it('requests made while connecting wait and go out after the handshake, in order', async () => {
    const replicas = new ScriptedReplicas();
    const zk = new MeshKeeperClient({ endpoints: replicas.endpoints(1), clock: new ManualClock() });
    const created = zk.create('/a');
    const read = zk.getData('/b');
    const { connection } = await replicas.nextConnection();
    await connection.connectRequest();
    await flush();
    expect(connection.frames.length).toBe(1);
    connection.accept();
    const first = await nextRequest(connection);
    const second = await nextRequest(connection);
    expect([first.body.type, second.body.type]).toEqual(['create', 'getData']);
    expect(second.xid).toBeGreaterThan(first.xid);
    connection.reply(first.xid, { type: 'create', path: '/a', stat: STAT });
    connection.reply(second.xid, { type: 'getData', data: new Uint8Array([1]), stat: STAT });
    expect(await created).toBe('/a');
    expect((await read).data).toEqual(new Uint8Array([1]));
  });

  it('when every endpoint refuses, the client keeps trying them in turn until one answers', async () => {
    const replicas = new ScriptedReplicas();
    replicas.refuse(0);
    replicas.refuse(1);
    const clock = new ManualClock();
    const zk = new MeshKeeperClient({ endpoints: replicas.endpoints(2), clock, reconnectDelayMs: 500 });
    const gaveUp = rejection(zk.waitForState('CONNECTED', { timeoutMs: 2000 }), 'OPERATIONTIMEOUT');
    await clock.advance(2000);
    await gaveUp;
    expect(replicas.attempts.slice(0, 4)).toEqual([0, 1, 0, 1]);
    expect(zk.state).toBe('CONNECTING');
    replicas.admit(1);
    const waiting = zk.waitForState('CONNECTED');
    await clock.advance(2000);
    const { index, connection } = await replicas.nextConnection();
    expect(index).toBe(1);
    await connection.connectRequest();
    connection.accept();
    await waiting;
  });

  it('a connect attempt that gets no answer in connectTimeoutMs moves on to the next endpoint', async () => {
    const replicas = new ScriptedReplicas();
    const clock = new ManualClock();
    const zk = new MeshKeeperClient({ endpoints: replicas.endpoints(2), clock, connectTimeoutMs: 1000 });
    const first = await replicas.nextConnection();
    await first.connection.connectRequest();
    await clock.advance(1000);
    expect(first.connection.closed).toBe(true);
    const second = await replicas.nextConnection();
    expect(second.index).toBe(1);
    await second.connection.connectRequest();
    second.connection.accept();
    await zk.waitForState('CONNECTED');
  });

  it('a ConnectResponse for another session is a protocol error', async () => {
    const h = await connected();
    h.connection.close();
    await h.clock.advance(200);
    const { connection } = await h.replicas.nextConnection();
    await connection.connectRequest();
    connection.accept(0x99n);
    await flush();
    expect(connection.closed).toBe(true);
    expect(h.zk.sessionId).toBe(SESSION);
    await reconnect(h);
    expect(h.zk.state).toBe('CONNECTED');
  });
});

describe('replies', () => {
  it('a reply out of order is a protocol error: the connection closes, everything pending fails with CONNECTIONLOSS', async () => {
    const h = await connected();
    const a = h.zk.create('/a');
    const b = h.zk.create('/b');
    await nextRequest(h.connection);
    const second = await nextRequest(h.connection);
    h.connection.reply(second.xid, { type: 'create', path: '/b', stat: STAT });
    const errors = await Promise.all([rejection(a, 'CONNECTIONLOSS'), rejection(b, 'CONNECTIONLOSS')]);
    expect(errors[0]?.message).toMatch(/protocol error: reply xid/);
    expect(h.connection.closed).toBe(true);
    expect(h.states).toEqual(['CONNECTED', 'DISCONNECTED']);
    await reconnect(h, 1);
    expect(h.states).toEqual(['CONNECTED', 'DISCONNECTED', 'CONNECTED']);
  });

  it('bytes that do not decode are a protocol error', async () => {
    const h = await connected();
    const pending = h.zk.exists('/x');
    await nextRequest(h.connection);
    h.connection.raw(new Uint8Array([1, 99, 0]));
    await rejection(pending, 'CONNECTIONLOSS');
    expect(h.connection.closed).toBe(true);
    await reconnect(h, 1);
  });

  it('a frame before the ConnectResponse is a protocol error', async () => {
    const replicas = new ScriptedReplicas();
    const clock = new ManualClock();
    const zk = new MeshKeeperClient({ endpoints: replicas.endpoints(2), clock, reconnectDelayMs: 1 });
    const { connection } = await replicas.nextConnection();
    await connection.connectRequest();
    connection.reply(1, { type: 'ping' });
    await flush();
    expect(connection.closed).toBe(true);
    await clock.advance(0);
    expect((await replicas.nextConnection()).index).toBe(1);
    expect(zk.state).toBe('CONNECTING');
  });

  it('a reply body of the wrong type fails that call with MARSHALLINGERROR', async () => {
    const h = await connected();
    const pending = h.zk.getData('/x');
    const request = await nextRequest(h.connection);
    h.connection.reply(request.xid, { type: 'exists', stat: null });
    await rejection(pending, 'MARSHALLINGERROR');
  });

  it('an error reply is the KeeperError of its code, with the path', async () => {
    const h = await connected();
    const pending = h.zk.delete('/gone');
    const request = await nextRequest(h.connection);
    h.connection.fail(request.xid, ErrorCode.NONODE);
    const error = await rejection(pending, 'NONODE');
    expect(error.code).toBe(-101);
    expect(error.path).toBe('/gone');
    expect(error.message).toBe('NONODE for /gone: the node does not exist');
  });

  it("every error code a replica answers becomes the KeeperError of ZooKeeper's name and number", async () => {
    const h = await connected();
    const codes = Object.entries(ErrorCode).filter(([name]) => name !== 'OK' && name !== 'AUTHFAILED' && name !== 'SESSIONEXPIRED');
    for (const [name, code] of codes) {
      const pending = h.zk.exists('/x');
      h.connection.fail((await nextRequest(h.connection)).xid, code);
      const error = await rejection(pending, name as keyof typeof ErrorCode);
      expect(error.code).toBe(code);
      expect(error.path).toBe('/x');
    }
    expect(h.zk.state).toBe('CONNECTED');
  });

  it('too many pending requests fail with THROTTLEDOP', async () => {
    const h = await connected({ maxPendingRequests: 2 });
    const kept = [h.zk.exists('/a'), h.zk.exists('/b')];
    await rejection(h.zk.exists('/c'), 'THROTTLEDOP');
    const first = await nextRequest(h.connection);
    const second = await nextRequest(h.connection);
    h.connection.reply(first.xid, { type: 'exists', stat: null });
    h.connection.reply(second.xid, { type: 'exists', stat: null });
    expect(await Promise.all(kept)).toEqual([null, null]);
  });
});

describe('losing the connection', () => {
  it('requests in flight fail with CONNECTIONLOSS and writes are never sent again', async () => {
    const h = await connected();
    const write = h.zk.create('/w');
    await nextRequest(h.connection);
    h.connection.close();
    await rejection(write, 'CONNECTIONLOSS');
    expect(h.watcher.seen).toEqual(['None SyncConnected', 'None Disconnected']);
    await reconnect(h, 1);
    await flush();
    expect(h.connection.frames.map((f) => f.kind)).toEqual(['connectRequest']);
    expect(h.watcher.seen).toEqual(['None SyncConnected', 'None Disconnected', 'None SyncConnected']);
  });

  it('after reconnecting, the client re-sends its credentials and re-registers every watch with setWatches(lastZxidSeen)', async () => {
    const h = await connected();
    const watcher = recorder();
    const answers: [Promise<unknown>, (r: ClientRequest) => void][] = [
      [h.zk.addAuthInfo('digest', 'u:p'), (r) => h.connection.reply(r.xid, { type: 'addAuthInfo' }, 3n)],
      [h.zk.getData('/d', { watch: watcher }), (r) => h.connection.reply(r.xid, { type: 'getData', data: new Uint8Array(0), stat: STAT }, 5n)],
      [h.zk.exists('/e', { watch: watcher }), (r) => h.connection.reply(r.xid, { type: 'exists', stat: null }, 9n)],
      [h.zk.exists('/f', { watch: true }), (r) => h.connection.reply(r.xid, { type: 'exists', stat: STAT }, 6n)],
      [h.zk.getChildren('/c', { watch: watcher }), (r) => h.connection.reply(r.xid, { type: 'getChildren', children: [], stat: STAT }, 7n)],
      [h.zk.addWatch('/p', 'PERSISTENT', watcher), (r) => h.connection.reply(r.xid, { type: 'addWatch' }, 7n)],
      [h.zk.addWatch('/r', 'PERSISTENT_RECURSIVE', watcher), (r) => h.connection.reply(r.xid, { type: 'addWatch' }, 8n)],
    ];
    for (const [, answer] of answers) answer(await nextRequest(h.connection));
    await Promise.all(answers.map(([promise]) => promise));
    h.connection.close();
    const { lastZxidSeen } = await reconnect(h, 1);
    expect(lastZxidSeen).toBe(9n);
    const auth = await nextRequest(h.connection);
    expect(auth.body).toEqual({ type: 'addAuthInfo', scheme: 'digest', auth: new TextEncoder().encode('u:p') });
    const setWatches = await nextRequest(h.connection);
    expect(setWatches.body).toEqual({
      type: 'setWatches',
      relativeZxid: 9n,
      dataWatches: ['/d', '/f'],
      existWatches: ['/e'],
      childWatches: ['/c'],
      persistentWatches: ['/p'],
      persistentRecursiveWatches: ['/r'],
    });
    // What the client missed while away arrives before the setWatches reply.
    h.connection.reply(auth.xid, { type: 'addAuthInfo' });
    h.connection.event({ type: 'NodeDataChanged', path: '/d', zxid: -1n });
    h.connection.reply(setWatches.xid, { type: 'setWatches' });
    await flush();
    expect(watcher.seen).toEqual(['None Disconnected', 'None SyncConnected', 'NodeDataChanged /d']);
  });

  it('a session the ensemble expired is EXPIRED on reconnect: terminal, watchers told, every call SESSIONEXPIRED', async () => {
    const h = await connected();
    const watcher = recorder();
    const read = h.zk.getData('/x', { watch: watcher });
    h.connection.reply((await nextRequest(h.connection)).xid, { type: 'getData', data: new Uint8Array(0), stat: STAT });
    await read;
    h.connection.close();
    await flush();
    const queued = h.zk.exists('/y');
    await h.clock.advance(200);
    const { connection } = await h.replicas.nextConnection();
    await connection.connectRequest();
    connection.expire();
    await rejection(queued, 'SESSIONEXPIRED');
    expect(h.zk.state).toBe('EXPIRED');
    expect(h.states).toEqual(['CONNECTED', 'DISCONNECTED', 'EXPIRED']);
    expect(watcher.seen).toEqual(['None Disconnected', 'None Expired']);
    expect(h.watcher.seen.at(-1)).toBe('None Expired');
    expect(connection.closed).toBe(true);
    await rejection(h.zk.getData('/x'), 'SESSIONEXPIRED');
    const attempts = h.replicas.attempts.length;
    await h.clock.advance(60_000);
    expect(h.replicas.attempts.length).toBe(attempts);
    await h.zk.close();
    expect(h.zk.state).toBe('EXPIRED');
  });

  it('a request that times out fails with REQUESTTIMEOUT and the client reconnects; the others fail with CONNECTIONLOSS', async () => {
    const h = await connected({ requestTimeoutMs: 1000 });
    const slow = h.zk.getData('/slow');
    await h.clock.advance(400);
    const later = h.zk.exists('/later');
    await nextRequest(h.connection);
    await nextRequest(h.connection);
    await h.clock.advance(600);
    await rejection(slow, 'REQUESTTIMEOUT');
    await rejection(later, 'CONNECTIONLOSS');
    expect(h.connection.closed).toBe(true);
    await reconnect(h, 1);
  });

  it('a request waiting for a connection times out on its own, without disturbing the attempt', async () => {
    const h = await connected({ requestTimeoutMs: 1000, connectTimeoutMs: 5000 });
    h.connection.close();
    await h.clock.advance(200);
    const { connection } = await h.replicas.nextConnection();
    await connection.connectRequest();
    const waiting = h.zk.exists('/w');
    await h.clock.advance(1000);
    await rejection(waiting, 'REQUESTTIMEOUT');
    expect(h.zk.state).toBe('DISCONNECTED');
    connection.accept(SESSION, 9000, PASSWORD);
    await flush();
    expect(h.zk.state).toBe('CONNECTED');
    expect(connection.frames.map((f) => f.kind)).toEqual(['connectRequest']);
  });

  it('a request made while disconnected fails with CONNECTIONLOSS when the next attempt fails, as in ZooKeeper', async () => {
    const h = await connected();
    h.replicas.refuse(1);
    h.connection.close();
    await flush();
    const waiting = h.zk.exists('/w');
    await h.clock.advance(200);
    await rejection(waiting, 'CONNECTIONLOSS');
    await reconnect(h, 2);
  });
});

describe('liveness', () => {
  it('pings after a third of the session timeout idle and keeps a connection the replica answers', async () => {
    const h = await connected();
    await h.clock.advance(2999);
    expect(h.connection.pings()).toBe(0);
    await h.clock.advance(1);
    expect(h.connection.pings()).toBe(1);
    const ping = h.connection.frames.at(-1);
    expect(ping).toEqual({ kind: 'request', message: { xid: -2, body: { type: 'ping' } } });
    h.connection.reply(-2, { type: 'ping' });
    await h.clock.advance(3000);
    h.connection.reply(-2, { type: 'ping' });
    await h.clock.advance(3000);
    expect(h.connection.pings()).toBe(3);
    expect(h.connection.closed).toBe(false);
    expect(h.zk.state).toBe('CONNECTED');
  });

  it('a ping reply may overtake other replies', async () => {
    const h = await connected();
    const pending = h.zk.exists('/x');
    const request = await nextRequest(h.connection);
    h.connection.reply(-2, { type: 'ping' });
    h.connection.reply(request.xid, { type: 'exists', stat: null });
    expect(await pending).toBeNull();
  });

  it('a replica silent for two thirds of the session timeout is left for the next endpoint', async () => {
    const h = await connected();
    await h.clock.advance(5999);
    expect(h.connection.closed).toBe(false);
    await h.clock.advance(1);
    expect(h.connection.closed).toBe(true);
    expect(h.zk.state).toBe('DISCONNECTED');
    await reconnect(h, 1);
  });

  it('lastZxidSeen is the highest zxid of any reply or event, and the next ConnectRequest carries it', async () => {
    const h = await connected();
    const one = h.zk.exists('/a');
    const two = h.zk.exists('/b');
    h.connection.reply((await nextRequest(h.connection)).xid, { type: 'exists', stat: null }, 10n);
    h.connection.reply((await nextRequest(h.connection)).xid, { type: 'exists', stat: null }, 7n);
    await Promise.all([one, two]);
    expect(h.zk.lastZxidSeen).toBe(10n);
    h.connection.event({ type: 'NodeDeleted', path: '/z', zxid: 12n });
    h.connection.event({ type: 'NodeCreated', path: '/z', zxid: -1n });
    h.connection.reply(-2, { type: 'ping' }, 11n);
    await flush();
    expect(h.zk.lastZxidSeen).toBe(12n);
    h.connection.close();
    expect((await reconnect(h)).lastZxidSeen).toBe(12n);
  });
});

describe('ending the session', () => {
  it('close sends closeSession after what is in flight, waits for the acknowledgement, then CLOSED', async () => {
    const h = await connected();
    const write = h.zk.create('/last');
    const closing = h.zk.close();
    await rejection(h.zk.exists('/after'), 'SESSIONEXPIRED');
    const create = await nextRequest(h.connection);
    const close = await nextRequest(h.connection);
    expect(close.body).toEqual({ type: 'closeSession' });
    await flush();
    expect(h.zk.state).toBe('CONNECTED');
    h.connection.reply(create.xid, { type: 'create', path: '/last', stat: STAT });
    h.connection.reply(close.xid, { type: 'closeSession' });
    await closing;
    expect(await write).toBe('/last');
    expect(h.zk.state).toBe('CLOSED');
    expect(h.states).toEqual(['CONNECTED', 'CLOSED']);
    expect(h.watcher.seen).toEqual(['None SyncConnected', 'None Closed']);
    expect(h.connection.closed).toBe(true);
  });

  it('close while disconnected sends nothing and ends at once', async () => {
    const h = await connected();
    for (const index of [0, 1, 2]) h.replicas.refuse(index);
    h.connection.close();
    await flush();
    const queued = h.zk.exists('/q');
    await h.zk.close();
    await rejection(queued, 'SESSIONEXPIRED');
    expect(h.zk.state).toBe('CLOSED');
    expect(h.states).toEqual(['CONNECTED', 'DISCONNECTED', 'CLOSED']);
  });

  it('close gives up waiting for an acknowledgement after closeTimeoutMs', async () => {
    const h = await connected({ closeTimeoutMs: 500 });
    const closing = h.zk.close();
    await nextRequest(h.connection);
    await h.clock.advance(500);
    await closing;
    expect(h.zk.state).toBe('CLOSED');
  });

  it('a refused credential ends the client in AUTH_FAILED', async () => {
    const h = await connected();
    const auth = h.zk.addAuthInfo('digest', 'bad');
    h.connection.fail((await nextRequest(h.connection)).xid, ErrorCode.AUTHFAILED);
    await rejection(auth, 'AUTHFAILED');
    expect(h.zk.state).toBe('AUTH_FAILED');
    expect(h.watcher.seen.at(-1)).toBe('None AuthFailed');
    expect(h.connection.closed).toBe(true);
    await rejection(h.zk.getData('/'), 'AUTHFAILED');
    await rejection(h.zk.waitForState('CONNECTED'), 'AUTHFAILED');
  });
});

describe('waitForState', () => {
  it('resolves at once for the current state, rejects when the session ends, and honours an abort signal', async () => {
    const h = await connected();
    expect(await h.zk.waitForState(['DISCONNECTED', 'CONNECTED'])).toBe('CONNECTED');
    const controller = new AbortController();
    const aborted = h.zk.waitForState('DISCONNECTED', { signal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    const never = h.zk.waitForState('DISCONNECTED');
    const closing = h.zk.close();
    h.connection.reply((await nextRequest(h.connection)).xid, { type: 'closeSession' });
    await closing;
    await rejection(never, 'SESSIONEXPIRED');
  });
});

describe('removing watches without a replica', () => {
  it('local removal succeeds when the replica cannot be reached; without local the watch stays', async () => {
    const h = await connected();
    const kept = recorder();
    const dropped = recorder();
    const reads = [h.zk.getData('/k', { watch: kept }), h.zk.getChildren('/g', { watch: dropped })];
    h.connection.reply((await nextRequest(h.connection)).xid, { type: 'getData', data: new Uint8Array(0), stat: STAT });
    h.connection.reply((await nextRequest(h.connection)).xid, { type: 'getChildren', children: [], stat: STAT });
    await Promise.all(reads);
    const strict = h.zk.removeWatches('/k', kept, 'Data');
    const local = h.zk.removeWatches('/g', dropped, 'Children', true);
    await nextRequest(h.connection);
    await nextRequest(h.connection);
    h.connection.close();
    await rejection(strict, 'CONNECTIONLOSS');
    await local;
    // As ZooKeeper: the removal event first; the watcher is gone by the time Disconnected is told.
    expect(dropped.seen).toEqual(['ChildWatchRemoved /g']);
    expect(dropped.events[0]?.state).toBe('Disconnected');
    expect(kept.seen).toEqual(['None Disconnected']);
    await reconnect(h, 1);
    const setWatches = await nextRequest(h.connection);
    expect(setWatches.body).toMatchObject({ type: 'setWatches', dataWatches: ['/k'], childWatches: [] });
  });
});
