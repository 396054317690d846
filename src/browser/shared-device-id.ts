import { createStore, update } from 'idb-keyval';
import type { KeyValueStore } from './replica-identity.js';

/** The IndexedDB database and store holding this profile's device id. */
export const DEVICE_DATABASE = 'meshkeeper-device';
export const DEVICE_STORE = 'meta';

const DEVICE_ID = /^[0-9a-f]{32}$/;

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * This profile's device id, made at most once even when several fresh tabs start at the same
 * moment: it is read and (if missing) written in one IndexedDB readwrite transaction, which the
 * browser runs one at a time across the profile's tabs — localStorage alone cannot promise that
 * (each tab may read its own stale copy and make a second id). An id already in `mirror`
 * (localStorage, where earlier versions kept it) is adopted; the result is written back there.
 */
export async function sharedDeviceId(
  randomBytes: (bytes: Uint8Array) => void,
  mirror: KeyValueStore | undefined,
  mirrorKey: string,
): Promise<string> {
  let deviceId = '';
  await update<string>(
    'device-id',
    (current) => {
      if (current !== undefined && DEVICE_ID.test(current)) deviceId = current;
      else {
        const mirrored = mirror?.getItem(mirrorKey) ?? null;
        if (mirrored !== null && DEVICE_ID.test(mirrored)) deviceId = mirrored;
        else {
          const bytes = new Uint8Array(16);
          randomBytes(bytes);
          deviceId = hex(bytes);
        }
      }
      return deviceId;
    },
    createStore(DEVICE_DATABASE, DEVICE_STORE),
  );
  mirror?.setItem(mirrorKey, deviceId);
  return deviceId;
}
