import type { Clock } from '../../src/client/clock.js';
import { flush } from './scripted-replica.js';

interface Timer {
  readonly id: number;
  readonly dueMs: number;
  readonly callback: () => void;
}

/** A clock a test moves by hand: timers fire in due order inside `advance`, microtasks flushed after each. */
export class ManualClock implements Clock {
  private nowMs = 0;
  private nextId = 1;
  private timers: Timer[] = [];
  randomValue = 0.5;

  now(): number {
    return this.nowMs;
  }

  setTimeout(callback: () => void, delayMs: number): unknown {
    const timer = { id: this.nextId++, dueMs: this.nowMs + Math.max(0, delayMs), callback };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((timer) => timer.id !== handle);
  }

  random(): number {
    return this.randomValue;
  }

  /** Timers not yet fired. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way (and ones they set). */
  async advance(ms: number): Promise<void> {
    const endMs = this.nowMs + ms;
    await flush();
    for (let fired = 0; ; fired++) {
      if (fired > 10_000) throw new Error('more than 10,000 timers fired in one advance: a timer loop');
      const due = this.timers.filter((t) => t.dueMs <= endMs).sort((a, b) => a.dueMs - b.dueMs || a.id - b.id)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.nowMs = Math.max(this.nowMs, due.dueMs);
      due.callback();
      await flush();
    }
    this.nowMs = endMs;
    await flush();
  }
}
