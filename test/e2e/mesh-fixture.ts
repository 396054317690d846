import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startSignalingServer, type SignalingServer } from '../../signaling/server.js';
import type { BrowserMeshStatus } from '../../src/browser/browser-mesh.js';
import { launchDevice, type Device } from './chromium.js';
import type { MeshCall, MeshCallResult } from './pages/mesh-page-api.js';
import { startTestPageServer, type TestPageServer } from './vite-server.js';

// The browser mesh in real Chromium: a real signaling server on 127.0.0.1, pages served by vite,
// devices (browser processes, each its own profile) with tabs that call connect() (mesh-page.ts).

export const ROOM_SECRET = 'correct horse battery staple: a test secret';
/** The tests' key derivation cost (every peer of a room must use the same; the default is 600,000). */
export const TEST_PBKDF2_ITERATIONS = 20_000;

export interface Tab {
  readonly page: Page;
  readonly device: Device;
  readonly replicaId: string;
}

export class MeshFixture {
  signaling!: SignalingServer;
  pages!: TestPageServer;
  readonly devices: Device[] = [];
  readonly room = `room-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private readonly dataDir = mkdtempSync(join(tmpdir(), 'meshkeeper-signaling-'));
  private signalingPort = 0;

  async start(): Promise<void> {
    [this.signaling, this.pages] = await Promise.all([this.startSignaling(), startTestPageServer()]);
  }

  get signalingUrl(): string {
    return this.signaling.url;
  }

  /** Starts (or restarts, on the same port and data dir) the signaling server. */
  async startSignaling(): Promise<SignalingServer> {
    const server = await startSignalingServer({ port: this.signalingPort, host: '127.0.0.1', dataDir: this.dataDir });
    this.signalingPort = server.port;
    this.signaling = server;
    return server;
  }

  async launch(options: { profileDir?: string } = {}): Promise<Device> {
    const device = await launchDevice(options);
    this.devices.push(device);
    return device;
  }

  /** Opens a tab of `device` and connects it to the room; throws with the error code when that fails. */
  async openTab(device: Device, options: { secret?: string } = {}): Promise<Tab> {
    const page = await device.context.newPage();
    return this.connectPage(page, device, options);
  }

  async connectPage(page: Page, device: Device, options: { secret?: string } = {}): Promise<Tab> {
    const result = await this.tryConnect(page, options);
    if (!result.ok) throw new Error(`connect failed: ${result.code}: ${result.message}`);
    return { page, device, replicaId: result.replicaId };
  }

  async tryConnect(page: Page, options: { secret?: string } = {}) {
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    if (process.env.MESHKEEPER_E2E_DEBUG === '1') page.on('console', (message) => console.log(`[${page.url().slice(-8)}] ${message.text()}`));
    await page.goto(`${this.pages.origin}/test/e2e/pages/mesh.html`);
    await page.waitForFunction(() => window.mkMesh !== undefined);
    const connectOptions = { room: this.room, signaling: this.signalingUrl, secret: options.secret ?? ROOM_SECRET, pbkdf2Iterations: TEST_PBKDF2_ITERATIONS };
    return page.evaluate((o) => window.mkMesh!.connect(o), connectOptions);
  }

  async close(): Promise<void> {
    await Promise.all(this.devices.map((device) => device.close()));
    await Promise.all([this.pages?.close(), this.signaling?.close().catch(() => undefined)]);
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export function call(tab: Tab, op: MeshCall): Promise<MeshCallResult> {
  return tab.page.evaluate((o) => window.mkMesh!.call(o), op);
}

/** Runs `op` until it succeeds (CONNECTIONLOSS and the like while the mesh settles); throws after timeoutMs. */
export async function callUntilOk(tab: Tab, op: MeshCall, timeoutMs = 20_000): Promise<MeshCallResult & { ok: true }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await call(tab, op);
    if (result.ok) return result;
    if (Date.now() > deadline) throw new Error(`${op.op} ${op.path} kept failing: ${result.code}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function status(tab: Tab): Promise<BrowserMeshStatus> {
  return tab.page.evaluate(() => window.mkMesh!.status());
}

/** Polls until `condition` holds for the tabs' statuses; throws with the last statuses after timeoutMs. */
export async function waitForStatuses(
  tabs: readonly Tab[],
  condition: (statuses: BrowserMeshStatus[]) => boolean,
  timeoutMs = 30_000,
): Promise<BrowserMeshStatus[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const statuses = await Promise.all(tabs.map(status));
    if (condition(statuses)) return statuses;
    if (Date.now() > deadline) throw new Error(`mesh did not settle: ${JSON.stringify(statuses.map(summary), null, 1)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function summary(s: BrowserMeshStatus) {
  return { id: s.replicaId, phase: s.phase, role: s.role, leader: s.leader, term: s.term, voters: s.voters, learners: s.learners, links: s.links.map((l) => `${l.peer}:${l.kind}`), signaling: s.signaling, webrtc: s.webrtcPeers, zxid: s.lastZxid };
}

/** Every tab sees the same leader and a configuration holding all of them with `voters` voters. */
export function oneEnsemble(voters: number) {
  return (statuses: BrowserMeshStatus[]): boolean => {
    const leader = statuses[0]?.leader ?? null;
    const ids = new Set(statuses.map((s) => s.replicaId));
    return (
      leader !== null &&
      statuses.every(
        (s) => s.phase === 'running' && s.leader === leader && s.voters.length === voters && [...s.voters, ...s.learners].filter((id) => ids.has(id)).length === ids.size,
      )
    );
  };
}
