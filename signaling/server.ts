/**
 * meshkeeper's signaling server: an HTTP server (GET /healthz, GET /metrics) whose WebSocket upgrades
 * carry the signaling protocol (src/transport/signaling-protocol.ts, signaling/PROTOCOL.md).
 * It introduces peers and relays their sealed offers, answers and candidates; it never carries
 * replica traffic, and it cannot read or alter what it relays.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { SocketPort } from './connection.js';
import { handleHttpRequest } from './http-routes.js';
import { resolveLimits, type SignalingLimits } from './limits.js';
import type { SignalingMetricsSnapshot } from './metrics.js';
import { RoomRegistry } from './room-registry.js';
import { SignalingHub, type FrameTap } from './signaling-hub.js';

/** TCP connections allowed beyond admitted and refused-while-closing sockets (HTTP requests, upgrades). */
const TCP_HEADROOM = 64;

export interface SignalingServerOptions {
  /** TCP port (default 4444; 0 picks a free one). */
  readonly port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  readonly host?: string;
  /** Where the founding records live (`rooms.json`); created if missing. One server per directory. */
  readonly dataDir: string;
  /** Origins allowed to open a WebSocket (exact match, e.g. `https://app.example`); empty or absent: any. */
  readonly allowedOrigins?: readonly string[];
  readonly limits?: Partial<SignalingLimits>;
  /** Operational log lines (default: none). */
  readonly log?: (line: string) => void;
  /** Sees every text frame in and out (debugging; tests use it to show the server only sees ciphertext). */
  readonly frameTap?: FrameTap;
}

export interface SignalingServer {
  /** ws://host:port/ */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly limits: SignalingLimits;
  metrics(): SignalingMetricsSnapshot;
  /** Closes every socket (1001), stops listening, and waits for the founding records to be written. */
  close(): Promise<void>;
}

export async function startSignalingServer(options: SignalingServerOptions): Promise<SignalingServer> {
  const limits = resolveLimits(options.limits);
  const log = options.log ?? (() => undefined);
  const allowedOrigins = new Set(options.allowedOrigins ?? []);
  const host = options.host ?? '127.0.0.1';
  const registry = await RoomRegistry.open(options.dataDir, { maxRooms: limits.maxRooms });
  const hub = new SignalingHub({
    registry,
    limits,
    log,
    nowMs: () => performance.now(),
    ...(options.frameTap === undefined ? {} : { frameTap: options.frameTap }),
  });
  const sockets = new Set<WebSocket>();
  let refusedOpen = 0;
  let stopping = false;

  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxFrameBytes, perMessageDeflate: false, clientTracking: false });
  const http = createServer((request, response) =>
    handleHttpRequest(request, response, { isStopping: () => stopping, metrics: () => hub.metricsSnapshot() }),
  );
  http.on('clientError', (_error, socket) => socket.destroy());
  // TCP connections of any kind (admitted, refused but still closing, upgrading, plain HTTP): beyond this
  // Node drops them at once.
  http.maxConnections = limits.maxConnections * 2 + TCP_HEADROOM;
  http.on('drop', () => hub.metrics.reject('server-full'));
  // A connection that never completes its HTTP request (upgrade included) is cut after 10 s.
  http.headersTimeout = 10_000;
  http.requestTimeout = 10_000;

  http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const origin = request.headers.origin;
    if (allowedOrigins.size > 0 && (origin === undefined || !allowedOrigins.has(origin))) {
      hub.metrics.reject('origin-not-allowed');
      return refuseUpgrade(socket, 403, 'origin-not-allowed', 'this origin may not use the signaling server');
    }
    // Over the limit, a socket is accepted only to be told why it is closed; a flood of those is refused outright.
    if (stopping || (hub.connectionCount >= limits.maxConnections && refusedOpen >= limits.maxConnections)) {
      const code = stopping ? 'shutting-down' : 'server-full';
      hub.metrics.reject(code);
      return refuseUpgrade(socket, 503, code, 'too many connections, try again later');
    }
    wss.handleUpgrade(request, socket, head, (ws) => acceptSocket(ws, request));
  });

  function acceptSocket(ws: WebSocket, request: IncomingMessage): void {
    sockets.add(ws);
    ws.on('error', () => undefined); // ws closes the socket itself (e.g. 1009 for an oversized frame)
    const connection = hub.connect(socketPort(ws, limits.closeGraceMs), request.socket.remoteAddress ?? 'unknown');
    if (connection === undefined) {
      refusedOpen += 1;
      ws.once('close', () => {
        refusedOpen -= 1;
        sockets.delete(ws);
      });
      return;
    }
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return hub.receiveBinary(connection);
      const bytes = toBuffer(data);
      hub.receiveText(connection, bytes.toString('utf8'), bytes.byteLength);
    });
    ws.on('pong', () => hub.pong(connection));
    ws.on('close', () => {
      sockets.delete(ws);
      hub.disconnect(connection);
    });
  }

  const pingTimer = setInterval(() => hub.pingSweep(), limits.pingIntervalMs);
  pingTimer.unref();

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 4444, host, () => {
      http.off('error', reject);
      resolve();
    });
  }).catch(async (error: unknown) => {
    clearInterval(pingTimer);
    await registry.close();
    throw error;
  });
  http.on('error', (error) => log(`signaling: http server error: ${String(error)}`));

  const port = (http.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;

  return {
    url: `ws://${urlHost}:${port}/`,
    port,
    host,
    limits,
    metrics: () => hub.metricsSnapshot(),
    close: () => {
      closing ??= (async () => {
        stopping = true;
        clearInterval(pingTimer);
        const listening = new Promise<void>((resolve) => http.close(() => resolve()));
        hub.shutdown();
        await Promise.all([...sockets].map((ws) => closedWithin(ws, limits.closeGraceMs)));
        wss.close();
        http.closeAllConnections();
        await listening;
        await registry.close();
      })();
      return closing;
    },
  };
}

function socketPort(ws: WebSocket, closeGraceMs: number): SocketPort {
  return {
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    send: (text) => ws.send(text),
    close: (code, reason) => {
      ws.close(code, reason);
      const timer = setTimeout(() => ws.terminate(), closeGraceMs);
      timer.unref();
      ws.once('close', () => clearTimeout(timer));
    },
    ping: () => {
      try {
        ws.ping();
      } catch {
        // Not open any more; the close event cleans up.
      }
    },
    terminate: () => ws.terminate(),
  };
}

function closedWithin(ws: WebSocket, graceMs: number): Promise<void> {
  if (ws.readyState === ws.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      ws.terminate();
      resolve();
    }, graceMs);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function refuseUpgrade(socket: Duplex, status: 403 | 503, code: string, message: string): void {
  const body = JSON.stringify({ type: 'error', code, message });
  const reason = status === 403 ? 'Forbidden' : 'Service Unavailable';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
