import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSignalingServer, type SignalingServer } from '../../signaling/server.js';
import { launchDevice, type Device } from './chromium.js';
import { startTestPageServer, type TestPageServer } from './vite-server.js';

// The demo page (index.html) in real Chromium: three tabs — two in one browser, one in another —
// join one room through a real signaling server, take the lock in turn through the UI, watch a
// failover, and fail on any console error.

const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
const room = `demo-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const dataDir = mkdtempSync(join(tmpdir(), 'meshkeeper-demo-signaling-'));
let signaling: SignalingServer;
let pages: TestPageServer;
let device: Device;
/** A second browser (its own profile): its tab reaches the others over WebRTC. */
let secondDevice: Device;
const consoleErrors: string[] = [];
/** The tabs' names, for failure messages. */
const names = new Map<Page, string>();

interface Tab {
  readonly page: Page;
  readonly name: string;
  readonly replicaId: string;
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  [signaling, pages, device, secondDevice] = await Promise.all([
    startSignalingServer({ port: 0, host: '127.0.0.1', dataDir }),
    startTestPageServer(),
    launchDevice(),
    launchDevice(),
  ]);
});

afterAll(async () => {
  await Promise.all([device?.close(), secondDevice?.close()]);
  await Promise.all([pages?.close(), signaling?.close().catch(() => undefined)]);
  rmSync(dataDir, { recursive: true, force: true });
});

/**
 * Polls `check` until it returns true; throws after timeoutMs with `what`, the last failure, and what
 * every open tab shows (its state, ensemble rows and lock queue).
 */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${last === null ? '' : ` (${String(last)})`}\n${await snapshot()}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/** What each open tab shows, for failure messages. */
async function snapshot(): Promise<string> {
  const lines: string[] = [];
  for (const [page, name] of names) {
    if (page.isClosed()) continue;
    const text = (selector: string) => page.locator(selector).evaluateAll((elements) => elements.map((element) => (element as HTMLElement).innerText.replace(/\s+/g, ' ').trim()));
    const [state, rows, queue] = await Promise.all([text('#client-state'), text('mk-ensemble tbody tr'), text('#lock-queue li')]).catch(() => [[], [], []]);
    const view = await ensembleState(page).catch(() => null);
    const seen = view === null ? '' : ` (${view.role}, term ${view.term}, leader ${view.leader || 'none'}${view.frozen ? ', frozen' : ''})`;
    lines.push(`${name}${seen}: ${state.join()} | ensemble: ${rows.join(' / ')} | lock queue: ${queue.join(' / ')}`);
  }
  return lines.join('\n');
}

async function openTab(name: string, on: Device = device): Promise<Tab> {
  const page = await on.context.newPage();
  names.set(page, name);
  await page.setViewportSize({ width: 1280, height: 1000 });
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`${name}: ${message.text()}`);
  });
  page.on('pageerror', (error) => consoleErrors.push(`${name}: page error: ${error.message}`));
  const query = new URLSearchParams({ room, signaling: signaling.url, pbkdf2: '20000' });
  await page.goto(`${pages.origin}/index.html?${query.toString()}`);
  // The tab shows its replica once it joined the room.
  const replica = page.locator('#this-tab [data-replica]');
  await until(`${name} joins the room`, async () => ((await replica.getAttribute('data-replica')) ?? '') !== '', 120_000);
  return { page, name, replicaId: (await replica.getAttribute('data-replica'))! };
}

/** The lock queue a tab shows: the owners in order, and whether the first holds it. */
async function lockQueue(tab: Tab): Promise<{ owners: string[]; first: string | null }> {
  const items = tab.page.locator('#lock-queue li');
  const owners = await items.evaluateAll((elements) => elements.map((element) => element.getAttribute('data-owner') ?? ''));
  const first = await items.evaluateAll((elements) => elements.find((element) => element.getAttribute('data-first') === 'true')?.getAttribute('data-owner') ?? null);
  return { owners, first };
}

/** What a tab's `<mk-ensemble>` says of its own replica: its role, the leader and term it knows, whether it is frozen. */
async function ensembleState(page: Page): Promise<{ role: string; leader: string; term: string; frozen: boolean }> {
  const view = page.locator('mk-ensemble');
  const [role, leader, term, frozen] = await Promise.all(['data-role', 'data-leader', 'data-term', 'data-frozen'].map((name) => view.getAttribute(name)));
  return { role: role ?? '', leader: leader ?? '', term: term ?? '', frozen: frozen === 'true' };
}

const lockState = (tab: Tab) => tab.page.locator('#lock-state').getAttribute('data-state');

describe('the demo', () => {
  const tabs: Tab[] = [];

  it('three tabs join one ensemble; the lock goes to one and the others queue in the UI', async () => {
    // The first tab founds the room; the others join it.
    tabs.push(await openTab('tab A'));
    tabs.push(...(await Promise.all([openTab('tab B'), openTab('tab C', secondDevice)])));
    const [a, b, c] = tabs as [Tab, Tab, Tab];

    // Every tab's ensemble panel shows the three replicas, three voters, and the same leader.
    await until('one ensemble of three voters in every tab', async () => {
      const views = await Promise.all(
        tabs.map(async (tab) => ({
          leader: await tab.page.locator('mk-ensemble').getAttribute('data-leader'),
          rows: await tab.page.locator('mk-ensemble tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-replica'))),
          voters: await tab.page.locator('mk-ensemble tbody tr').filter({ hasText: 'voter' }).count(),
        })),
      );
      const leader = views[0]!.leader;
      return views.every((view) => view.leader !== null && view.leader !== '' && view.leader === leader && view.voters === 3 && tabs.every((tab) => view.rows.includes(tab.replicaId)));
    }, 120_000);

    // A takes the lock; then B, then C queue behind it.
    await a.page.locator('#lock-acquire').click();
    await until('A holds the lock', async () => (await lockState(a)) === 'held');
    await b.page.locator('#lock-acquire').click();
    await until('B queues', async () => (await lockQueue(b)).owners.length === 2);
    await c.page.locator('#lock-acquire').click();
    const order = [a.replicaId, b.replicaId, c.replicaId];
    for (const tab of tabs) {
      await until(`${tab.name} shows the queue A, B, C`, async () => {
        const queue = await lockQueue(tab);
        return JSON.stringify(queue.owners) === JSON.stringify(order) && queue.first === a.replicaId;
      });
    }
    expect(await lockState(b)).toBe('acquiring');
    expect(await lockState(c)).toBe('acquiring');
    expect(await b.page.locator('#lock-queue li').nth(1).innerText()).toContain('waiting');

    // The tree and the watch log: B watches the counter's data, then A increments it.
    await b.page.locator('mk-tree li[data-path="/meshkeeper-demo"] .toggle').click();
    await b.page.locator('mk-tree li[data-path="/meshkeeper-demo/counter"] .name').click();
    await b.page.locator('mk-tree button[data-kind="data"]').click();
    await until('the watch is set', async () => (await b.page.locator('mk-tree .outcome').getAttribute('data-ok')) === 'true');
    await a.page.locator('#counter-increment').click();
    await until('B logs the counter change', async () => (await b.page.locator('mk-watch-log tr[data-type="NodeDataChanged"][data-path="/meshkeeper-demo/counter"]').count()) === 1);

    // Screenshots of B's main panels (and the whole page).
    await b.page.screenshot({ path: join(SCREENSHOTS, 'demo.png'), fullPage: true });
    for (const panel of ['ensemble', 'recipes', 'tree', 'latency', 'watch-log']) {
      await b.page.locator(`#${panel}`).screenshot({ path: join(SCREENSHOTS, `${panel}.png`) });
    }
    expect(consoleErrors).toEqual([]);
  }, 300_000);

  it("freezing the leader's replica from its tab: the others elect a new leader, and the frozen one rejoins as a follower once it thaws", async () => {
    const leaderId = await tabs[0]!.page.locator('mk-ensemble').getAttribute('data-leader');
    const frozen = tabs.find((tab) => tab.replicaId === leaderId)!;
    const others = tabs.filter((tab) => tab !== frozen);
    await frozen.page.locator('#freeze').click();
    await until('the frozen tab says so', async () => (await frozen.page.locator('mk-ensemble').getAttribute('data-frozen')) === 'true');
    let newLeader = '';
    await until('the others agree on a new leader', async () => {
      const leaders = await Promise.all(others.map((tab) => tab.page.locator('mk-ensemble').getAttribute('data-leader')));
      newLeader = leaders[0] ?? '';
      return newLeader !== '' && newLeader !== leaderId && leaders.every((leader) => leader === newLeader);
    });
    await others[0]!.page.locator('#ensemble').screenshot({ path: join(SCREENSHOTS, 'ensemble-failover.png') });
    // Once it thaws it follows the leader everyone follows now, in the same term. Not necessarily the
    // one elected above: with one voter of three frozen, the new leader keeps its quorum only while
    // the other answers within an election timeout, so a stall of a loaded machine (a few hundred ms)
    // is a legitimate re-election, and the leadership may move on.
    let leaderNow = '';
    await until('the frozen tab thaws and follows the leader the others follow', async () => {
      const [thawed, ...rest] = await Promise.all([frozen, ...others].map((tab) => ensembleState(tab.page)));
      leaderNow = thawed!.leader;
      return (
        !thawed!.frozen &&
        thawed!.leader !== '' &&
        thawed!.role === (thawed!.leader === frozen.replicaId ? 'leader' : 'follower') &&
        rest.every((view) => view.leader === thawed!.leader && view.term === thawed!.term)
      );
    });
    if (leaderNow !== newLeader) console.log(`the leadership moved on after the failover (${newLeader} -> ${leaderNow}): a re-election under load`);
    expect(consoleErrors).toEqual([]);
  }, 300_000);

  it("the holder closes its tab: the next tab in the queue gets the lock; a tab's Close replica button takes it out", async () => {
    const [a, b, c] = tabs as [Tab, Tab, Tab];
    // The holder's tab closes: its lock node goes with its session, and B (next in line) gets it.
    const closedAtMs = Date.now();
    await a.page.close();
    await until('B holds the lock', async () => (await lockState(b)) === 'held');
    console.log(`holder's tab closed -> the next tab shows it holds the lock after ${Date.now() - closedAtMs} ms`);
    for (const tab of [b, c]) {
      await until(`${tab.name} shows the queue B, C`, async () => {
        const queue = await lockQueue(tab);
        return JSON.stringify(queue.owners) === JSON.stringify([b.replicaId, c.replicaId]) && queue.first === b.replicaId;
      });
    }
    expect(await lockState(c)).toBe('acquiring');
    await b.page.locator('#recipes').screenshot({ path: join(SCREENSHOTS, 'recipes-after-close.png') });

    // A fourth tab joins and queues for the lock, then takes its replica out with its button (a
    // tab that is not needed for the quorum: A's voter seat is still vacant): its session ends, so
    // it leaves the queue and the group, and its page says so.
    const d = await openTab('tab D');
    tabs.push(d);
    await until('D is in the ensemble and in the group', async () => {
      const members = await b.page.locator('#presence-members li').evaluateAll((items) => items.map((item) => item.getAttribute('data-member')));
      return members.includes(d.replicaId);
    }, 120_000);
    await d.page.locator('#lock-acquire').click();
    await until('B shows D queued', async () => JSON.stringify((await lockQueue(b)).owners) === JSON.stringify([b.replicaId, c.replicaId, d.replicaId]));
    const leftAtMs = Date.now();
    await d.page.locator('#close-replica').click();
    await d.page.locator('#left').waitFor({ timeout: 30_000 });
    await until('B sees D leave the queue and the group', async () => {
      const queue = await lockQueue(b);
      const members = await b.page.locator('#presence-members li').evaluateAll((items) => items.map((item) => item.getAttribute('data-member')));
      return JSON.stringify(queue.owners) === JSON.stringify([b.replicaId, c.replicaId]) && !members.includes(d.replicaId);
    });
    console.log(`Close replica clicked -> the other tab shows it gone after ${Date.now() - leftAtMs} ms`);
    expect(consoleErrors).toEqual([]);
  }, 300_000);
});
