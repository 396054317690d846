import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer, type DemoServer } from '../../signaling/demo.js';
import { launchDevice, type Device } from './chromium.js';

// The demo's production build, as `npm run build` makes it (vite build with the repository's
// vite.config.ts, into a fresh directory) and `npm run demo:built` serves it (signaling/demo.ts):
// two tabs, one in each of two browsers (so over WebRTC), join one ensemble; a znode created in
// one tab's tree shows, with its data, in the other's; no console errors.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), 'meshkeeper-demo-build-'));
const dataDir = mkdtempSync(join(tmpdir(), 'meshkeeper-demo-built-signaling-'));
const room = `built-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
let demo: DemoServer;
let devices: Device[] = [];
const consoleErrors: string[] = [];
/** Every address the tabs requested: a built page asks for no source module and nothing of vite's dev server. */
const requested: string[] = [];

beforeAll(async () => {
  const launching = Promise.all([launchDevice(), launchDevice()]);
  try {
    await build({ root: ROOT, logLevel: 'error', build: { outDir, emptyOutDir: true } });
  } finally {
    devices = await launching;
  }
  demo = await startDemoServer({ built: true, builtDir: outDir, host: '127.0.0.1', signalingPort: 0, demoPort: 0, signalingDataDir: dataDir, logLevel: 'error' });
}, 120_000);

afterAll(async () => {
  await Promise.all(devices.map((device) => device.close()));
  await demo?.close();
  rmSync(outDir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${last === null ? '' : ` (${String(last)})`}; console errors: ${consoleErrors.join(' / ') || 'none'}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/** Opens the demo as the launcher prints it, in `room`; resolves with the tab's replica id once it joined. */
async function openTab(name: string, device: Device): Promise<{ page: Page; replicaId: string }> {
  const page = await device.context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`${name}: ${message.text()}`);
  });
  page.on('pageerror', (error) => consoleErrors.push(`${name}: page error: ${error.message}`));
  page.on('request', (request) => requested.push(request.url()));
  const url = new URL(demo.url);
  url.searchParams.set('room', room);
  url.searchParams.set('pbkdf2', '20000');
  await page.goto(url.toString());
  const replica = page.locator('#this-tab [data-replica]');
  await until(`${name} joins the room`, async () => ((await replica.getAttribute('data-replica')) ?? '') !== '', 90_000);
  return { page, replicaId: (await replica.getAttribute('data-replica'))! };
}

describe('the production build of the demo', () => {
  it('two tabs in two browsers join one ensemble; a znode created in one tree shows in the other', async () => {
    const first = await openTab('tab A', devices[0]!);
    const second = await openTab('tab B', devices[1]!);
    const tabs = [first, second];
    await until('one ensemble with both replicas, one leader', async () => {
      const views = await Promise.all(
        tabs.map(async ({ page }) => ({
          leader: await page.locator('mk-ensemble').getAttribute('data-leader'),
          rows: await page.locator('mk-ensemble tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-replica'))),
        })),
      );
      return views.every((view) => view.leader !== null && view.leader !== '' && view.leader === views[0]!.leader && tabs.every((tab) => view.rows.includes(tab.replicaId)));
    });

    // A creates /built-… with data through its tree; B's tree lists it (its children watch fires) and shows the data.
    const path = `/built-${Math.random().toString(36).slice(2, 8)}`;
    const data = `written in ${first.replicaId}`;
    await first.page.locator('mk-tree .create-name').fill(path);
    await first.page.locator('mk-tree .create-data').fill(data);
    await first.page.locator('mk-tree [part="create-button"]').click();
    await until('A created it', async () => (await first.page.locator('mk-tree .outcome').getAttribute('data-ok')) === 'true');
    const row = second.page.locator(`mk-tree li[data-path="${path}"]`);
    await until("B's tree lists it", async () => (await row.count()) === 1);
    await row.locator('.name').click();
    await until("B's tree shows its data", async () => (await second.page.locator('mk-tree [part="data"]').innerText()) === data);
    expect(consoleErrors).toEqual([]);
    const origin = new URL(demo.url).origin;
    const ours = requested.filter((url) => url.startsWith(origin)).map((url) => new URL(url).pathname);
    expect(ours.filter((pathname) => /^\/(src|node_modules|@vite|@fs|@id)\//.test(pathname) || pathname.endsWith('.ts'))).toEqual([]);
    expect(ours.some((pathname) => /^\/assets\/.+\.js$/.test(pathname))).toBe(true);
  }, 180_000);
});
