/**
 * One run per key at a time: a run asked for while one is going makes it run once more after, and
 * every caller waits for the run that covers its request. (A znode's listing asked for by three
 * watch events in a row is read at most twice.) Bounded by the keys in use.
 */
export class SingleFlight {
  private readonly running = new Map<string, { again: boolean; done: Promise<void> }>();

  /** How many keys are running. */
  get size(): number {
    return this.running.size;
  }

  run(key: string, load: () => Promise<void>, settled: () => void = () => undefined): Promise<void> {
    const current = this.running.get(key);
    if (current !== undefined) {
      current.again = true;
      return current.done;
    }
    const entry = { again: false, done: Promise.resolve() };
    this.running.set(key, entry);
    entry.done = (async () => {
      try {
        do {
          entry.again = false;
          await load();
        } while (entry.again);
      } finally {
        this.running.delete(key);
        settled();
      }
    })();
    return entry.done;
  }
}
