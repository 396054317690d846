/**
 * One end of a client connection: an ordered, reliable channel of byte frames (client frames one
 * way, replica frames the other, as src/wire/session-codec.ts encodes them). A closed end stays
 * closed and tells its listeners once. The public client connects to a replica through exactly this.
 */
export interface ClientConnectionEnd {
  /** Queues one frame for the other end; false when this end is closed (the frame is dropped). */
  send(frame: Uint8Array): boolean;
  /**
   * Frames from the other end, in order. Frames that arrive before the first listener is attached
   * are kept and handed to it.
   */
  onMessage(listener: (frame: Uint8Array) => void): () => void;
  /** Called once when the connection closes (either end); at once if it already has. */
  onClose(listener: (reason: string) => void): () => void;
  /** Closes both ends; the other end's listeners hear `reason`. Idempotent. */
  close(reason?: string): void;
  readonly closed: boolean;
  readonly closeReason: string | undefined;
}

/** Frames held for an end with no message listener yet; more closes the connection. */
export const MAX_UNCLAIMED_CLIENT_FRAMES = 4096;

class ConnectionEnd implements ClientConnectionEnd {
  other: ConnectionEnd | null = null;
  private readonly messageListeners = new Set<(frame: Uint8Array) => void>();
  private readonly closeListeners = new Set<(reason: string) => void>();
  private unclaimed: Uint8Array[] = [];
  private reason: string | undefined = undefined;

  get closed(): boolean {
    return this.reason !== undefined;
  }

  get closeReason(): string | undefined {
    return this.reason;
  }

  send(frame: Uint8Array): boolean {
    const receiver = this.other;
    if (this.reason !== undefined || receiver === null) return false;
    queueMicrotask(() => receiver.deliver(frame));
    return true;
  }

  onMessage(listener: (frame: Uint8Array) => void): () => void {
    this.messageListeners.add(listener);
    if (this.unclaimed.length > 0) {
      const frames = this.unclaimed;
      this.unclaimed = [];
      for (const frame of frames) listener(frame);
    }
    return () => this.messageListeners.delete(listener);
  }

  onClose(listener: (reason: string) => void): () => void {
    if (this.reason !== undefined) {
      listener(this.reason);
      return () => undefined;
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  close(reason = 'closed'): void {
    if (this.reason !== undefined) return;
    const other = this.other;
    this.finish(reason);
    // The other end hears it after the frames already on their way (they were queued first).
    if (other !== null) queueMicrotask(() => other.finish(reason));
  }

  private deliver(frame: Uint8Array): void {
    if (this.reason !== undefined) return;
    if (this.messageListeners.size === 0) {
      if (this.unclaimed.length >= MAX_UNCLAIMED_CLIENT_FRAMES) {
        this.close(`more than ${MAX_UNCLAIMED_CLIENT_FRAMES} frames arrived before anyone listened`);
        return;
      }
      this.unclaimed.push(frame);
      return;
    }
    for (const listener of [...this.messageListeners]) listener(frame);
  }

  private finish(reason: string): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this.other = null;
    const listeners = [...this.closeListeners];
    this.closeListeners.clear();
    this.messageListeners.clear();
    for (const listener of listeners) listener(reason);
  }
}

/**
 * Two connected in-process ends: what one sends, the other receives on a later microtask, in order
 * (never inside `send`, so both sides meet the reentrancy of a real channel). Give one end to
 * `Replica.accept` and the other to the client.
 */
export function createConnectionPair(): readonly [client: ClientConnectionEnd, replica: ClientConnectionEnd] {
  const client = new ConnectionEnd();
  const replica = new ConnectionEnd();
  client.other = replica;
  replica.other = client;
  return [client, replica];
}
