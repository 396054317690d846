/**
 * The transport a client talks to one replica through: an ordered, reliable stream of byte frames
 * (each `send` is one frame, each `onMessage` call one frame). In-process pairs, a worker's
 * MessagePort and a link to another tab all fit it. Loss is never silent: a frame is either
 * delivered in order or the connection closes.
 */
export interface ClientConnection {
  /** Queues one frame for the replica. Sending on a closed connection does nothing (or throws). */
  send(bytes: Uint8Array): void;
  /** Frames from the replica, in order. Returns a function that removes the listener. */
  onMessage(listener: (bytes: Uint8Array) => void): () => void;
  /**
   * Called once when the connection closes, for whatever reason (the replica closed it, the
   * transport broke, `close()` was called). Returns a function that removes the listener.
   */
  onClose(listener: (reason: string) => void): () => void;
  /** Closes the connection. Idempotent. */
  close(): void;
}

/**
 * Opens a connection to one replica (an endpoint). It rejects, or the connection closes, when the
 * replica cannot be reached; the client then tries the next endpoint of its list.
 */
export type ConnectFn = () => Promise<ClientConnection>;
