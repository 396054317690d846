import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBrowserBench } from '../bench/browser/browser-bench.js';
import { SMOKE_PLAN, workloadKey, type WorkloadId, type WorkloadRecord } from '../bench/browser/workload-plan.js';

// The browser benchmark's harness end to end in its smoke mode (a few requests of each workload,
// one placement): it must produce one well-formed record per workload. Nothing here looks at how
// fast anything was.

const resultsDir = mkdtempSync(join(tmpdir(), 'meshkeeper-bench-smoke-'));

afterAll(() => {
  rmSync(resultsDir, { recursive: true, force: true });
});

const expectedWorkloads: WorkloadId[] = [
  { workload: 'create', via: 'follower' },
  ...SMOKE_PLAN.windows.map((outstanding): WorkloadId => ({ workload: 'setData', outstanding, via: 'follower' })),
  ...SMOKE_PLAN.windows.map((outstanding): WorkloadId => ({ workload: 'getData', outstanding, via: 'follower' })),
  ...SMOKE_PLAN.leaderWindows.map((outstanding): WorkloadId => ({ workload: 'setData', outstanding, via: 'leader' })),
  { workload: 'watch', via: 'follower' },
  { workload: 'failover-close', via: 'follower' },
  { workload: 'failover-freeze', via: 'follower' },
  { workload: 'ephemeral-close', via: 'follower' },
  { workload: 'ephemeral-freeze', via: 'follower' },
];

function wellFormed(record: WorkloadRecord): boolean {
  const latencies = [record.p50Ms, record.p90Ms, record.p99Ms, record.maxMs, record.meanMs];
  return (
    latencies.every((value) => Number.isFinite(value) && value >= 0) &&
    record.p50Ms <= record.p99Ms &&
    record.p99Ms <= record.maxMs &&
    Number.isInteger(record.n) &&
    Number.isInteger(record.errors) &&
    record.n + record.errors >= 1 &&
    (record.opsPerSecond === undefined || (Number.isFinite(record.opsPerSecond) && record.opsPerSecond >= 0)) &&
    record.settings.dataBytes === 100
  );
}

describe('the browser benchmark', () => {
  it('its smoke mode writes one well-formed record per workload, and a JSON document holding them', { timeout: 180_000 }, async () => {
    const lines: string[] = [];
    const result = await runBrowserBench(
      { mode: 'smoke', vsZookeeper: false, zookeeperOnly: false, durability: 'strict', tabs: [3], placements: ['one-profile'] },
      { resultsDir, write: (line) => lines.push(line) },
    );
    const keys = result.records.map((record) => record.key);
    expect(keys.sort()).toEqual(expectedWorkloads.map(workloadKey).sort());
    const malformed = result.records.filter((record) => !wellFormed(record));
    expect(malformed).toEqual([]);
    expect(result.records.every((record) => record.system === 'meshkeeper' && record.setup === 'one-profile' && record.members === 3)).toBe(true);
    // Closed loops report a rate.
    expect(result.records.filter((record) => record.workload === 'setData' || record.workload === 'getData').every((record) => record.opsPerSecond !== undefined)).toBe(true);

    const [file] = readdirSync(resultsDir);
    const document = JSON.parse(readFileSync(join(resultsDir, file as string), 'utf8')) as { bench: string; records: WorkloadRecord[]; versions: Record<string, string>; plan: unknown };
    expect(document.bench).toBe('browser');
    expect(document.records).toEqual(result.records);
    expect(Object.keys(document.versions)).toEqual(expect.arrayContaining(['meshkeeper', 'node', 'chromium', 'playwright-core']));
    expect(document.plan).toEqual(SMOKE_PLAN);
    // The table was printed.
    expect(lines.some((line) => line.startsWith('meshkeeper, 3 tabs'))).toBe(true);
  });
});
