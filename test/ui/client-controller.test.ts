import { afterEach, describe, expect, it } from 'vitest';
import type { MeshKeeperClient } from '../../src/client/client.js';
import { createTestEnsemble, type TestEnsemble } from '../../src/testing/index.js';
import { ClientController } from '../../src/ui/client-controller.js';
import { WatchLogController } from '../../src/ui/watch-log-controller.js';
import { TestHost } from './test-host.js';

let ensemble: TestEnsemble | undefined;
const clients: MeshKeeperClient[] = [];

afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((client) => client.close()));
  await ensemble?.close();
  ensemble = undefined;
});

async function start(): Promise<TestEnsemble> {
  ensemble = await createTestEnsemble({ voters: 3 });
  await ensemble.waitForLeader();
  return ensemble;
}

async function connect(e: TestEnsemble, replica: number): Promise<MeshKeeperClient> {
  const client = await e.connect({ replica, sessionTimeoutMs: 4_000 });
  clients.push(client);
  return client;
}

describe('client controller', () => {
  it('follows the client the host names: its state and session, and a new client when the property changes', async () => {
    const e = await start();
    const first = await connect(e, 0);
    const second = await connect(e, 1);
    let current: MeshKeeperClient | undefined;
    const host = new TestHost();
    const controller = new ClientController(host, () => current);
    host.connect();
    expect(controller.session).toEqual({ state: 'NONE', sessionId: null, sessionTimeoutMs: null });

    current = first;
    host.requestUpdate();
    await host.updateComplete;
    expect(controller.session).toEqual({ state: 'CONNECTED', sessionId: first.sessionId.toString(16), sessionTimeoutMs: first.sessionTimeoutMs });

    current = second;
    host.requestUpdate();
    await host.updateComplete;
    expect(controller.session.sessionId).toBe(second.sessionId.toString(16));
    // The old client is no longer followed.
    await first.close();
    expect(controller.session.state).toBe('CONNECTED');
    await second.close();
    await host.until(() => controller.session.state === 'CLOSED', 'CLOSED');
  });

  it("the client's connection loss and return show, and stop once the host disconnects", async () => {
    const e = await start();
    const client = await connect(e, 0);
    const host = new TestHost();
    const controller = new ClientController(host, () => client);
    host.connect();
    await host.updateComplete;
    e.crash(0);
    await host.until(() => controller.session.state === 'DISCONNECTED', 'DISCONNECTED');
    await host.until(() => controller.session.state === 'CONNECTED', 'CONNECTED again');
    host.disconnect();
    expect(controller.session.state).toBe('NONE');
  });
});

describe('watch log controller', () => {
  it("records the session's events and the default watcher's, newest first, up to its limit", async () => {
    const e = await start();
    const client = await connect(e, 0);
    const host = new TestHost();
    let nowMs = 1_000;
    const log = new WatchLogController(host, () => client, { limit: 3, now: () => nowMs++ });
    host.connect();
    for (const name of ['a', 'b', 'c', 'd']) await client.exists(`/${name}`, { watch: true });
    for (const name of ['a', 'b', 'c', 'd']) await client.create(`/${name}`, '');
    await host.until(() => log.entries.length === 3 && log.dropped === 1, 'three kept, one dropped');
    expect(log.entries.map((entry) => [entry.seq, entry.type, entry.path])).toEqual([
      [4, 'NodeCreated', '/d'],
      [3, 'NodeCreated', '/c'],
      [2, 'NodeCreated', '/b'],
    ]);
    expect(log.entries[0]!.zxid).toMatch(/^[0-9a-f]+$/);
    expect(log.entries[0]!.atMs).toBeGreaterThan(log.entries[1]!.atMs);
    log.clear();
    expect(log.entries).toEqual([]);

    e.crash(0);
    await host.until(() => log.entries.some((entry) => entry.type === 'None' && entry.state === 'Disconnected'), 'the Disconnected event');
    await host.until(() => log.entries[0]?.state === 'SyncConnected', 'the SyncConnected event');
    expect(log.entries[0]).toMatchObject({ type: 'None', path: '', zxid: '-1' });
  });

  it('a limit outside 1..10,000 is refused', () => {
    expect(() => new WatchLogController(new TestHost(), () => undefined, { limit: 0 })).toThrow(/1 to 10000/);
    expect(() => new WatchLogController(new TestHost(), () => undefined, { limit: 10_001 })).toThrow(/1 to 10000/);
  });
});
