import type { LatencySample } from './latency-probe.js';

/** What the latency chart prints beside the line. Pure. */
export interface LatencySummaryView {
  readonly count: number;
  readonly failures: number;
  readonly lastMs: number | null;
  readonly medianMs: number | null;
  readonly p95Ms: number | null;
  readonly maxMs: number | null;
}

function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] ?? null;
}

export function summarizeLatency(samples: readonly LatencySample[]): LatencySummaryView {
  const ok = samples.filter((sample) => sample.error === null).map((sample) => sample.latencyMs);
  const sorted = [...ok].sort((a, b) => a - b);
  return {
    count: samples.length,
    failures: samples.length - ok.length,
    lastMs: ok.at(-1) ?? null,
    medianMs: quantile(sorted, 0.5),
    p95Ms: quantile(sorted, 0.95),
    maxMs: sorted.at(-1) ?? null,
  };
}

/** The chart's y-axis top: a round number above the samples (at least 10 ms). */
export function axisTopMs(samples: readonly LatencySample[]): number {
  let top = 10;
  for (const sample of samples) if (sample.error === null && sample.latencyMs > top) top = sample.latencyMs;
  const steps = [10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 60_000];
  return steps.find((step) => step >= top) ?? Math.ceil(top / 10_000) * 10_000;
}
