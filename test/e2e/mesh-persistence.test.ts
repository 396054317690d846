import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeshFixture, call, callUntilOk, oneEnsemble, status, waitForStatuses, type Tab } from './mesh-fixture.js';

// Durability of the browser mesh: every tab reloads (one after another), then both browsers close
// and start again on the same profiles. Nothing is running in between, so what comes back comes
// from each replica's IndexedDB.

const fixture = new MeshFixture();

beforeAll(async () => {
  await fixture.start();
});

afterAll(async () => {
  await fixture.close();
});

/** Codes after which a create may or may not have happened: retry it, as a ZooKeeper client would. */
const RETRYABLE = new Set(['CONNECTIONLOSS', 'OPERATIONTIMEOUT']);

/**
 * Creates `perTab` nodes from each tab. A create that fails with CONNECTIONLOSS (a leader change
 * while it was in flight, which ZooKeeper allows) is retried; NODEEXISTS on a retry means the first
 * attempt was applied, so it counts as acknowledged. Any other failure fails the test with its code.
 */
async function writeAcknowledged(tabs: readonly Tab[], prefix: string, perTab: number): Promise<string[]> {
  const acknowledged: string[] = [];
  await Promise.all(
    tabs.map(async (tab, i) => {
      for (let k = 0; k < perTab; k++) {
        const name = `${prefix}-${i}-${k}`;
        for (let attempt = 0; ; attempt++) {
          const result = await call(tab, { op: 'create', path: `/${name}`, data: name });
          if (result.ok || (attempt > 0 && result.code === 'NODEEXISTS')) {
            acknowledged.push(name);
            break;
          }
          if (!RETRYABLE.has(result.code) || attempt >= 20) throw new Error(`create /${name} failed: ${result.code}`);
          const statuses = await Promise.all(tabs.map(status));
          const view = statuses.map((s) => `${s.replicaId.slice(-6)} ${s.role} term ${s.term} voters [${s.voters.map((v) => v.slice(-6)).join(' ')}]`);
          console.log(`create /${name} from ${tab.replicaId.slice(-6)} answered ${result.code}; retrying (${view.join('; ')})`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    }),
  );
  return acknowledged;
}

async function expectAll(tabs: readonly Tab[], acknowledged: readonly string[]): Promise<void> {
  for (const tab of tabs) {
    await callUntilOk(tab, { op: 'sync', path: '/' });
    const children = await callUntilOk(tab, { op: 'getChildren', path: '/' });
    expect(children.value).toEqual(expect.arrayContaining([...acknowledged]));
    const sample = acknowledged[acknowledged.length - 1]!;
    expect(await call(tab, { op: 'getData', path: `/${sample}` })).toEqual({ ok: true, value: sample });
  }
}

describe('the browser mesh on IndexedDB', () => {
  it('reload every tab, then close both browsers and relaunch them on the same profiles: every acknowledged write is back', async () => {
    const [deviceA, deviceB] = await Promise.all([fixture.launch(), fixture.launch()]);
    const first = await fixture.openTab(deviceA);
    let tabs = [first, ...(await Promise.all([fixture.openTab(deviceA), fixture.openTab(deviceA), fixture.openTab(deviceB), fixture.openTab(deviceB)]))];
    const formed = await waitForStatuses(tabs, oneEnsemble(3));
    console.log(`one ensemble: voters ${formed[0]?.voters.map((v) => v.slice(-6)).join(' ')} (device A: ${tabs.slice(0, 3).map((t) => t.replicaId.slice(-6)).join(' ')})`);
    const acknowledged = await writeAcknowledged(tabs, 'before-reload', 4);
    expect(acknowledged).toHaveLength(20);
    const replicaIds = tabs.map((tab) => tab.replicaId).sort();

    const reloadStartedMs = Date.now();
    for (const [i, tab] of tabs.entries()) {
      await tab.page.reload();
      const again = await fixture.connectPage(tab.page, tab.device);
      // The reloaded tab claims its slot again and resumes its own replica.
      expect(again.replicaId).toBe(tab.replicaId);
      tabs[i] = again;
      acknowledged.push(...(await writeAcknowledged([again], `after-reload-${i}`, 1)));
    }
    console.log(`five tabs reloaded one after another in ${Date.now() - reloadStartedMs} ms`);
    expect(acknowledged).toHaveLength(25);
    await expectAll(tabs, acknowledged);

    await Promise.all([deviceA.close({ keepProfile: true }), deviceB.close({ keepProfile: true })]);
    const relaunchStartedMs = Date.now();
    const [relaunchedA, relaunchedB] = await Promise.all([fixture.launch({ profileDir: deviceA.profileDir }), fixture.launch({ profileDir: deviceB.profileDir })]);
    tabs = await Promise.all([
      fixture.openTab(relaunchedA),
      fixture.openTab(relaunchedA),
      fixture.openTab(relaunchedA),
      fixture.openTab(relaunchedB),
      fixture.openTab(relaunchedB),
    ]);
    console.log(`both browsers relaunched, five tabs connected in ${Date.now() - relaunchStartedMs} ms`);
    expect(tabs.map((tab) => tab.replicaId).sort()).toEqual(replicaIds);
    await expectAll(tabs, acknowledged);
  });
});
