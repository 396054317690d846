import { KeeperError } from '../errors/keeper-error.js';

/** The part of `localStorage` identity needs. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** The part of the Web Locks API (`navigator.locks`) identity needs. */
export interface LockManagerLike {
  request(name: string, options: { ifAvailable: true }, callback: (lock: unknown) => Promise<void> | void): Promise<unknown>;
}

/** Who this tab's replica is, held until `release()` (or until the tab goes away). */
export interface ReplicaIdentity {
  /** Stable per browser profile (one "device"). */
  readonly deviceId: string;
  /** The slot this tab claimed on its device: 0 for the first tab, 1 for the second, ... */
  readonly slot: number;
  /** `${deviceId}-${slot}`: the replica whose log, snapshot and vote this tab resumes. */
  readonly replicaId: string;
  /** Gives the slot back (a later tab may claim it and resume this replica). */
  release(): void;
}

export interface ClaimIdentityOptions {
  readonly room: string;
  /** How many tabs of one device may run replicas of one room at once. */
  readonly maxSlots?: number;
  readonly storage?: KeyValueStore;
  readonly locks?: LockManagerLike;
  /** Fills bytes with randomness (default: crypto.getRandomValues). */
  readonly randomBytes?: (bytes: Uint8Array) => void;
}

export const DEVICE_ID_KEY = 'meshkeeper:device-id';
export const DEFAULT_MAX_SLOTS = 16;

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** This profile's device id, created (16 random bytes, hex) and stored on first use. */
export function deviceIdOf(storage: KeyValueStore, randomBytes: (bytes: Uint8Array) => void): string {
  const existing = storage.getItem(DEVICE_ID_KEY);
  if (existing !== null && /^[0-9a-f]{32}$/.test(existing)) return existing;
  const bytes = new Uint8Array(16);
  randomBytes(bytes);
  const id = hex(bytes);
  storage.setItem(DEVICE_ID_KEY, id);
  return id;
}

/** The Web Lock a tab holds while it runs the replica in `slot`. */
export function slotLockName(room: string, deviceId: string, slot: number): string {
  return `meshkeeper:${room}:${deviceId}:slot:${slot}`;
}

/**
 * Claims the lowest free slot of this device for `room` with the Web Locks API, so two tabs never
 * run one replica (and never write one IndexedDB log) at once, and a tab opened later resumes the
 * replica of a tab that closed — as a restarted ZooKeeper server resumes its own log and vote.
 * The lock is held until `release()` or until the tab (or worker) that asked goes away.
 */
export async function claimReplicaIdentity(options: ClaimIdentityOptions): Promise<ReplicaIdentity> {
  const storage = options.storage ?? globalThis.localStorage;
  const locks = options.locks ?? (globalThis.navigator?.locks as LockManagerLike | undefined);
  const randomBytes = options.randomBytes ?? ((bytes: Uint8Array) => void crypto.getRandomValues(bytes));
  const maxSlots = options.maxSlots ?? DEFAULT_MAX_SLOTS;
  if (storage === undefined || locks === undefined) {
    throw new KeeperError('SYSTEMERROR', 'a replica identity needs localStorage and the Web Locks API');
  }
  if (!Number.isInteger(maxSlots) || maxSlots < 1 || maxSlots > 1024) {
    throw new KeeperError('BADARGUMENTS', `maxSlots must be an integer in [1, 1024], got ${maxSlots}`);
  }
  const deviceId = deviceIdOf(storage, randomBytes);
  for (let slot = 0; slot < maxSlots; slot++) {
    const held = await tryHold(locks, slotLockName(options.room, deviceId, slot));
    if (held !== null) {
      return { deviceId, slot, replicaId: `${deviceId}-${slot}`, release: held };
    }
  }
  throw new KeeperError('THROTTLEDOP', `all ${maxSlots} replica slots of this device are taken in room "${options.room}"`);
}

/** Takes the lock if it is free and keeps it until the returned function is called; null if taken. */
function tryHold(locks: LockManagerLike, name: string): Promise<(() => void) | null> {
  return new Promise((resolveClaim, rejectClaim) => {
    let release: () => void = () => undefined;
    const keep = new Promise<void>((resolveKeep) => {
      release = resolveKeep;
    });
    locks
      .request(name, { ifAvailable: true }, (lock) => {
        if (lock === null) {
          resolveClaim(null);
          return;
        }
        resolveClaim(release);
        return keep;
      })
      .catch(rejectClaim);
  });
}
