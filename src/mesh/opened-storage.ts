import type { DurableStorage, RecoveredState, WriteBatch } from '../storage/durable-storage.js';
import type { KeeperError } from '../errors/keeper-error.js';

/**
 * A DurableStorage that was already opened: the mesh node reads the storage first (an empty one
 * waits for the signaling server's founding verdict), then hands it to Replica.open, whose own
 * `open()` gets the state read before instead of reading twice.
 */
export class OpenedStorage implements DurableStorage {
  constructor(
    private readonly inner: DurableStorage,
    private readonly recovered: RecoveredState,
  ) {}

  open(): Promise<RecoveredState> {
    return Promise.resolve(this.recovered);
  }

  submit(batch: WriteBatch): number {
    return this.inner.submit(batch);
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
}

/** Whether a replica's storage holds nothing yet (it never ran, or never joined an ensemble). */
export function isEmptyState(recovered: RecoveredState): boolean {
  return recovered.snapshot === null && recovered.entries.length === 0 && recovered.hardState.term === 0;
}
