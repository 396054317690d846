import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors/error-code.js';
import { createTestEnsemble, type TestEnsemble } from '../../src/testing/test-ensemble.js';
import { CreateMode } from '../../src/tree/create-mode.js';
import { create, exists, getData, setData, text } from '../server/requests.js';
import { BytesClient } from './bytes-client.js';

let ensemble: TestEnsemble | null = null;

afterEach(async () => {
  await ensemble?.close();
  ensemble = null;
});

async function until(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('createTestEnsemble', () => {
  it('a 3-voter ensemble elects a leader and commits writes from any replica', async () => {
    ensemble = await createTestEnsemble({ voters: 3 });
    const leader = await ensemble.waitForLeader();
    expect(ensemble.status(leader).role).toBe('leader');
    const clients = await Promise.all([0, 1, 2].map((replica) => BytesClient.connect(ensemble!.openConnection({ replica }))));
    const replies = await Promise.all(clients.map((client, i) => client.request(create(`/from${i}`, `v${i}`))));
    expect(replies.map((r) => r.err)).toEqual([0, 0, 0]);
    const read = await clients[0]!.request({ type: 'getChildren', path: '/', watch: false });
    expect(read.body).toMatchObject({ children: ['from0', 'from1', 'from2', 'zookeeper'] });
    for (const client of clients) client.close();
  });

  it('a watch fires across replicas before the reader sees newer data', async () => {
    ensemble = await createTestEnsemble({ voters: 3 });
    await ensemble.waitForLeader();
    const writer = await BytesClient.connect(ensemble.openConnection({ replica: 0 }));
    const watcher = await BytesClient.connect(ensemble.openConnection({ replica: 2 }));
    await writer.request(create('/watched', 'a'));
    await watcher.request(exists('/watched', true));
    const write = await writer.request(setData('/watched', 'b'));
    await until(() => watcher.events.length > 0);
    expect(watcher.events[0]).toMatchObject({ type: 'NodeDataChanged', path: '/watched', zxid: write.zxid, state: 'SyncConnected' });
  });

  it('survives the crash of a follower and its restart from disk', async () => {
    ensemble = await createTestEnsemble({ voters: 3 });
    const leader = await ensemble.waitForLeader();
    const follower = (leader + 1) % 3;
    const client = await BytesClient.connect(ensemble.openConnection({ replica: leader }));
    await client.request(create('/before'));
    ensemble.crash(follower);
    const during = await client.request(create('/during'));
    expect(during.err).toBe(ErrorCode.OK);
    await ensemble.restart(follower);
    await until(() => ensemble!.status(follower).lastZxid === during.zxid);
    const reader = await BytesClient.connect(ensemble.openConnection({ replica: follower }), { lastZxidSeen: during.zxid });
    expect((await reader.request(exists('/during'))).body).toMatchObject({ type: 'exists' });
    expect((await reader.request(exists('/during'))).body).not.toEqual({ type: 'exists', stat: null });
  });

  it('elects a new leader when the leader crashes; the crashed leader rejoins after restart', async () => {
    ensemble = await createTestEnsemble({ voters: 3 });
    const first = await ensemble.waitForLeader();
    const survivor = (first + 1) % 3;
    const client = await BytesClient.connect(ensemble.openConnection({ replica: survivor }), { timeoutMs: 30_000 });
    await client.request(create('/one'));
    ensemble.crash(first);
    const second = await ensemble.waitForLeader();
    expect(second).not.toBe(first);
    // The client's connection may have been failed by the leader change: reconnect if so.
    let session = client;
    if (client.closeReason !== null) {
      session = await BytesClient.connect(ensemble.openConnection({ replica: survivor }), { sessionId: client.sessionId, password: client.response!.password });
    }
    expect((await session.request(create('/two'))).err).toBe(ErrorCode.OK);
    await ensemble.restart(first);
    await until(() => ensemble!.status(first).lastZxid >= ensemble!.status(second).lastZxid);
    expect(ensemble.status(first).digest).toBe(ensemble.status(second).digest);
  });

  it('a minority partition cannot commit; the majority goes on; healing converges', async () => {
    ensemble = await createTestEnsemble({ voters: 3, options: { leaderlessGraceMs: 60_000 } });
    const leader = await ensemble.waitForLeader();
    const isolated = (leader + 2) % 3;
    const majority = [0, 1, 2].filter((i) => i !== isolated);
    ensemble.partition([majority]);
    const client = await BytesClient.connect(ensemble.openConnection({ replica: leader }));
    const write = await client.request(create('/majority', 'yes'));
    expect(write.err).toBe(ErrorCode.OK);
    expect(ensemble.status(isolated).lastZxid).toBeLessThan(write.zxid);
    ensemble.heal();
    await until(() => ensemble!.status(isolated).lastZxid >= write.zxid);
    const reader = await BytesClient.connect(ensemble.openConnection({ replica: isolated }), { lastZxidSeen: write.zxid });
    const read = await reader.request(getData('/majority'));
    expect(read.body.type === 'getData' && text(read.body.data)).toBe('yes');
  });

  it('a paused replica misses nothing: it catches up after resume', async () => {
    ensemble = await createTestEnsemble({ voters: 3 });
    const leader = await ensemble.waitForLeader();
    const frozen = (leader + 1) % 3;
    ensemble.pause(frozen);
    const client = await BytesClient.connect(ensemble.openConnection({ replica: leader }));
    const write = await client.request(create('/while-paused'));
    expect(ensemble.status(frozen).lastZxid).toBeLessThan(write.zxid);
    ensemble.resume(frozen);
    await until(() => ensemble!.status(frozen).lastZxid >= write.zxid);
  });

  it("a fate-shared client's ephemerals go when its replica crashes", async () => {
    ensemble = await createTestEnsemble({ voters: 3 });
    const leader = await ensemble.waitForLeader();
    const tab = (leader + 1) % 3;
    const owner = await BytesClient.connect(ensemble.openConnection({ replica: tab, fateShared: true }), { timeoutMs: 60_000 });
    await owner.request(create('/tab-lock', '', CreateMode.EPHEMERAL));
    const watcher = await BytesClient.connect(ensemble.openConnection({ replica: leader }));
    await watcher.request(exists('/tab-lock', true));
    ensemble.crash(tab);
    await until(() => watcher.events.length > 0);
    expect(watcher.events[0]).toMatchObject({ type: 'NodeDeleted', path: '/tab-lock' });
  });

  it('garbage on a client connection closes it with MARSHALLINGERROR', async () => {
    ensemble = await createTestEnsemble({ voters: 1 });
    await ensemble.waitForLeader();
    const end = ensemble.openConnection({ replica: 0 });
    const closed = new Promise<string>((resolve) => end.onClose(resolve));
    end.send(new Uint8Array([1, 2, 3, 4]));
    expect(await closed).toMatch(/MARSHALLINGERROR/);
  });
});

describe('Replica.leave', () => {
  it("a leaving leader ends its tab's sessions at once and hands over leadership", async () => {
    ensemble = await createTestEnsemble({ voters: 3 });
    const leader = await ensemble.waitForLeader();
    const owner = await BytesClient.connect(ensemble.openConnection({ replica: leader, fateShared: true }), { timeoutMs: 60_000 });
    await owner.request(create('/leaving', '', CreateMode.EPHEMERAL));
    const other = (leader + 1) % 3;
    const watcher = await BytesClient.connect(ensemble.openConnection({ replica: other }));
    await watcher.request(exists('/leaving', true));
    await ensemble.replica(leader)!.leave(2_000);
    expect(watcher.events.map((e) => e.type)).toEqual(['NodeDeleted']);
    const next = await ensemble.waitForLeader();
    expect(next).not.toBe(leader);
  });
});
