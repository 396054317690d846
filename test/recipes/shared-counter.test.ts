import { describe, expect, it } from 'vitest';
import { isKeeperError } from '../../src/index.js';
import { SharedCounter, decodeCounter } from '../../src/recipes/index.js';
import { until, useWorld } from './helpers.js';

const world = useWorld();

describe('SharedCounter', () => {
  it('concurrent increments from many clients sum exactly, each result unique', async () => {
    const w = await world();
    const counters = await Promise.all([0, 1, 2, 0, 1, 2].map(async (replica) => new SharedCounter(await w.connect(replica), '/counters/hits')));
    const results = await Promise.all(
      counters.map(async (counter) => {
        const seen: number[] = [];
        for (let i = 0; i < 15; i++) seen.push((await counter.increment()).value);
        return seen;
      }),
    );
    const all = results.flat().sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 90 }, (_, i) => i + 1));
    expect((await counters[0]!.get()).value).toBe(90);
  });

  it('the node is created with the initial value; increments take any delta', async () => {
    const w = await world();
    const counter = new SharedCounter(await w.connect(0), '/counters/deep/stock', { initial: 10 });
    expect(await counter.get()).toEqual({ value: 10, version: 0 });
    expect((await counter.increment(-3)).value).toBe(7);
    expect((await counter.increment(5)).value).toBe(12);
    await expect(counter.increment(1.5)).rejects.toMatchObject({ codeName: 'BADARGUMENTS' });
  });

  it('trySet applies only at the current version', async () => {
    const w = await world();
    const a = new SharedCounter(await w.connect(0), '/counters/cas');
    const b = new SharedCounter(await w.connect(1), '/counters/cas');
    const start = await a.get();
    expect(await a.trySet(5, start.version)).toBe(true);
    expect(await b.trySet(6, start.version)).toBe(false);
    expect((await b.get()).value).toBe(5);
    expect((await b.set(42)).value).toBe(42);
  });

  it('a started counter hears every change as change events, in order', async () => {
    const w = await world();
    const watcher = new SharedCounter(await w.connect(0), '/counters/events');
    const writer = new SharedCounter(await w.connect(1), '/counters/events');
    const seen: number[] = [];
    watcher.on('change', ({ value }) => seen.push(value));
    await watcher.start();
    for (let i = 0; i < 5; i++) await writer.increment();
    await until(() => seen.at(-1) === 5);
    expect(seen).toEqual([...seen].sort((x, y) => x - y));
    expect(seen[0]).toBe(0);
    expect(watcher.value?.value).toBe(5);
    await watcher.close();
  });

  it('refuses data that is not a counter (BADARGUMENTS)', async () => {
    const w = await world();
    const zk = await w.connect(0);
    await zk.create('/not-a-counter', 'hello');
    await expect(new SharedCounter(zk, '/not-a-counter').increment()).rejects.toMatchObject({ codeName: 'BADARGUMENTS' });
    expect(decodeCounter(new TextEncoder().encode('-12'), '/x')).toBe(-12);
    expect(() => new SharedCounter(zk, '/c', { maxRetries: 0 })).toThrow();
  });

  it('an abort stops an increment waiting for its connection', async () => {
    const w = await world();
    const replica = w.follower();
    const client = await w.pinned(replica);
    const counter = new SharedCounter(client, '/counters/abort');
    await counter.get();
    w.ensemble.pause(replica);
    const controller = new AbortController();
    const pending = counter.increment(1, { signal: controller.signal });
    controller.abort(new Error('give up'));
    await expect(pending).rejects.toThrow('give up');
    w.ensemble.resume(replica);
  });
});

describe('SharedCounter under faults', () => {
  it("increments across the crash of the client's replica: every confirmed one counts, none twice", async () => {
    const w = await world();
    const replica = w.follower();
    const counter = new SharedCounter(await w.connect(replica), '/counters/crash');
    const other = new SharedCounter(await w.connect((replica + 1) % 3), '/counters/crash');
    let confirmed = 0;
    let unknown = 0;
    const run = async (c: SharedCounter): Promise<void> => {
      for (let i = 0; i < 20; i++) {
        try {
          await c.increment();
          confirmed++;
        } catch (error) {
          if (!isKeeperError(error, 'CONNECTIONLOSS')) throw error;
          unknown++;
        }
      }
    };
    const runs = Promise.all([run(counter), run(other)]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    w.ensemble.crash(replica);
    await runs;
    const final = (await other.get()).value;
    expect(final).toBeGreaterThanOrEqual(confirmed);
    expect(final).toBeLessThanOrEqual(confirmed + unknown);
    expect(confirmed + unknown).toBe(40);
  });

  it('a started counter catches up after its replica is partitioned away (changes missed while away are re-read)', async () => {
    const w = await world();
    const replica = w.follower();
    const others = [0, 1, 2].filter((index) => index !== replica);
    const watcher = new SharedCounter(await w.connect(replica), '/counters/partition');
    const writer = new SharedCounter(await w.connect(others[0]), '/counters/partition');
    await watcher.start();
    w.ensemble.partition([[replica], others]);
    for (let i = 0; i < 3; i++) await writer.increment();
    await until(() => watcher.value?.value === 3);
    w.ensemble.heal();
  });

  it('an increment on an expired session rejects with SESSIONEXPIRED', async () => {
    const w = await world();
    const replica = w.follower();
    const observer = await w.connect((replica + 1) % 3);
    const client = await w.pinned(replica);
    await client.create('/marker', '', { mode: 'EPHEMERAL' });
    const counter = new SharedCounter(client, '/counters/expired');
    await counter.get();
    await w.expire(client, replica, observer, '/marker');
    await expect(counter.increment()).rejects.toMatchObject({ codeName: 'SESSIONEXPIRED' });
  });
});
