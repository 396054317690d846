import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { SignalingClient } from '../../src/transport/signaling-client.js';
import type { SignalingClientEvents } from '../../src/transport/signaling-client-events.js';

// A broken "signaling server": a bare ws server that misbehaves on purpose (silent, or sending junk).
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function brokenServer(onMessage: (socket: WebSocket, text: string) => void): Promise<{ url: string; connections: () => number }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  let connections = 0;
  server.on('connection', (socket) => {
    connections += 1;
    socket.on('message', (data) => onMessage(socket, data.toString()));
  });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('unexpected address');
  return { url: `ws://127.0.0.1:${address.port}/`, connections: () => connections };
}

function client(url: string): SignalingClient {
  const instance = new SignalingClient({
    url,
    WebSocket,
    room: 'room',
    peerId: 'alice',
    ensembleId: 'e',
    secret: 's',
    pbkdf2Iterations: 1_000,
    heartbeatIntervalMs: 30,
    reconnectInitialDelayMs: 10,
    reconnectMaxDelayMs: 20,
  });
  cleanups.push(() => instance.close());
  return instance;
}

function nextError(instance: SignalingClient, predicate: (event: SignalingClientEvents['error']) => boolean): Promise<SignalingClientEvents['error']> {
  return new Promise((resolve) => {
    const off = instance.on('error', (event) => {
      if (!predicate(event)) return;
      off();
      resolve(event);
    });
  });
}

describe('signaling client against a broken server', () => {
  it('a server that stops answering is dropped after two heartbeats and connected to again', async () => {
    const server = await brokenServer(() => undefined);
    const alice = client(server.url);
    const lost = nextError(alice, (event) => event.message.includes('stopped answering'));
    alice.start();
    expect(await lost).toMatchObject({ code: 'protocol', fatal: false });
    await new Promise<void>((resolve) => {
      const off = alice.on('state', (state) => {
        if (state === 'authenticating' && server.connections() >= 2) {
          off();
          resolve();
        }
      });
    });
    expect(server.connections()).toBeGreaterThanOrEqual(2);
  });

  it('a frame that is not the protocol makes the client drop the socket and reconnect', async () => {
    const server = await brokenServer((socket) => socket.send('{"type":"joined","room":"room"}'));
    const alice = client(server.url);
    const broken = nextError(alice, (event) => event.message.includes('bad frame'));
    alice.start();
    expect(await broken).toMatchObject({ code: 'protocol', fatal: false });
    expect(alice.state === 'waiting' || alice.state === 'connecting' || alice.state === 'authenticating').toBe(true);
    expect(alice.ensembleId).toBeUndefined();
  });
});
