import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDevice, type Device } from './chromium.js';
import { startTestPageServer, type TestPageServer } from './vite-server.js';

// A profile's device id in real Chromium when several fresh tabs claim their identity at the same
// moment: they must agree on one id (localStorage alone let each tab make its own).

/** identity.html's `window.mkIdentity` (declared by replica-identity.test.ts). */
type IdentityWindow = { mkIdentity?: (room: string) => Promise<{ deviceId: string; slot: number; replicaId: string }> };

let pages: TestPageServer;
let device: Device;

beforeAll(async () => {
  [pages, device] = await Promise.all([startTestPageServer(), launchDevice()]);
});

afterAll(async () => {
  await device?.close();
  await pages?.close();
});

describe('device id', () => {
  it('fresh tabs of one profile that start together share one device id and take distinct slots', async () => {
    const tabs = await Promise.all(Array.from({ length: 4 }, () => device.context.newPage()));
    await Promise.all(tabs.map((page) => page.goto(`${pages.origin}/test/e2e/pages/identity.html`)));
    await Promise.all(tabs.map((page) => page.waitForFunction(() => (window as unknown as IdentityWindow).mkIdentity !== undefined)));
    const claimed = await Promise.all(tabs.map((page) => page.evaluate(() => (window as unknown as IdentityWindow).mkIdentity!('room'))));
    expect(new Set(claimed.map((identity) => identity.deviceId)).size).toBe(1);
    expect(claimed.map((identity) => identity.slot).sort()).toEqual([0, 1, 2, 3]);
    expect(await tabs[0]!.evaluate(() => localStorage.getItem('meshkeeper:device-id'))).toBe(claimed[0]!.deviceId);
  });
});
