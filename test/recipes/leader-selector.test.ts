import { describe, expect, it } from 'vitest';
import { LeaderSelector } from '../../src/recipes/index.js';
import { deferred, until, useWorld } from './helpers.js';

const world = useWorld();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once the signal aborts, with its reason's codeName (or message). */
function aborted(signal: AbortSignal): Promise<string> {
  return new Promise((resolve) => {
    const done = (): void => resolve((signal.reason as { codeName?: string; message?: string }).codeName ?? String(signal.reason));
    if (signal.aborted) done();
    else signal.addEventListener('abort', done, { once: true });
  });
}

describe('LeaderSelector', () => {
  it('leaders take turns in arrival order, one at a time, each for as long as its function runs', async () => {
    const w = await world();
    const log: string[] = [];
    const gate = deferred();
    const selectors: LeaderSelector[] = [];
    for (const name of ['a', 'b', 'c']) {
      const selector = new LeaderSelector(await w.connect(selectors.length), '/select/turns', async () => {
        log.push(`${name}+`);
        await (name === 'a' ? gate.promise : sleep(20));
        log.push(`${name}-`);
      }, { id: name });
      selector.start();
      selectors.push(selector);
      await until(async () => (await selector.participants()).length === selectors.length);
    }
    expect((await selectors[0]!.participants()).map((p) => p.id)).toEqual(['a', 'b', 'c']);
    gate.resolve();
    await until(() => log.length === 6);
    expect(log).toEqual(['a+', 'a-', 'b+', 'b-', 'c+', 'c-']);
    expect(selectors.every((selector) => !selector.hasLeadership())).toBe(true);
  });

  it('autoRequeue: two selectors alternate fairly', async () => {
    const w = await world();
    const log: string[] = [];
    const make = async (name: string, replica: number): Promise<LeaderSelector> =>
      new LeaderSelector(await w.connect(replica), '/select/requeue', async () => {
        log.push(name);
        await sleep(10);
      }, { id: name, autoRequeue: true });
    const a = await make('a', 0);
    const b = await make('b', 1);
    a.start();
    await until(() => log.length > 0);
    b.start();
    await until(() => log.length >= 6);
    await Promise.all([a.close(), b.close()]);
    expect(log.slice(0, 6)).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
    expect(await a.participants()).toEqual([]);
  });

  it('participants name the leader; interruptLeadership aborts its signal and the next participant leads', async () => {
    const w = await world();
    const reasons: string[] = [];
    const first = new LeaderSelector(await w.connect(0), '/select/interrupt', async (signal) => {
      reasons.push(await aborted(signal));
    }, { id: 'first' });
    const second = new LeaderSelector(await w.connect(1), '/select/interrupt', () => undefined, { id: 'second' });
    const secondLed = deferred();
    second.on('leader', () => secondLed.resolve());
    first.start();
    await until(() => first.hasLeadership());
    second.start();
    await until(async () => (await first.participants()).length === 2);
    expect((await second.leader())?.id).toBe('first');
    expect(first.requeue()).toBe(false);
    first.interruptLeadership();
    await secondLed.promise;
    expect(reasons).toEqual(['APIERROR']);
  });

  it('close while leading aborts the signal and waits for the function; close while queued leaves the queue', async () => {
    const w = await world();
    let finished = false;
    const leader = new LeaderSelector(await w.connect(0), '/select/close', async (signal) => {
      await aborted(signal);
      finished = true;
    });
    const queued = new LeaderSelector(await w.connect(1), '/select/close', () => undefined);
    leader.start();
    await until(() => leader.hasLeadership());
    queued.start();
    await until(async () => (await leader.participants()).length === 2);
    await queued.close();
    expect(await leader.participants()).toHaveLength(1);
    await leader.close();
    expect(finished).toBe(true);
    expect(await leader.participants()).toEqual([]);
  });
});

describe('LeaderSelector under faults', () => {
  it("partitioning the leader's replica away cancels its leadership (uncertain) before anyone else leads", async () => {
    const w = await world();
    const replica = w.follower();
    const others = [0, 1, 2].filter((index) => index !== replica);
    const log: string[] = [];
    const first = new LeaderSelector(await w.connect(replica), '/select/partition', async (signal) => {
      log.push('first leads');
      log.push(`first cancelled ${await aborted(signal)}`);
    });
    const second = new LeaderSelector(await w.connect(others[0]), '/select/partition', () => {
      log.push('second leads');
    });
    first.start();
    await until(() => first.hasLeadership());
    second.start();
    await until(async () => (await second.participants()).length === 2);
    w.ensemble.partition([[replica], others]);
    await until(() => log.length === 3);
    expect(log).toEqual(['first leads', 'first cancelled CONNECTIONLOSS', 'second leads']);
    w.ensemble.heal();
  });

  it("the leader's session expires: its signal aborts (SESSIONEXPIRED) and the next participant leads", async () => {
    const w = await world();
    const replica = w.follower();
    const other = [0, 1, 2].find((index) => index !== replica)!;
    const leaderClient = await w.pinned(replica);
    const observer = await w.connect(other);
    const reasons: string[] = [];
    const first = new LeaderSelector(leaderClient, '/select/expiry', async (signal) => {
      reasons.push(await aborted(signal));
    }, { cancelOn: 'lost', autoRequeue: true });
    const secondLed = deferred();
    const second = new LeaderSelector(observer, '/select/expiry', () => secondLed.resolve());
    first.start();
    await until(() => first.hasLeadership());
    second.start();
    const node = (await first.participants())[0]!.nodePath;
    await w.expire(leaderClient, replica, observer, node);
    await secondLed.promise;
    expect(reasons).toEqual(['SESSIONEXPIRED']);
    expect(first.requeue()).toBe(false);
  });
});
