import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDevice, type Device } from './chromium.js';
import { startTestPageServer, type TestPageServer } from './vite-server.js';
import type { WorkerCommand, WorkerReply } from './pages/transport-page-api.js';

// meshkeeper's transport in real Chromium: two devices (browser processes) connect with the
// WebRTC peer (signals relayed by this test, standing in for the signaling server), hand the data
// channel to a module worker, and exchange multi-chunk frames from inside the workers; two tabs of
// one device link over BroadcastChannel from their workers. The pages load src/transport through
// vite's dev server.

const MiB = 1024 * 1024;
let pages: TestPageServer;
let pageUrl: string;
const devices: Device[] = [];

beforeAll(async () => {
  pages = await startTestPageServer();
  pageUrl = `${pages.origin}/test/e2e/pages/transport.html`;
  devices.push(...(await Promise.all([launchDevice(), launchDevice()])));
});

afterAll(async () => {
  await Promise.all(devices.map((device) => device.close()));
  await pages?.close();
});

async function openPage(device: Device): Promise<Page> {
  const page = await device.context.newPage();
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  await page.goto(pageUrl);
  await page.waitForFunction(() => window.mkTest !== undefined);
  return page;
}

async function inWorker(page: Page, command: WorkerCommand): Promise<WorkerReply> {
  const reply = await page.evaluate((workerCommand) => window.mkTest!.worker(workerCommand), command);
  if (reply.op === 'error') throw new Error(`worker: ${reply.message}`);
  return reply;
}

/** The test is the signaling server: a signal from one page is handed to the other. */
async function relaySignals(from: Page, to: Page): Promise<void> {
  await from.exposeFunction('mkSendSignal', async (connection: string, signal: unknown) => {
    await to.evaluate(([name, data]) => window.mkTest!.signal(name, data), [connection, signal] as const);
  });
}

async function connect(pageA: Page, pageB: Page, connection: string, options: { bridgeB: boolean }) {
  // The answering side exists before the offer can reach it.
  const modeB = await pageB.evaluate(
    ([name, bridge, maxFrameBytes]) => window.mkTest!.connect({ connection: name, peer: 'device-a', initiator: false, forceBridge: bridge, maxFrameBytes }),
    [connection, options.bridgeB, 4 * MiB] as const,
  );
  const modeA = await pageA.evaluate(
    ([name, maxFrameBytes]) => window.mkTest!.connect({ connection: name, peer: 'device-b', initiator: true, forceBridge: false, maxFrameBytes }),
    [connection, 4 * MiB] as const,
  );
  const maxMessageBytes = await Promise.all([
    pageA.evaluate((name) => window.mkTest!.connected(name), connection),
    pageB.evaluate((name) => window.mkTest!.connected(name), connection),
  ]);
  return { modeA, modeB, maxMessageBytes };
}

const frames: readonly (readonly [number, number])[] = [
  [3 * MiB, 1],
  [1, 2],
  [64 * 1024 - 1, 3],
  [64 * 1024, 4],
  [200_000, 5],
  [0, 6],
];

function expectIntact(reply: WorkerReply, seedOffset: number): void {
  expect(reply.op).toBe('receive');
  if (reply.op !== 'receive') return;
  expect(reply.frames.map((frame) => frame.length)).toEqual(frames.map(([length]) => length));
  expect(reply.frames.every((frame) => frame.intact)).toBe(true);
  expect(reply.frames.filter((frame) => frame.length >= 4).map((frame) => frame.seed)).toEqual(
    frames.filter(([length]) => length >= 4).map(([, seed]) => seed + seedOffset),
  );
}

describe('transport in Chromium', () => {
  let pageA: Page;
  let pageB: Page;

  beforeAll(async () => {
    const [deviceA, deviceB] = devices as [Device, Device];
    [pageA, pageB] = await Promise.all([deviceA.context.newPage(), deviceB.context.newPage()]);
    await Promise.all([relaySignals(pageA, pageB), relaySignals(pageB, pageA)]);
    await Promise.all([pageA.goto(pageUrl), pageB.goto(pageUrl)]);
    await Promise.all([pageA.waitForFunction(() => window.mkTest !== undefined), pageB.waitForFunction(() => window.mkTest !== undefined)]);
  });

  it('two devices connect, transfer the data channel to a worker, and exchange multi-chunk frames both ways', async () => {
    const { modeA, modeB, maxMessageBytes } = await connect(pageA, pageB, 'c1', { bridgeB: false });
    expect([modeA, modeB]).toEqual(['transferred', 'transferred']);
    // Chromium's limit on one data-channel message; the 64 KiB chunks stay under it.
    for (const bytes of maxMessageBytes) expect(bytes).toBeGreaterThanOrEqual(64 * 1024);
    expect(await inWorker(pageA, { op: 'kind', link: 'c1' })).toEqual({ op: 'kind', kind: 'webrtc', peer: 'device-b' });

    const sentA = inWorker(pageA, { op: 'send', link: 'c1', frames });
    const sentB = inWorker(pageB, { op: 'send', link: 'c1', frames: frames.map(([length, seed]) => [length, seed + 100] as const) });
    expect(await sentA).toEqual({ op: 'send', results: frames.map(() => 'sent') });
    expect(await sentB).toEqual({ op: 'send', results: frames.map(() => 'sent') });
    const [atB, atA] = await Promise.all([
      inWorker(pageB, { op: 'receive', link: 'c1', count: frames.length }),
      inWorker(pageA, { op: 'receive', link: 'c1', count: frames.length }),
    ]);
    expectIntact(atB, 0);
    expectIntact(atA, 100);

    await inWorker(pageA, { op: 'close', link: 'c1', reason: 'test done' });
    expect(await inWorker(pageB, { op: 'closed', link: 'c1' })).toEqual({ op: 'closed', reason: 'remote: test done' });
  });

  it('a sender that outruns its send queue bound has its link closed with backpressure, and the peer hears why', async () => {
    await connect(pageA, pageB, 'c3', { bridgeB: false });
    // Three 3 MiB frames in one task: the channel holds 1 MiB, the link may hold 8 MiB in all.
    const sent = await inWorker(pageA, { op: 'send', link: 'c3', frames: [[3 * MiB, 1], [3 * MiB, 2], [3 * MiB, 3]] });
    expect(sent).toEqual({ op: 'send', results: ['sent', 'sent', 'closed'] });
    expect(await inWorker(pageA, { op: 'closed', link: 'c3' })).toEqual({ op: 'closed', reason: 'backpressure' });
    expect(await inWorker(pageB, { op: 'closed', link: 'c3' })).toEqual({ op: 'closed', reason: 'remote: backpressure' });
  });

  it('a data channel the window keeps is bridged to the worker through a port', async () => {
    const { modeA, modeB } = await connect(pageA, pageB, 'c2', { bridgeB: true });
    expect([modeA, modeB]).toEqual(['transferred', 'bridged']);
    expect(await inWorker(pageB, { op: 'kind', link: 'c2' })).toEqual({ op: 'kind', kind: 'port', peer: 'device-a' });

    await inWorker(pageA, { op: 'send', link: 'c2', frames });
    await inWorker(pageB, { op: 'send', link: 'c2', frames: frames.map(([length, seed]) => [length, seed + 100] as const) });
    expectIntact(await inWorker(pageB, { op: 'receive', link: 'c2', count: frames.length }), 0);
    expectIntact(await inWorker(pageA, { op: 'receive', link: 'c2', count: frames.length }), 100);

    await inWorker(pageB, { op: 'close', link: 'c2', reason: 'bridge done' });
    expect(await inWorker(pageA, { op: 'closed', link: 'c2' })).toEqual({ op: 'closed', reason: 'remote: bridge done' });
  });

  it('two tabs of one device link over BroadcastChannel from their workers; a closed tab is noticed by its bye', async () => {
    const [deviceA] = devices as [Device, Device];
    const tab1 = await openPage(deviceA);
    const tab2 = await openPage(deviceA);
    await tab1.evaluate(() => window.mkTest!.startBroadcast('room-1', 'tab-1', ['tab-2']));
    await tab2.evaluate(() => window.mkTest!.startBroadcast('room-1', 'tab-2', ['tab-1']));
    expect(await inWorker(tab1, { op: 'kind', link: 'broadcast:tab-2' })).toEqual({ op: 'kind', kind: 'broadcast', peer: 'tab-2' });

    await inWorker(tab1, { op: 'send', link: 'broadcast:tab-2', frames });
    await inWorker(tab2, { op: 'send', link: 'broadcast:tab-1', frames: frames.map(([length, seed]) => [length, seed + 100] as const) });
    expectIntact(await inWorker(tab2, { op: 'receive', link: 'broadcast:tab-1', count: frames.length }), 0);
    expectIntact(await inWorker(tab1, { op: 'receive', link: 'broadcast:tab-2', count: frames.length }), 100);

    await tab2.close();
    // 'bye' comes from tab 2's pagehide; a silent disappearance would read 'timeout' after 4 s.
    expect(await inWorker(tab1, { op: 'closed', link: 'broadcast:tab-2' })).toEqual({ op: 'closed', reason: 'bye' });
  });
});
