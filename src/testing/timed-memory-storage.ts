import type { KeeperError } from '../errors/keeper-error.js';
import type { DurableStorage, RecoveredState, WriteBatch } from '../storage/durable-storage.js';
import type { MemoryDisk } from '../storage/memory-disk.js';
import { MemoryStorage } from '../storage/memory-storage.js';

/**
 * MemoryStorage whose writes become durable by themselves: on the next microtask (delayMs 0) or
 * after delayMs. A crash loses what is still queued, as MemoryStorage's does; the MemoryDisk keeps
 * the rest for a restart.
 */
export class TimedMemoryStorage implements DurableStorage {
  private readonly inner: MemoryStorage;
  private crashed = false;

  constructor(
    readonly disk: MemoryDisk,
    private readonly delayMs = 0,
  ) {
    this.inner = new MemoryStorage(disk);
  }

  open(): Promise<RecoveredState> {
    return this.inner.open();
  }

  submit(batch: WriteBatch): number {
    const ticket = this.inner.submit(batch);
    const complete = (): void => {
      if (!this.crashed) this.inner.completeNext();
    };
    if (this.delayMs > 0) setTimeout(complete, this.delayMs);
    else queueMicrotask(complete);
    return ticket;
  }

  onDurable(listener: (ticket: number) => void): () => void {
    return this.inner.onDurable(listener);
  }

  onError(listener: (error: KeeperError) => void): () => void {
    return this.inner.onError(listener);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** The process dies: queued writes are lost; the disk can be opened again. */
  crash(): void {
    if (this.crashed) return;
    this.crashed = true;
    this.inner.crash();
  }
}
