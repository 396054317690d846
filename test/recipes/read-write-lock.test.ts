import { describe, expect, it } from 'vitest';
import { ReadWriteLock, type SequentialLock } from '../../src/recipes/index.js';
import { countingClient, until, useWorld } from './helpers.js';

const world = useWorld();

/** Starts an acquire and waits until its node is queued (`expected` contenders in all). */
async function queue(lock: SequentialLock, expected: number): Promise<{ acquired: Promise<void> }> {
  const acquired = lock.acquire();
  acquired.catch(() => undefined);
  await until(async () => (await lock.participantNodes()).length === expected);
  return { acquired };
}

describe('ReadWriteLock', () => {
  it('readers share the lock', async () => {
    const w = await world();
    const readers = await Promise.all([0, 1, 2].map(async (replica) => new ReadWriteLock(await w.connect(replica), '/rw/share')));
    await Promise.all(readers.map((rw) => rw.readLock.acquire()));
    expect(readers.every((rw) => rw.readLock.isAcquired())).toBe(true);
  });

  it('a writer waits for the readers before it, and readers after a waiting writer wait for it (arrival order)', async () => {
    const w = await world();
    const [r1, writer, r2] = await Promise.all([0, 1, 2].map(async (replica) => new ReadWriteLock(await w.connect(replica), '/rw/order')));
    const order: string[] = [];
    await r1!.readLock.acquire();
    const { acquired: writing } = await queue(writer!.writeLock, 2);
    const { acquired: reading } = await queue(r2!.readLock, 3);
    void writing.then(() => order.push('writer'));
    void reading.then(() => order.push('r2'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(order).toEqual([]);
    await r1!.readLock.release();
    await writing;
    expect(r2!.readLock.isAcquired()).toBe(false);
    await writer!.writeLock.release();
    await reading;
    expect(order).toEqual(['writer', 'r2']);
  });

  it('the write holder may take the read lock (downgrade); the read holder may not take the write lock (APIERROR)', async () => {
    const w = await world();
    const rw = new ReadWriteLock(await w.connect(0), '/rw/grade');
    const other = new ReadWriteLock(await w.connect(1), '/rw/grade');
    await rw.writeLock.acquire();
    await rw.readLock.acquire();
    await rw.writeLock.release();
    const { acquired: otherWrites } = await queue(other.writeLock, 2);
    await expect(rw.writeLock.acquire()).rejects.toMatchObject({ codeName: 'APIERROR' });
    await rw.readLock.release();
    await otherWrites;
    expect(other.writeLock.isAcquired()).toBe(true);
  });

  it('readers behind a writer watch only that writer: one wakeup each', async () => {
    const w = await world();
    const writer = new ReadWriteLock(await w.connect(0), '/rw/herd');
    await writer.writeLock.acquire();
    const readers = [];
    for (let i = 0; i < 3; i++) {
      const counted = countingClient(await w.connect(i));
      const rw = new ReadWriteLock(counted.client, '/rw/herd');
      const { acquired } = await queue(rw.readLock, i + 2);
      readers.push({ counts: counted.counts, acquired, rw });
    }
    await writer.writeLock.release();
    await Promise.all(readers.map((reader) => reader.acquired));
    for (const reader of readers) {
      const own = reader.rw.readLock.nodePath;
      const events = reader.counts.nodeEvents.filter((event) => event.path !== own);
      expect(events).toHaveLength(1);
      expect(events[0]?.type).toBe('NodeDeleted');
    }
  });

  it("a reader's session expiry frees the lock for the writer waiting behind it", async () => {
    const w = await world();
    const replica = w.follower();
    const other = [0, 1, 2].find((index) => index !== replica)!;
    const readerClient = await w.pinned(replica);
    const observer = await w.connect(other);
    const reader = new ReadWriteLock(readerClient, '/rw/expiry');
    const writer = new ReadWriteLock(observer, '/rw/expiry');
    const lost: string[] = [];
    reader.readLock.on('lost', (reason) => lost.push(reason.codeName));
    await reader.readLock.acquire();
    const { acquired } = await queue(writer.writeLock, 2);
    await w.expire(readerClient, replica, observer, reader.readLock.nodePath!);
    await acquired;
    expect(writer.writeLock.isAcquired()).toBe(true);
    expect(reader.readLock.isAcquired()).toBe(false);
    expect(lost).toEqual(['SESSIONEXPIRED']);
  });
});
