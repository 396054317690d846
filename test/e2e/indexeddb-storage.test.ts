import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDevice, type Device } from './chromium.js';
import { startTestPageServer, type TestPageServer } from './vite-server.js';

// IndexedDbStorage in real Chromium: group commit (many writes, few transactions), recovery after
// a reload and after the whole browser restarts on the same profile, and inside a module worker
// (where a tab's replica runs).

let pages: TestPageServer;
const devices: Device[] = [];

beforeAll(async () => {
  pages = await startTestPageServer();
});

afterAll(async () => {
  await Promise.all(devices.map((device) => device.close()));
  await pages?.close();
});

async function open(device: Device): Promise<Page> {
  const page = await device.context.newPage();
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  await page.goto(`${pages.origin}/test/e2e/pages/storage.html`);
  await page.waitForFunction(() => window.mkStorage !== undefined);
  return page;
}

describe('IndexedDbStorage in Chromium', () => {
  it('group-commits a log and recovers it after a reload and a browser restart', async () => {
    const device = await launchDevice();
    const page = await open(device);
    const written = await page.evaluate(() => window.mkStorage!.write('room', 'replica-a', 2000));
    expect(written).toMatchObject({ firstIndex: 1, lastIndex: 2000, commit: 2000, term: 2 });
    expect(written.transactions).toBeLessThan(200);

    await page.reload();
    await page.waitForFunction(() => window.mkStorage !== undefined);
    expect(await page.evaluate(() => window.mkStorage!.read('room', 'replica-a'))).toEqual({ ...written, transactions: 0 });

    await device.close({ keepProfile: true });
    const relaunched = await launchDevice({ profileDir: device.profileDir });
    devices.push(relaunched);
    const again = await open(relaunched);
    expect(await again.evaluate(() => window.mkStorage!.read('room', 'replica-a'))).toEqual({ ...written, transactions: 0 });
    expect(await again.evaluate(() => window.mkStorage!.read('room', 'replica-b'))).toMatchObject({ lastIndex: 0 });
  });

  it('works inside a module worker, and the page sees what the worker wrote', async () => {
    const device = await launchDevice();
    devices.push(device);
    const page = await open(device);
    const written = await page.evaluate(() => window.mkStorage!.inWorker({ op: 'write', room: 'room', replicaId: 'worker', count: 500 }));
    expect(written).toMatchObject({ lastIndex: 500, commit: 500 });
    expect(await page.evaluate(() => window.mkStorage!.read('room', 'worker'))).toEqual({ ...written, transactions: 0 });
  });
});
