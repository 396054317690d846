import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors/error-code.js';
import { CreateMode } from '../../src/tree/create-mode.js';
import { CoreCluster } from './core-cluster.js';
import { create, getChildren, getData, setData, text } from './requests.js';

describe('watches across the ensemble', () => {
  it('a getChildren watch fires NodeChildrenChanged once, when a child is created', () => {
    const c = new CoreCluster({ voters: 3 });
    c.elect('r1');
    const watcher = c.session('r2');
    const writer = c.session('r3');
    writer.send(create('/parent'));
    c.settle();
    watcher.send(getChildren('/parent', true));
    c.settle();
    writer.send(create('/parent/a'));
    writer.send(create('/parent/b'));
    c.settle();
    expect(watcher.events().map((e) => `${e.type}:${e.path}`)).toEqual(['NodeChildrenChanged:/parent']);
  });

  it("closing a session: others see NodeDeleted for each of its ephemerals and NodeChildrenChanged for their parent", () => {
    const c = new CoreCluster({ voters: 3 });
    c.elect('r1');
    const owner = c.session('r2');
    const watcher = c.session('r3');
    owner.send(create('/locks'));
    owner.send(create('/locks/a', '', CreateMode.EPHEMERAL));
    owner.send(create('/locks/b', '', CreateMode.EPHEMERAL));
    c.settle();
    watcher.send(getData('/locks/a', true));
    watcher.send(getData('/locks/b', true));
    watcher.send(getChildren('/locks', true));
    c.settle();
    owner.send({ type: 'closeSession' });
    c.settle();
    expect(watcher.events().map((e) => `${e.type}:${e.path}`)).toEqual([
      'NodeDeleted:/locks/a',
      'NodeChildrenChanged:/locks',
      'NodeDeleted:/locks/b',
    ]);
    expect(new Set(watcher.events().map((e) => e.zxid)).size).toBe(1);
  });
});

describe('guarantees', () => {
  it('an acknowledged write is durable: it survives a crash of every replica', () => {
    const c = new CoreCluster({ voters: 3 });
    c.elect('r1');
    const client = c.session('r2');
    const xid = client.send(create('/durable', 'kept'));
    c.settle();
    expect(client.reply(xid)?.err).toBe(ErrorCode.OK);
    for (const id of c.ids) c.crash(id);
    for (const id of c.ids) c.restart(id);
    c.tick(1_000);
    const leader = c.leader();
    expect(leader).not.toBeNull();
    const reader = c.session(leader as string);
    const read = reader.send(getData('/durable'));
    c.settle();
    const body = reader.reply(read)?.body;
    expect(body?.type === 'getData' && text(body.data)).toBe('kept');
  });

  it('writes from many sessions on different replicas apply in one order everywhere', () => {
    const c = new CoreCluster({ voters: 3, observers: 1 });
    c.elect('r1');
    const clients = ['r1', 'r2', 'r3', 'o1'].map((id) => c.session(id));
    clients[0]!.send(create('/counter', '0'));
    c.settle();
    for (let round = 0; round < 5; round++) {
      clients.forEach((client, i) => client.send(setData('/counter', `${round}-${i}`)));
      c.settle();
    }
    const digests = c.ids.map((id) => c.core(id).status().digest);
    expect(new Set(digests).size).toBe(1);
    const versions = clients.flatMap((client) => client.replies().filter((r) => r.body.type === 'setData').map((r) => (r.body as { stat: { version: number } }).stat.version));
    expect(versions.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });
});
