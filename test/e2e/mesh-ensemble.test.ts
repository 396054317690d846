import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Device } from './chromium.js';
import { MeshFixture, callUntilOk, call, oneEnsemble, status, waitForStatuses, type Tab } from './mesh-fixture.js';

const fixture = new MeshFixture();
const deviceOf = (replicaId: string) => replicaId.slice(0, replicaId.lastIndexOf('-'));
/** The first tab still open on device A / device B. */
const deviceATab = () => tabs.find((tab) => tab.device === deviceA)!;
const deviceBTab = () => tabs.find((tab) => tab.device === deviceB)!;
let deviceA: Device;
let deviceB: Device;
const tabs: Tab[] = [];

beforeAll(async () => {
  await fixture.start();
  [deviceA, deviceB] = await Promise.all([fixture.launch(), fixture.launch()]);
});

afterAll(async () => {
  await fixture.close();
});

describe('the browser mesh', () => {
  it('three tabs in one profile and two tabs in another browser form one ensemble; a write on any tab is read on every tab', async () => {
    const started = Date.now();
    tabs.push(await fixture.openTab(deviceA));
    console.log(`first tab connected in ${Date.now() - started} ms`);
    tabs.push(...(await Promise.all([fixture.openTab(deviceA), fixture.openTab(deviceA), fixture.openTab(deviceB), fixture.openTab(deviceB)])));
    console.log(`5 tabs connected in ${Date.now() - started} ms`);
    const devices = new Set(tabs.map((tab) => deviceOf(tab.replicaId)));
    // One ensemble, its three voters on both devices (losing one browser must not take them all).
    const statuses = await waitForStatuses(tabs, (all) => oneEnsemble(3)(all) && new Set(all[0]!.voters.map(deviceOf)).size === 2);
    console.log(`one ensemble, voters on both devices, after ${Date.now() - started} ms`);
    expect(new Set(statuses[0]!.voters.map(deviceOf))).toEqual(devices);
    for (const [i, tab] of tabs.entries()) expect((await call(tab, { op: 'create', path: `/from-${i}`, data: `written by tab ${i}` })).ok).toBe(true);
    for (const tab of tabs) {
      await callUntilOk(tab, { op: 'sync', path: '/' });
      for (let i = 0; i < tabs.length; i++) expect(await call(tab, { op: 'getData', path: `/from-${i}` })).toEqual({ ok: true, value: `written by tab ${i}` });
    }
  });

  it('closing the leader tab: a new leader is elected, writes continue, and no acknowledged write is lost', async () => {
    const leaderId = (await status(tabs[0]!)).leader;
    const leaderTab = tabs.find((tab) => tab.replicaId === leaderId)!;
    const others = tabs.filter((tab) => tab !== leaderTab);
    const acknowledged: string[] = [];
    await Promise.all(
      tabs.map(async (tab, i) => {
        for (let k = 0; k < 5; k++) {
          const result = await call(tab, { op: 'create', path: `/acked-${i}-${k}`, data: `${i}/${k}` });
          if (result.ok) acknowledged.push(`acked-${i}-${k}`);
        }
      }),
    );
    expect(acknowledged.length).toBe(5 * tabs.length);
    // The writer is a tab on the other device than the leader's when there is one (its writes cross WebRTC).
    const writer = others.find((tab) => deviceOf(tab.replicaId) !== deviceOf(leaderTab.replicaId)) ?? others[0]!;

    const closedAtMs = Date.now();
    await leaderTab.page.close();
    const written = await writer.page.evaluate(() => window.mkMesh!.createUntilOk('/after-leader-closed', 30_000, 10));
    expect(written.ok).toBe(true);
    console.log(
      `leader tab closed -> first successful write: ${written.atMs - closedAtMs} ms (failures before it: ${written.failures.join(', ') || 'none'})`,
    );
    tabs.splice(tabs.indexOf(leaderTab), 1);

    const statuses = await waitForStatuses(tabs, (all) => all.every((s) => s.leader !== null && s.leader !== leaderId && s.leader === all[0]!.leader));
    expect(statuses[0]!.leader).not.toBe(leaderId);
    for (const tab of tabs) {
      await callUntilOk(tab, { op: 'sync', path: '/' });
      const children = await callUntilOk(tab, { op: 'getChildren', path: '/' });
      expect(children.value).toEqual(expect.arrayContaining([...acknowledged, 'after-leader-closed']));
    }
  });

  it("a closed tab's ephemeral node is gone for the other tabs soon after, and their watches fire", async () => {
    // Close a tab that is not a voter: the ensemble lost one voter in the previous test and has
    // not replaced it yet (that takes the policy's voter grace period).
    const voters = (await status(tabs[0]!)).voters;
    const closing = [...tabs].reverse().find((tab) => !voters.includes(tab.replicaId))!;
    const watchers = tabs.filter((tab) => tab !== closing);
    expect((await call(closing, { op: 'create', path: '/ephemeral', data: closing.replicaId, ephemeral: true })).ok).toBe(true);
    for (const tab of watchers) {
      await callUntilOk(tab, { op: 'sync', path: '/' });
      expect(await tab.page.evaluate(() => window.mkMesh!.watch('/ephemeral'))).toEqual({ ok: true, value: true });
    }

    const closedAtMs = Date.now();
    await closing.page.close();
    tabs.splice(tabs.indexOf(closing), 1);
    const fired = await Promise.all(
      watchers.map(async (tab) => {
        await tab.page.waitForFunction(() => window.mkMesh!.events().some((event) => event.path === '/ephemeral'), undefined, { timeout: 30_000 });
        const events = await tab.page.evaluate(() => window.mkMesh!.events().filter((event) => event.path === '/ephemeral'));
        return { type: events[0]!.type, afterMs: events[0]!.atMs - closedAtMs };
      }),
    );
    expect(fired.map((event) => event.type)).toEqual(watchers.map(() => 'NodeDeleted'));
    for (const tab of watchers) expect(await call(tab, { op: 'exists', path: '/ephemeral' })).toEqual({ ok: true, value: false });
    console.log(`tab closed -> its ephemeral node gone (watch fired) at the others after: ${fired.map((event) => `${event.afterMs} ms`).join(', ')}`);
  });

  it('a peer with the wrong secret can neither join nor read nor write anything', async () => {
    const outsider = await fixture.launch();
    const page = await outsider.context.newPage();
    const result = await fixture.tryConnect(page, { secret: 'not the room secret' });
    expect(result).toMatchObject({ ok: false, code: 'AUTHFAILED' });
    expect(await page.evaluate(() => window.mkMesh!.call({ op: 'getData', path: '/from-0' }))).toEqual({ ok: false, code: 'NOTCONNECTED' });
    expect(fixture.signaling.metrics().rejects['auth-failed']).toBeGreaterThanOrEqual(1);
    // The members never saw it: no link to it, and it is in no configuration.
    const outsiderDevice = await page.evaluate(() => localStorage.getItem('meshkeeper:device-id'));
    for (const s of await Promise.all(tabs.map(status))) {
      expect([...s.voters, ...s.learners, ...s.links.map((link) => link.peer)].some((id) => deviceOf(id) === outsiderDevice)).toBe(false);
    }
    // The page holds no client to read or write with.
    expect(await page.evaluate(() => window.mkMesh!.clientState())).toBe('NONE');
  });

  it('the signaling server restarts mid-run: the mesh keeps working, and new tabs still join', async () => {
    const restartedAtMs = Date.now();
    await fixture.signaling.close();
    // While the server is down, a write on one device is read on the other (the links are peer to peer).
    const writer = tabs.find((tab) => deviceOf(tab.replicaId) === deviceOf(tabs[0]!.replicaId))!;
    const reader = tabs.find((tab) => deviceOf(tab.replicaId) !== deviceOf(writer.replicaId)) ?? tabs.find((tab) => tab !== writer)!;
    expect((await call(writer, { op: 'create', path: '/while-signaling-down', data: 'still here' })).ok).toBe(true);
    await callUntilOk(reader, { op: 'sync', path: '/' });
    expect(await call(reader, { op: 'getData', path: '/while-signaling-down' })).toEqual({ ok: true, value: 'still here' });

    await fixture.startSignaling();
    const newTabs = await Promise.all([fixture.openTab(deviceA), fixture.openTab(deviceB)]);
    console.log(`signaling restarted; two new tabs connected ${Date.now() - restartedAtMs} ms after the server went down`);
    expect(new Set(newTabs.map((tab) => deviceOf(tab.replicaId)))).toEqual(new Set([deviceOf(deviceATab().replicaId), deviceOf(deviceBTab().replicaId)]));
    tabs.push(...newTabs);
    await waitForStatuses(tabs, (all) => {
      const leader = all[0]!.leader;
      return all.every((s) => s.leader !== null && s.leader === leader && newTabs.every((tab) => [...s.voters, ...s.learners].includes(tab.replicaId)));
    });
    for (const tab of newTabs) {
      expect(await call(tab, { op: 'getData', path: '/while-signaling-down' })).toEqual({ ok: true, value: 'still here' });
      expect((await call(tab, { op: 'create', path: `/new-${tab.replicaId}`, data: 'joined after the restart' })).ok).toBe(true);
    }
    for (const tab of tabs) {
      await callUntilOk(tab, { op: 'sync', path: '/' });
      for (const added of newTabs) expect(await call(tab, { op: 'getData', path: `/new-${added.replicaId}` })).toEqual({ ok: true, value: 'joined after the restart' });
    }
  });
});
