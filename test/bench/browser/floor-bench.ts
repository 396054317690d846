/**
 * `npm run bench -- floor`: what one meshkeeper write cannot go below in this browser, each cost
 * measured alone in Debian's Chromium (one profile, 3 tabs, test/bench/pages/floor.html):
 * - a durable write through meshkeeper's own IndexedDbStorage from a worker (one readwrite
 *   transaction), 1 and 128 txns, strict and relaxed; alone, and in 3 tabs of one profile at once
 *   (every database of an origin shares one IndexedDB backend);
 * - the browser process's CPU per such write (Linux /proc);
 * - round trips page to its worker, and worker to another tab's worker over BroadcastChannel and
 *   over a MessagePort (handed over by a SharedWorker).
 * From them, the floor of a write through a follower tab in one profile: two IndexedDB writes back
 * to back (the leader's and a follower's: a quorum of 3; one backend runs them one after the
 * other) plus four worker-to-worker hops and the page's round trip to its worker.
 */
import type { Page } from 'playwright-core';
import { launchDevice } from '../../e2e/chromium.js';
import { startTestPageServer } from '../../e2e/vite-server.js';
import type { FloorReply } from '../pages/floor-protocol.js';
import type { BenchRecord } from '../run.js';
import { clockTicksPerSecond, processCommand, processIds, readStat } from './proc-stat.js';

export interface FloorBenchOptions {
  /** Round trips per hop measured (default 500). */
  readonly roundTrips?: number;
  /** Writes per storage measurement (default 300). */
  readonly writes?: number;
}

/**
 * The mean of the middle 80%: Chromium coarsens performance.now() to 0.1 ms, so a median of
 * sub-millisecond times is mostly rounding; a trimmed mean keeps the resolution and drops outliers.
 */
function typical(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const cut = Math.floor(sorted.length / 10);
  const middle = sorted.slice(cut, sorted.length - cut);
  return middle.reduce((sum, value) => sum + value, 0) / middle.length;
}

function measured(reply: FloorReply): readonly number[] {
  if (reply.t === 'error') throw new Error(`floor page: ${reply.message}`);
  if (!('ms' in reply)) throw new Error(`floor page answered ${reply.t} without measurements`);
  return reply.ms;
}

/** CPU milliseconds used so far by the browser process (no --type) whose profile is `profileDir`; null off Linux. */
function browserCpuMs(profileDir: string): number | null {
  for (const pid of processIds()) {
    const command = processCommand(pid);
    if (command === null || !command.includes(`--user-data-dir=${profileDir}`) || command.includes('--type=')) continue;
    const stat = readStat(`/proc/${pid}/stat`);
    return stat === null ? null : (stat.cpuTicks / clockTicksPerSecond()) * 1000;
  }
  return null;
}

/** Every time is reported as its trimmed mean (`typical`). */
export async function runFloorBench(options: FloorBenchOptions = {}): Promise<BenchRecord[]> {
  const ROUND_TRIPS = options.roundTrips ?? 500;
  const WRITES = options.writes ?? 300;
  const pages = await startTestPageServer();
  const device = await launchDevice();
  const records: BenchRecord[] = [];
  const ms = (name: string, value: number, target?: BenchRecord['target']) =>
    records.push(target === undefined ? { name, value, unit: 'ms' } : { name, value, unit: 'ms', target });
  try {
    const open = async (): Promise<Page> => {
      const page = await device.context.newPage();
      await page.goto(`${pages.origin}/test/bench/pages/floor.html`);
      await page.waitForFunction(() => window.mkFloor !== undefined);
      return page;
    };
    const [a, b] = [await open(), await open()];

    const pageTrip = typical(await a.evaluate((n) => window.mkFloor!.pagePings(n), ROUND_TRIPS));
    ms('round trip page <-> its worker (trimmed mean)', pageTrip);

    await b.evaluate(() => window.mkFloor!.call({ t: 'echo', channel: 'floor-hops' }));
    const broadcastTrip = typical(measured(await a.evaluate((n) => window.mkFloor!.call({ t: 'ping-broadcast', channel: 'floor-hops', count: n }), ROUND_TRIPS)));
    ms('round trip worker <-> worker of another tab, BroadcastChannel (trimmed mean)', broadcastTrip);

    await a.evaluate(() => window.mkFloor!.offerPort());
    await b.evaluate(() => window.mkFloor!.portTaken());
    const portTrip = typical(measured(await a.evaluate((n) => window.mkFloor!.call({ t: 'ping-port', count: n }), ROUND_TRIPS)));
    ms('round trip worker <-> worker of another tab, MessagePort (trimmed mean)', portTrip);

    const write = async (page: Page, durability: 'strict' | 'relaxed', txnsPerWrite: number, writes = WRITES) =>
      measured(await page.evaluate((r) => window.mkFloor!.call(r), { t: 'storage', durability, txnsPerWrite, writes } as const));
    /** The browser process's CPU for a run of `writes` writes (opening and deleting the database included). */
    const cpuOfRun = async (durability: 'strict' | 'relaxed', txns: number, writes: number) => {
      const before = browserCpuMs(device.profileDir);
      const times = await write(a, durability, txns, writes);
      const after = browserCpuMs(device.profileDir);
      return { times, cpuMs: before === null || after === null ? null : after - before };
    };
    let strictOne = Number.NaN;
    for (const durability of ['strict', 'relaxed'] as const) {
      for (const txns of [1, 128]) {
        // A run without writes costs the opening and deleting of the database: subtract it.
        const empty = await cpuOfRun(durability, txns, 0);
        const { times, cpuMs } = await cpuOfRun(durability, txns, WRITES);
        const label = `IndexedDB write (meshkeeper's storage, one transaction), ${txns} txn${txns === 1 ? '' : 's'}, ${durability}, alone`;
        ms(`${label} (trimmed mean)`, typical(times));
        if (cpuMs !== null && empty.cpuMs !== null) ms(`${label}, browser-process CPU per write`, Math.max(0, cpuMs - empty.cpuMs) / WRITES);
        if (durability === 'strict' && txns === 1) strictOne = typical(times);
      }
    }

    const c = await open();
    const together = await Promise.all([a, b, c].map((page) => write(page, 'strict', 1)));
    ms('IndexedDB write, 1 txn, strict, 3 tabs of one profile writing at once (trimmed mean)', typical(together.flat()));

    // A write through a follower tab, one profile, 3 replicas: page -> follower worker, follower ->
    // leader, leader -> followers (MsgApp), two transactions (leader's, a follower's) on the one
    // backend, follower -> leader (ack), leader -> follower (commit), follower worker -> page.
    const hop = broadcastTrip / 2;
    ms('floor of a write via a follower, one profile: 2 writes back to back + 4 BroadcastChannel hops + page round trip', 2 * strictOne + 4 * hop + pageTrip, { atMost: 1 });
    ms('the same with MessagePort hops', 2 * strictOne + 2 * portTrip + pageTrip, { atMost: 1 });
    return records;
  } finally {
    await device.close();
    await pages.close();
  }
}
