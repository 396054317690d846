import type { WorkloadRecord } from './workload-plan.js';

/**
 * The browser benchmark's table: per tab count, one row per workload and metric, meshkeeper's two
 * placements side by side with ZooKeeper's 3-server figure from the same run, the ratios
 * meshkeeper / ZooKeeper, and the issue's targets (3 tabs only).
 */

type Metric = 'opsPerSecond' | 'p50Ms' | 'p99Ms' | 'maxMs';

const METRIC_LABEL: Readonly<Record<Metric, string>> = { opsPerSecond: 'ops/s', p50Ms: 'p50 ms', p99Ms: 'p99 ms', maxMs: 'max ms' };

export interface Target {
  readonly key: string;
  readonly metric: Metric;
  readonly atLeast?: number;
  readonly atMost?: number;
  /** atLeast is this multiple of ZooKeeper's figure in the same run (when ZooKeeper ran). */
  readonly timesZookeeper?: number;
}

/** The issue's targets, for 3 tabs in both placements. */
export const TARGETS: readonly Target[] = [
  { key: 'setData 128 outstanding via follower', metric: 'opsPerSecond', atLeast: 13_000, timesZookeeper: 2 },
  { key: 'setData 1 outstanding via follower', metric: 'p50Ms', atMost: 1.0 },
  { key: 'create via follower', metric: 'p50Ms', atMost: 1.0 },
  { key: 'watch via follower', metric: 'p50Ms', atMost: 1.0 },
  { key: 'getData 128 outstanding via follower', metric: 'opsPerSecond', atLeast: 100_000 },
  { key: 'failover-close via follower', metric: 'p50Ms', atMost: 250 },
  { key: 'failover-freeze via follower', metric: 'p50Ms', atMost: 1_500 },
  { key: 'ephemeral-close via follower', metric: 'p50Ms', atMost: 250 },
];

function metricsOf(record: WorkloadRecord): Metric[] {
  switch (record.workload) {
    case 'setData':
    case 'getData':
      return ['opsPerSecond', 'p50Ms', 'p99Ms'];
    case 'create':
    case 'watch':
      return ['p50Ms', 'p99Ms'];
    default:
      return ['p50Ms', 'maxMs'];
  }
}

function format(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '-';
  if (value >= 1000) return Math.round(value).toLocaleString('en-US');
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function valueOf(record: WorkloadRecord | undefined, metric: Metric): number | undefined {
  if (record === undefined || record.n === 0) return undefined;
  return record[metric];
}

/** The bound a target sets, given ZooKeeper's record of the same workload (if it ran). */
export function targetBound(target: Target, zookeeper: WorkloadRecord | undefined): { atLeast?: number; atMost?: number } {
  const zk = valueOf(zookeeper, target.metric);
  if (target.timesZookeeper !== undefined && zk !== undefined) return { atLeast: target.timesZookeeper * zk };
  return { ...(target.atLeast === undefined ? {} : { atLeast: target.atLeast }), ...(target.atMost === undefined ? {} : { atMost: target.atMost }) };
}

export function meetsTarget(value: number | undefined, bound: { atLeast?: number; atMost?: number }): boolean | undefined {
  if (value === undefined) return undefined;
  return (bound.atLeast === undefined || value >= bound.atLeast) && (bound.atMost === undefined || value <= bound.atMost);
}

function boundText(bound: { atLeast?: number; atMost?: number }, target: Target, zkRan: boolean): string {
  if (bound.atLeast !== undefined) return `>= ${format(bound.atLeast)}${target.timesZookeeper !== undefined && zkRan ? ` (${target.timesZookeeper}x ZK)` : ''}`;
  if (bound.atMost !== undefined) return `<= ${format(bound.atMost)}`;
  return '';
}

/** Prints one table per tab count. */
export function printTables(records: readonly WorkloadRecord[], write: (line: string) => void = (line) => console.log(line)): void {
  const zookeeper = records.filter((r) => r.system === 'zookeeper');
  const zkRan = zookeeper.length > 0;
  const tabCounts = [...new Set(records.filter((r) => r.system === 'meshkeeper').map((r) => r.members))].sort((a, b) => a - b);
  for (const tabs of tabCounts) {
    const mesh = records.filter((r) => r.system === 'meshkeeper' && r.members === tabs);
    const onePorfile = (key: string) => mesh.find((r) => r.setup === 'one-profile' && r.key === key);
    const separate = (key: string) => mesh.find((r) => r.setup === 'separate-devices' && r.key === key);
    const zk = (key: string) => zookeeper.find((r) => r.key === key);
    const keys = [...new Set([...mesh, ...zookeeper].map((r) => r.key))];
    const header = ['workload', 'metric', 'one profile', 'separate devices', ...(zkRan ? ['ZooKeeper', '1p / ZK', 'sep / ZK'] : []), ...(tabs === 3 ? ['target', 'met (1p, sep)'] : [])];
    const rows: string[][] = [];
    for (const key of keys) {
      const sample = onePorfile(key) ?? separate(key) ?? zk(key);
      if (sample === undefined) continue;
      for (const [i, metric] of metricsOf(sample).entries()) {
        const a = valueOf(onePorfile(key), metric);
        const b = valueOf(separate(key), metric);
        const z = valueOf(zk(key), metric);
        const ratio = (x: number | undefined) => (x === undefined || z === undefined || z === 0 ? '-' : (x / z).toFixed(2));
        const target = tabs === 3 ? TARGETS.find((t) => t.key === key && t.metric === metric) : undefined;
        const bound = target === undefined ? {} : targetBound(target, zk(key));
        const met = (x: number | undefined) => {
          const ok = meetsTarget(x, bound);
          return ok === undefined ? '-' : ok ? 'yes' : 'NO';
        };
        rows.push([
          i === 0 ? key : '',
          METRIC_LABEL[metric],
          format(a),
          format(b),
          ...(zkRan ? [format(z), ratio(a), ratio(b)] : []),
          ...(tabs === 3 ? (target === undefined ? ['', ''] : [boundText(bound, target, zkRan), `${met(a)}, ${met(b)}`]) : []),
        ]);
      }
    }
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
    const numeric = (i: number) => i >= 2 && i < header.length - (tabs === 3 ? 2 : 0);
    const line = (cells: readonly string[]) => cells.map((c, i) => (numeric(i) ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join('  ');
    write('');
    write(`meshkeeper, ${tabs} tabs${zkRan ? ' — ZooKeeper 3.8, 3 servers, same run' : ''}`);
    write(line(header));
    write(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const row of rows) write(line(row));
  }
  const failed = records.filter((r) => r.errors > 0);
  if (failed.length > 0) {
    write('');
    write('errors (failed requests, missed watch events, failed runs):');
    for (const r of failed) write(`  ${r.system} ${r.setup} ${r.members}: ${r.key}: ${r.errors}`);
  }
}
