import type { ClientConnection } from '../../src/client/connection.js';

/** One end of an in-memory connection: frames are delivered in order on a later microtask. */
export class MemoryEnd implements ClientConnection {
  other: MemoryEnd | undefined;
  closed = false;
  closeReason: string | undefined;
  private readonly messageListeners = new Set<(bytes: Uint8Array) => void>();
  private readonly closeListeners = new Set<(reason: string) => void>();

  send(bytes: Uint8Array): void {
    if (this.closed) return;
    const other = this.other;
    const copy = bytes.slice();
    queueMicrotask(() => {
      if (other === undefined || other.closed) return;
      for (const listener of [...other.messageListeners]) listener(copy);
    });
  }

  onMessage(listener: (bytes: Uint8Array) => void): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  onClose(listener: (reason: string) => void): () => void {
    if (this.closed) {
      listener(this.closeReason ?? 'closed');
      return () => {};
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  close(reason = 'closed'): void {
    if (this.closed) return;
    this.finish(reason);
    const other = this.other;
    // The far end learns of the close after the frames already sent (a later microtask).
    queueMicrotask(() => other?.finish(`remote: ${reason}`));
  }

  private finish(reason: string): void {
    if (this.closed && this.closeReason !== undefined) return;
    this.closed = true;
    this.closeReason = reason;
    for (const listener of [...this.closeListeners]) listener(reason);
    this.closeListeners.clear();
    this.messageListeners.clear();
  }
}

/** Two connected in-memory ends: [client, replica]. */
export function createConnectionPair(): [MemoryEnd, MemoryEnd] {
  const client = new MemoryEnd();
  const replica = new MemoryEnd();
  client.other = replica;
  replica.other = client;
  return [client, replica];
}
