import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Device } from './chromium.js';
import { MeshFixture, callUntilOk, call, oneEnsemble, waitForStatuses, type Tab } from './mesh-fixture.js';

const fixture = new MeshFixture();
const deviceOf = (replicaId: string) => replicaId.slice(0, replicaId.lastIndexOf('-'));
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
});
