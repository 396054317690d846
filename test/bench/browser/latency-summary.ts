import type { LatencySummary } from '../pages/bench-page-api.js';

/** The nearest-rank percentile of ascending `sorted` (0 for none). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] as number;
}

/** p50/p90/p99/max/mean of latencies in ms (any order; sorted here, in place when a Float64Array). */
export function summarize(latencies: Float64Array | number[]): LatencySummary {
  const sorted = latencies instanceof Float64Array ? latencies.sort() : Float64Array.from(latencies).sort();
  let total = 0;
  for (const value of sorted) total += value;
  return {
    n: sorted.length,
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length === 0 ? 0 : (sorted[sorted.length - 1] as number),
    meanMs: sorted.length === 0 ? 0 : total / sorted.length,
  };
}

/** A growable list of latencies without boxing every number. */
export class LatencyBuffer {
  private values = new Float64Array(4096);
  private length = 0;

  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }

  get size(): number {
    return this.length;
  }

  summary(): LatencySummary {
    return summarize(this.values.slice(0, this.length));
  }
}
