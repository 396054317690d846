/**
 * Progress lines while the benchmark runs: each prefixed with the time since the start and the
 * setup being measured; `during` repeats a status line every few seconds while a workload runs.
 */
export class Progress {
  private readonly startedMs: number;

  constructor(
    private readonly prefix: string,
    private readonly write: (line: string) => void = (line) => console.log(line),
    startedMs = Date.now(),
  ) {
    this.startedMs = startedMs;
  }

  /** The same clock and output with another prefix. */
  child(prefix: string): Progress {
    return new Progress(prefix, this.write, this.startedMs);
  }

  line(text: string): void {
    const seconds = ((Date.now() - this.startedMs) / 1000).toFixed(1).padStart(6);
    this.write(`[${seconds} s] ${this.prefix}${this.prefix === '' ? '' : ' '}${text}`);
  }

  /** Resolves with `work`; meanwhile prints `label: <seconds>, <status()>` every `everyMs`. */
  async during<T>(label: string, work: Promise<T>, status: () => Promise<string>, everyMs = 2_000): Promise<T> {
    const begin = Date.now();
    let finished = false;
    const ticker = (async () => {
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, everyMs));
        if (finished) return;
        const text = await status().catch(() => '');
        if (finished) return;
        this.line(`${label}: ${((Date.now() - begin) / 1000).toFixed(0)} s${text === '' ? '' : `, ${text}`}`);
      }
    })();
    try {
      return await work;
    } finally {
      finished = true;
      void ticker;
    }
  }
}
