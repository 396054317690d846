import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startSignalingServer, type SignalingServer } from '../../../signaling/server.js';
import type { BrowserMeshStatus } from '../../../src/browser/browser-mesh.js';
import { launchDevice, type Device } from '../../e2e/chromium.js';
import { startTestPageServer, type TestPageServer } from '../../e2e/vite-server.js';
import type { BenchConnectOptions } from '../pages/bench-page-api.js';
import { PageFreezer } from './page-freezer.js';
import { nodeStamp } from './stamp.js';

/**
 * The meshkeeper side of the browser benchmark: a real signaling server on 127.0.0.1, the bench
 * page served by vite, and N tabs in one of two placements:
 * - 'one-profile': every tab in one browser profile (one device; tabs link over BroadcastChannel);
 * - 'separate-devices': every tab in its own browser process and profile (WebRTC data channels).
 * A closed or frozen tab is replaced by a new tab of the same device, which claims the freed slot
 * and so resumes the same replica from its IndexedDB.
 */

export type Placement = 'one-profile' | 'separate-devices';
export type Durability = BenchConnectOptions['durability'];

export const PLACEMENT_LABEL: Readonly<Record<Placement, string>> = { 'one-profile': 'one profile', 'separate-devices': 'separate devices' };

const ROOM_SECRET = 'meshkeeper browser benchmark: a room secret of decent length';
/** Key derivation cost (every peer of a room must use the same): the tests' value, not the default. */
const PBKDF2_ITERATIONS = 20_000;

export interface BenchTab {
  readonly page: Page;
  readonly device: Device;
  readonly replicaId: string;
}

export interface MeshHarnessOptions {
  readonly placement: Placement;
  readonly tabs: number;
  /** The session timeout of each page's client. */
  readonly sessionTimeoutMs: number;
  /** IndexedDB durability of every replica's log. */
  readonly durability: Durability;
  readonly log: (line: string) => void;
}

export class MeshHarness {
  readonly tabs: BenchTab[] = [];
  private readonly devices: Device[] = [];
  private readonly freezer = new PageFreezer();
  private readonly room = `bench-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private readonly dataDir = mkdtempSync(join(tmpdir(), 'meshkeeper-bench-signaling-'));
  private signaling: SignalingServer | null = null;
  private pages: TestPageServer | null = null;

  private constructor(readonly options: MeshHarnessOptions) {}

  /** Starts the servers and the browsers, opens the tabs and waits for one ensemble. */
  static async start(options: MeshHarnessOptions): Promise<MeshHarness> {
    const harness = new MeshHarness(options);
    try {
      await harness.open();
      return harness;
    } catch (error) {
      await harness.close();
      throw error;
    }
  }

  private async open(): Promise<void> {
    const { placement, tabs, log } = this.options;
    const started = Date.now();
    [this.signaling, this.pages] = await Promise.all([
      startSignalingServer({ port: 0, host: '127.0.0.1', dataDir: this.dataDir }),
      startTestPageServer(),
    ]);
    const deviceCount = placement === 'one-profile' ? 1 : tabs;
    this.devices.push(...(await Promise.all(Array.from({ length: deviceCount }, () => launchDevice()))));
    const deviceOf = (i: number): Device => this.devices[placement === 'one-profile' ? 0 : i] as Device;
    // The first tab founds the room's ensemble; the others join it.
    this.tabs.push(await this.openTab(deviceOf(0)));
    this.tabs.push(...(await Promise.all(Array.from({ length: tabs - 1 }, (_, i) => this.openTab(deviceOf(i + 1))))));
    log(`  ${tabs} tabs connected in ${Date.now() - started} ms; waiting for one ensemble`);
    await this.settle(60_000);
    log(`  one ensemble after ${Date.now() - started} ms`);
  }

  /** Opens a tab of `device` on the bench page and connects it to the room. */
  async openTab(device: Device): Promise<BenchTab> {
    const page = await device.context.newPage();
    page.on('pageerror', (error) => this.options.log(`  page error: ${error.message}`));
    if (process.env.MESHKEEPER_BENCH_DEBUG === '1') page.on('console', (message) => this.options.log(`  [page] ${message.text()}`));
    await page.goto(`${(this.pages as TestPageServer).origin}/test/bench/pages/bench.html`);
    await page.waitForFunction(() => window.mkBench !== undefined);
    const options: BenchConnectOptions = {
      room: this.room,
      signaling: (this.signaling as SignalingServer).url,
      secret: ROOM_SECRET,
      pbkdf2Iterations: PBKDF2_ITERATIONS,
      sessionTimeoutMs: this.options.sessionTimeoutMs,
      durability: this.options.durability,
    };
    const result = await page.evaluate((o) => window.mkBench!.connect(o), options);
    if (!result.ok) throw new Error(`a bench tab could not connect: ${result.code}: ${result.message}`);
    return { page, device, replicaId: result.replicaId };
  }

  statuses(): Promise<BrowserMeshStatus[]> {
    return Promise.all(this.tabs.map((tab) => tab.page.evaluate(() => window.mkBench!.status())));
  }

  /**
   * Waits until every tab runs, all agree on one leader, the configuration holds every tab with
   * min(3, N) voters, and every replica applied what the leader applied.
   */
  async settle(timeoutMs = 30_000): Promise<BrowserMeshStatus[]> {
    const deadline = Date.now() + timeoutMs;
    const wantedVoters = Math.min(3, this.tabs.length);
    let last: BrowserMeshStatus[] = [];
    let warned = false;
    const started = Date.now();
    for (;;) {
      last = await this.statuses();
      const leader = last[0]?.leader ?? null;
      const ids = new Set(last.map((s) => s.replicaId));
      const leaderStatus = last.find((s) => s.replicaId === leader);
      const settled =
        leader !== null &&
        leaderStatus !== undefined &&
        last.every(
          (s) =>
            s.phase === 'running' &&
            s.leader === leader &&
            s.voters.length === wantedVoters &&
            [...s.voters, ...s.learners].filter((id) => ids.has(id)).length === ids.size &&
            s.appliedIndex >= leaderStatus.commitIndex - 1,
        );
      if (settled) return last;
      const summary = () => JSON.stringify(last.map((s) => ({ id: s.replicaId.slice(-6), phase: s.phase, role: s.role, leader: s.leader?.slice(-6), voters: s.voters.map((v) => v.slice(-6)), learners: s.learners.map((l) => l.slice(-6)), applied: s.appliedIndex, commit: s.commitIndex })));
      if (Date.now() > deadline) {
        const short = (id: string) => id.slice(-6);
        const detail = last.map((s) => ({
          id: short(s.replicaId),
          term: s.term,
          peers: s.peers.map((p) => `${short(p.id)}:${p.state}${p.recentActive ? '' : ',inactive'}${p.isLearner ? ',learner' : ''},match ${p.matchIndex}`),
          links: s.links.map((l) => `${short(l.peer)}:${l.kind}`),
        }));
        throw new Error(`the mesh did not settle: ${summary()}; detail: ${JSON.stringify(detail)}`);
      }
      if (!warned && Date.now() - started > 10_000) {
        warned = true;
        this.options.log(`  still settling after 10 s: ${summary()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** The tab whose replica leads (after settle()). */
  async leaderTab(): Promise<BenchTab> {
    const statuses = await this.settle();
    const leader = statuses[0]?.leader;
    const tab = this.tabs.find((t) => t.replicaId === leader);
    if (tab === undefined) throw new Error(`no tab runs the leader ${String(leader)}`);
    return tab;
  }

  /** Tabs whose replica follows, voters first. */
  async followerTabs(): Promise<BenchTab[]> {
    const statuses = await this.settle();
    const voters = new Set(statuses[0]?.voters ?? []);
    const leader = statuses[0]?.leader;
    const followers = this.tabs.filter((tab) => tab.replicaId !== leader);
    return [...followers.filter((tab) => voters.has(tab.replicaId)), ...followers.filter((tab) => !voters.has(tab.replicaId))];
  }

  /**
   * Estimates `pageStamp - nodeStamp` for `tab` (the pages' and Node's stamps come from the same
   * system clock, so this is normally a fraction of a millisecond): the midpoint of the round trip
   * with the smallest round trip of a few.
   */
  async clockOffset(tab: BenchTab): Promise<{ offsetMs: number; roundTripMs: number }> {
    let best = { offsetMs: 0, roundTripMs: Number.POSITIVE_INFINITY };
    for (let i = 0; i < 7; i++) {
      const before = nodeStamp();
      const page = await tab.page.evaluate(() => window.mkBench!.stamp());
      const after = nodeStamp();
      if (after - before < best.roundTripMs) best = { offsetMs: page - (before + after) / 2, roundTripMs: after - before };
    }
    return best;
  }

  /** Closes a tab (as a user closing it: pagehide runs); returns the Node stamp just before. */
  async closeTab(tab: BenchTab): Promise<number> {
    this.forget(tab);
    const at = nodeStamp();
    await tab.page.close();
    return at;
  }

  /** Freezes a tab: its page (Page lifecycle 'frozen') and its workers (paused in the debugger). */
  async freezeTab(tab: BenchTab): Promise<number> {
    return this.freezer.freeze(tab.page);
  }

  async unfreezeTab(tab: BenchTab): Promise<void> {
    await this.freezer.unfreeze(tab.page);
  }

  /** Closes a tab that may be frozen, without waiting for it to leave cleanly. */
  async discardTab(tab: BenchTab): Promise<void> {
    this.forget(tab);
    await this.freezer.unfreeze(tab.page).catch(() => undefined);
    await tab.page.close().catch(() => undefined);
  }

  /** A new tab on `device` (it resumes the replica of the slot a closed tab freed), then settle. */
  async replaceTab(device: Device): Promise<BenchTab> {
    const tab = await this.openTab(device);
    this.tabs.push(tab);
    await this.settle(60_000);
    return tab;
  }

  private forget(tab: BenchTab): void {
    const index = this.tabs.indexOf(tab);
    if (index >= 0) this.tabs.splice(index, 1);
  }

  async close(): Promise<void> {
    await this.freezer.close();
    await Promise.all(this.devices.map((device) => device.close()));
    await Promise.all([this.pages?.close(), this.signaling?.close().catch(() => undefined)]);
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
