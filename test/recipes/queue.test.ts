import { describe, expect, it } from 'vitest';
import { isKeeperError } from '../../src/index.js';
import { Queue } from '../../src/recipes/index.js';
import { until, useWorld } from './helpers.js';

const world = useWorld();
const text = (bytes: Uint8Array | null | undefined): string => (bytes === null || bytes === undefined ? 'null' : new TextDecoder().decode(bytes));

describe('Queue', () => {
  it('is FIFO: items come out in the order they were put', async () => {
    const w = await world();
    const producer = new Queue(await w.connect(0), '/queues/fifo');
    const consumer = new Queue(await w.connect(1), '/queues/fifo');
    for (let i = 0; i < 10; i++) await producer.put(`job ${i}`);
    expect(await consumer.size()).toBe(10);
    expect(text((await consumer.peek())?.data)).toBe('job 0');
    const out: string[] = [];
    for (let i = 0; i < 10; i++) out.push(text(await consumer.take()));
    expect(out).toEqual(Array.from({ length: 10 }, (_, i) => `job ${i}`));
    expect(await consumer.poll()).toBeNull();
  });

  it('take blocks until an item is put', async () => {
    const w = await world();
    const consumer = new Queue(await w.connect(0), '/queues/blocking');
    const producer = new Queue(await w.connect(2), '/queues/blocking');
    let taken: string | undefined;
    const taking = consumer.take().then((data) => (taken = text(data)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(taken).toBeUndefined();
    await producer.put('hello');
    await taking;
    expect(taken).toBe('hello');
  });

  it('concurrent consumers receive every item exactly once', async () => {
    const w = await world();
    const producers = [new Queue(await w.connect(0), '/queues/many'), new Queue(await w.connect(1), '/queues/many')];
    const consumers = await Promise.all([0, 1, 2].map(async (replica) => new Queue(await w.connect(replica), '/queues/many')));
    const received: string[] = [];
    let stop = false;
    const consuming = consumers.map(async (consumer) => {
      const controller = new AbortController();
      const timer = setInterval(() => stop && controller.abort(new Error('done')), 10);
      try {
        for (;;) received.push(text(await consumer.take({ signal: controller.signal })));
      } catch (error) {
        if (!(error instanceof Error) || error.message !== 'done') throw error;
      } finally {
        clearInterval(timer);
      }
    });
    await Promise.all(producers.map(async (producer, p) => {
      for (let i = 0; i < 15; i++) await producer.put(`p${p}-${i}`);
    }));
    await until(() => received.length === 30);
    stop = true;
    await Promise.all(consuming);
    expect([...received].sort()).toEqual([...producers.flatMap((_, p) => Array.from({ length: 15 }, (_, i) => `p${p}-${i}`))].sort());
    expect(await producers[0]!.size()).toBe(0);
  });

  it('a take times out (OPERATIONTIMEOUT) or aborts (its reason) without leaving a watch; maxItems is enforced', async () => {
    const w = await world();
    const zk = await w.connect(0);
    const queue = new Queue(zk, '/queues/limits', { maxItems: 2 });
    await expect(queue.take({ timeoutMs: 50 })).rejects.toSatisfy((error) => isKeeperError(error, 'OPERATIONTIMEOUT'));
    const controller = new AbortController();
    const taking = queue.take({ signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 30));
    controller.abort(new Error('bye'));
    await expect(taking).rejects.toThrow('bye');
    await until(async () => (await zk.removeAllWatches('/queues/limits', 'Any').then(() => 'left', (error: unknown) => (isKeeperError(error, 'NOWATCHER') ? 'none' : 'other'))) === 'none');
    await queue.put('a');
    await queue.put('b');
    await expect(queue.put('c')).rejects.toMatchObject({ codeName: 'QUOTAEXCEEDED' });
    expect(() => new Queue(zk, '/q', { maxItems: 0 })).toThrow();
  });
});

describe('Queue under faults', () => {
  it("a consumer waiting in take survives the crash of its replica and gets the next item", async () => {
    const w = await world();
    const replica = w.follower();
    const consumer = new Queue(await w.connect(replica), '/queues/crash');
    const producer = new Queue(await w.connect((replica + 1) % 3), '/queues/crash');
    const taking = consumer.take();
    await new Promise((resolve) => setTimeout(resolve, 50));
    w.ensemble.crash(replica);
    await producer.put('after the crash');
    expect(text(await taking)).toBe('after the crash');
  });

  it("puts across a partition of the producer's replica make each item once", async () => {
    const w = await world();
    const replica = w.follower();
    const others = [0, 1, 2].filter((index) => index !== replica);
    const producer = new Queue(await w.connect(replica), '/queues/partition');
    const consumer = new Queue(await w.connect(others[0]), '/queues/partition');
    const puts = Array.from({ length: 10 }, (_, i) => producer.put(`item ${i}`));
    w.ensemble.partition([[replica], others]);
    await Promise.all(puts);
    w.ensemble.heal();
    const out: string[] = [];
    for (let i = 0; i < 10; i++) out.push(text(await consumer.take()));
    expect(out.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `item ${i}`).sort());
    expect(await consumer.poll()).toBeNull();
  });

  it('a consumer whose session expires stops waiting with SESSIONEXPIRED', async () => {
    const w = await world();
    const replica = w.follower();
    const observer = await w.connect((replica + 1) % 3);
    const client = await w.pinned(replica);
    await client.create('/queues-marker', '', { mode: 'EPHEMERAL' });
    const taking = new Queue(client, '/queues/expiry').take();
    taking.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await w.expire(client, replica, observer, '/queues-marker');
    await expect(taking).rejects.toMatchObject({ codeName: 'SESSIONEXPIRED' });
  });
});
