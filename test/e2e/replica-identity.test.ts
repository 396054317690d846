import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDevice, type Device } from './chromium.js';
import { startTestPageServer, type TestPageServer } from './vite-server.js';

// Identity that outlives a tab, in real Chromium: localStorage keeps the device id, the Web Locks
// API hands each tab of a device its own slot, and a slot freed by a closed tab is claimed again.

interface Claimed {
  readonly deviceId: string;
  readonly slot: number;
  readonly replicaId: string;
}

declare global {
  interface Window {
    mkIdentity?: (room: string) => Promise<Claimed>;
  }
}

let pages: TestPageServer;
const devices: Device[] = [];

beforeAll(async () => {
  pages = await startTestPageServer();
});

afterAll(async () => {
  await Promise.all(devices.map((device) => device.close()));
  await pages?.close();
});

async function claim(device: Device, room: string): Promise<{ page: Page; identity: Claimed }> {
  const page = await device.context.newPage();
  await page.goto(`${pages.origin}/test/e2e/pages/identity.html`);
  await page.waitForFunction(() => window.mkIdentity !== undefined);
  const identity = await page.evaluate((name) => window.mkIdentity!(name), room);
  return { page, identity };
}

describe('replica identity in Chromium', () => {
  it('tabs of one device get distinct slots, a closed tab frees its slot, devices differ', async () => {
    const [deviceA, deviceB] = await Promise.all([launchDevice(), launchDevice()]);
    devices.push(deviceA, deviceB);
    const first = await claim(deviceA, 'room-1');
    const second = await claim(deviceA, 'room-1');
    expect(first.identity.slot).toBe(0);
    expect(second.identity.slot).toBe(1);
    expect(second.identity.deviceId).toBe(first.identity.deviceId);
    expect(first.identity.replicaId).toBe(`${first.identity.deviceId}-0`);

    await first.page.close();
    const third = await claim(deviceA, 'room-1');
    expect(third.identity.slot).toBe(0);

    const otherRoom = await claim(deviceA, 'room-2');
    expect(otherRoom.identity.slot).toBe(0);

    const elsewhere = await claim(deviceB, 'room-1');
    expect(elsewhere.identity.slot).toBe(0);
    expect(elsewhere.identity.deviceId).not.toBe(first.identity.deviceId);
  });
});
