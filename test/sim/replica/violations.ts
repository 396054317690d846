/**
 * The safety violations a run found, in the order found. The first one fails the run (with the
 * tick it was seen at); a few more are kept for the verbose report.
 */
export class Violations {
  private readonly found: string[] = [];
  private total = 0;

  constructor(
    private readonly now: () => number,
    private readonly log: (line: string) => void,
    private readonly keep = 20,
  ) {}

  report(message: string): void {
    this.total += 1;
    const line = `[${this.now()}] ${message}`;
    this.log(`VIOLATION ${line}`);
    if (this.found.length < this.keep) this.found.push(line);
  }

  get count(): number {
    return this.total;
  }

  get first(): string | null {
    return this.found[0] ?? null;
  }

  all(): readonly string[] {
    return this.found;
  }
}
