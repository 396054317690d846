import { describe, expect, it } from 'vitest';
import { CreateMode } from '../../src/tree/create-mode.js';
import { createPrng, type Prng } from '../../src/util/prng.js';
import type { RequestBody } from '../../src/wire/client-message.js';
import { CoreCluster } from './core-cluster.js';
import { create, del, exists, getChildren, getData, setData, sync } from './requests.js';
import type { TestClient } from './test-client.js';

const PATHS = ['/a', '/b', '/a/x', '/a/y', '/b/z'];

function randomRequest(prng: Prng): RequestBody {
  const path = PATHS[prng.nextInt(PATHS.length)] as string;
  switch (prng.nextInt(9)) {
    case 0:
      return create(path, 'c', prng.chance(0.3) ? CreateMode.EPHEMERAL : CreateMode.PERSISTENT);
    case 1:
      return del(path, prng.chance(0.5) ? -1 : prng.nextInt(3));
    case 2:
    case 3:
      return setData(path, `v${prng.nextInt(100)}`, prng.chance(0.7) ? -1 : prng.nextInt(3));
    case 4:
      return getData(path, prng.chance(0.5));
    case 5:
      return exists(path, prng.chance(0.5));
    case 6:
      return getChildren(prng.chance(0.5) ? '/' : '/a', prng.chance(0.5));
    case 7:
      return sync(path);
    default:
      return { type: 'multi', ops: [create(`${path}-m`) as never, { type: 'check', path, version: -1 }] };
  }
}

/** Per connection: replies in request order, reply zxids never go back, events before newer data. */
function checkClient(client: TestClient): void {
  let lastXid = 0;
  let lastZxid = 0n;
  for (const frame of client.frames) {
    if (frame.kind === 'reply') {
      expect(frame.message.xid).toBeGreaterThan(lastXid);
      expect(frame.message.zxid).toBeGreaterThanOrEqual(lastZxid);
      lastXid = frame.message.xid;
      lastZxid = frame.message.zxid;
    } else if (frame.kind === 'watchEvent' && frame.message.zxid >= 0n) {
      expect(frame.message.zxid).toBeGreaterThan(lastZxid);
    }
  }
}

function run(seed: number): void {
  const prng = createPrng(seed);
  const cluster = new CoreCluster({ voters: 3, seed, options: { snapshotEveryEntries: 20, sweepIntervalMs: 100 } });
  cluster.elect('r1');
  const all: TestClient[] = [];
  let clients: TestClient[] = [];
  const open = (): void => {
    const replica = cluster.ids[prng.nextInt(cluster.ids.length)] as string;
    if (cluster.slot(replica).crashed) return;
    const client = cluster.connect(replica, { timeoutMs: 5_000 });
    all.push(client);
    clients.push(client);
  };
  for (let i = 0; i < 4; i++) open();
  let down: string | null = null;
  for (let step = 0; step < 300; step++) {
    clients = clients.filter((client) => !client.closed);
    const roll = prng.nextInt(100);
    if (roll < 60 && clients.length > 0) {
      const client = clients[prng.nextInt(clients.length)] as TestClient;
      if (client.connectResponse !== undefined) client.send(randomRequest(prng));
    } else if (roll < 64) {
      open();
    } else if (roll < 68) {
      // A client whose connection closed resumes its session at some replica (a move, or a re-attach).
      const gone = all.filter((client) => client.closed && client.connectResponse !== undefined && client.connectResponse.timeoutMs > 0);
      const client = gone[prng.nextInt(Math.max(1, gone.length))];
      const replica = cluster.ids[prng.nextInt(cluster.ids.length)] as string;
      if (client !== undefined && !cluster.slot(replica).crashed) {
        const options = { sessionId: client.sessionId, password: client.password, lastZxidSeen: client.lastZxid, timeoutMs: 5_000 };
        const again = cluster.connect(replica, options, client.xidCounter);
        all.push(again);
        clients.push(again);
      }
    } else if (roll < 72 && clients.length > 0) {
      const client = clients[prng.nextInt(clients.length)] as TestClient;
      if (client.connectResponse !== undefined) client.send({ type: 'closeSession' });
    } else if (roll < 78) {
      if (down === null) {
        down = cluster.ids[prng.nextInt(cluster.ids.length)] as string;
        if (prng.chance(0.5)) cluster.crash(down);
        else cluster.partition([cluster.ids.filter((id) => id !== down), [down]]);
      } else {
        if (cluster.slot(down).crashed) cluster.restart(down);
        else cluster.heal();
        down = null;
      }
    } else if (roll < 82 && down !== null && !cluster.slot(down).crashed) {
      cluster.slot(down).autoDurable = !cluster.slot(down).autoDurable;
      cluster.completeWrites(down);
    } else {
      // Live clients ping now and then (a third of their timeout), so not every session expires.
      for (const client of clients) if (client.connectResponse !== undefined && prng.chance(0.7)) client.send({ type: 'ping' });
      cluster.tick(10 + prng.nextInt(200));
    }
    cluster.settle();
  }
  if (down !== null) {
    if (cluster.slot(down).crashed) cluster.restart(down);
    else cluster.heal();
  }
  for (const id of cluster.ids) {
    cluster.slot(id).autoDurable = true;
    cluster.completeWrites(id);
  }
  cluster.tick(2_000);
  const statuses = cluster.ids.map((id) => cluster.core(id).status());
  expect(new Set(statuses.map((s) => s.digest)).size).toBe(1);
  expect(new Set(statuses.map((s) => s.lastZxid)).size).toBe(1);
  expect(new Set(statuses.map((s) => s.sessionCount)).size).toBe(1);
  for (const client of all) checkClient(client);
}

describe('random runs', () => {
  for (let seed = 1; seed <= 12; seed++) {
    it(`seed ${seed}: replicas converge and every client sees FIFO replies, never-decreasing zxids, events before newer data`, () => {
      run(seed);
    });
  }
});
