/**
 * The slice of the WebSocket API the signaling client uses. The browser's `WebSocket` and the `ws`
 * package's `WebSocket` both satisfy it, so the client runs unchanged in tabs, workers and Node.
 */

// Handlers are checked bivariantly (method syntax), so DOM's `MessageEvent` and ws's event types fit.
type SocketHandler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

export interface SignalingSocket {
  readonly readyState: number;
  onopen: SocketHandler<unknown> | null;
  onmessage: SocketHandler<{ readonly data: unknown }> | null;
  onclose: SocketHandler<{ readonly code: number; readonly reason: string }> | null;
  onerror: SocketHandler<unknown> | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type SignalingSocketConstructor = new (url: string) => SignalingSocket;

export const SOCKET_OPEN = 1;
