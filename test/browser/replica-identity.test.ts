import { describe, expect, it } from 'vitest';
import { DEVICE_ID_KEY, claimReplicaIdentity, deviceIdOf, type LockManagerLike } from '../../src/browser/replica-identity.js';

// Node has no Web Locks: this in-memory lock manager follows the spec's ifAvailable semantics
// (callback with null when held, lock held until the callback's promise settles). The real API is
// exercised in Chromium by test/e2e/replica-identity.test.ts.
class MemoryLocks implements LockManagerLike {
  readonly held = new Set<string>();
  async request(name: string, _options: { ifAvailable: true }, callback: (lock: unknown) => Promise<void> | void): Promise<unknown> {
    if (this.held.has(name)) return callback(null);
    this.held.add(name);
    try {
      return await callback({ name });
    } finally {
      this.held.delete(name);
    }
  }
}

const memoryStorage = () => {
  const map = new Map<string, string>();
  return { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v), map };
};
const counterBytes = () => {
  let n = 0;
  return (bytes: Uint8Array) => bytes.forEach((_, i) => (bytes[i] = n++ & 0xff));
};

describe('replica identity', () => {
  it('the device id is made once and kept', () => {
    const storage = memoryStorage();
    const id = deviceIdOf(storage, counterBytes());
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(deviceIdOf(storage, () => undefined)).toBe(id);
    expect(storage.map.get(DEVICE_ID_KEY)).toBe(id);
  });

  it('tabs of one device claim distinct slots; a released slot is claimed again', async () => {
    const storage = memoryStorage();
    const locks = new MemoryLocks();
    const options = { room: 'r', storage, locks, randomBytes: counterBytes() };
    const first = await claimReplicaIdentity(options);
    const second = await claimReplicaIdentity(options);
    expect([first.slot, second.slot]).toEqual([0, 1]);
    expect(second.replicaId).toBe(`${first.deviceId}-1`);
    first.release();
    await Promise.resolve();
    await Promise.resolve();
    const third = await claimReplicaIdentity(options);
    expect(third.slot).toBe(0);
  });

  it('slots are per room', async () => {
    const options = { storage: memoryStorage(), locks: new MemoryLocks(), randomBytes: counterBytes() };
    const a = await claimReplicaIdentity({ ...options, room: 'a' });
    const b = await claimReplicaIdentity({ ...options, room: 'b' });
    expect([a.slot, b.slot]).toEqual([0, 0]);
  });

  it('when every slot is taken the claim fails with a clear error', async () => {
    const options = { room: 'r', storage: memoryStorage(), locks: new MemoryLocks(), randomBytes: counterBytes(), maxSlots: 2 };
    await claimReplicaIdentity(options);
    await claimReplicaIdentity(options);
    await expect(claimReplicaIdentity(options)).rejects.toThrow(/THROTTLEDOP.*slots/);
  });
});
