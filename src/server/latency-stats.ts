/** Request latency as ZooKeeper's srvr/mntr report it: min, average and max since the last reset. */
export interface LatencySummary {
  readonly count: number;
  readonly minMs: number;
  readonly avgMs: number;
  readonly maxMs: number;
}

export class LatencyStats {
  private count = 0;
  private totalMs = 0;
  private minMs = Number.POSITIVE_INFINITY;
  private maxMs = 0;

  record(latencyMs: number): void {
    const value = latencyMs < 0 ? 0 : latencyMs;
    this.count++;
    this.totalMs += value;
    if (value < this.minMs) this.minMs = value;
    if (value > this.maxMs) this.maxMs = value;
  }

  summary(): LatencySummary {
    if (this.count === 0) return { count: 0, minMs: 0, avgMs: 0, maxMs: 0 };
    return { count: this.count, minMs: this.minMs, avgMs: this.totalMs / this.count, maxMs: this.maxMs };
  }

  reset(): void {
    this.count = 0;
    this.totalMs = 0;
    this.minMs = Number.POSITIVE_INFINITY;
    this.maxMs = 0;
  }
}
