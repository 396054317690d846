import type { TickSource } from '../sim-time.js';

/**
 * The run's notable events (faults, elections, snapshots, crashes), stamped with the global tick.
 * Verbose runs print each line as it happens; quiet runs keep the last few for a failure report.
 */
export class TraceLog {
  private readonly lines: string[] = [];

  constructor(
    private readonly time: TickSource,
    private readonly keep: number,
    private readonly print: ((line: string) => void) | null,
  ) {}

  add(line: string): void {
    const stamped = line.startsWith('[') ? line : `[${this.time.now}] ${line}`;
    this.print?.(stamped);
    this.lines.push(stamped);
    if (this.lines.length > 2 * this.keep) this.lines.splice(0, this.lines.length - this.keep);
  }

  /** The last `keep` lines. */
  tail(): string[] {
    return this.lines.slice(-this.keep);
  }
}
