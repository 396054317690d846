import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { deriveRoomKeys } from '../../src/transport/room-crypto.js';
import { RawClient } from './raw-client.js';
import { startTestServer, track } from './test-server.js';

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, type: String(response.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('signaling server HTTP side', () => {
  it('GET /healthz answers ok', async () => {
    const server = await startTestServer();
    const reply = await get(`http://127.0.0.1:${server.port}/healthz`);
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ status: 'ok' });
    expect((await get(`http://127.0.0.1:${server.port}/nope`)).status).toBe(404);
  });

  it('GET /metrics counts rooms, peers, connections, relays and rejects by reason, as Prometheus text or JSON', async () => {
    const server = await startTestServer();
    const keys = await deriveRoomKeys('s', 'metrics-room', { iterations: 1_000 });
    const alice = track(await RawClient.open(server.url));
    await alice.join(keys, 'alice');
    const eve = track(await RawClient.open(server.url));
    eve.send({ type: 'signal', room: 'metrics-room', to: 'alice', payload: 'AAAA' });
    await eve.nextOfType('error');

    const text = await get(`http://127.0.0.1:${server.port}/metrics`);
    expect(text.status).toBe(200);
    expect(text.type).toContain('text/plain');
    expect(text.body).toContain('# TYPE meshkeeper_signaling_connections gauge');
    expect(text.body).toMatch(/^meshkeeper_signaling_connections 2$/m);
    expect(text.body).toMatch(/^meshkeeper_signaling_rooms 1$/m);
    expect(text.body).toMatch(/^meshkeeper_signaling_peers 1$/m);
    expect(text.body).toMatch(/^meshkeeper_signaling_rejects_total\{reason="not-joined"\} 1$/m);

    const json = await get(`http://127.0.0.1:${server.port}/metrics?format=json`);
    expect(JSON.parse(json.body)).toMatchObject({
      connections: 2,
      rooms: 1,
      foundedRooms: 1,
      peers: 1,
      joins: 1,
      foundings: 1,
      messagesRelayed: 0,
      rejects: { 'not-joined': 1 },
    });
  });

  it('with an origin allowlist, other origins are refused before the WebSocket opens', async () => {
    const server = await startTestServer({ allowedOrigins: ['https://app.example'] });
    await expect(RawClient.open(server.url, { origin: 'https://evil.example' })).rejects.toThrow(/HTTP 403/);
    await expect(RawClient.open(server.url)).rejects.toThrow(/HTTP 403/);
    const allowed = track(await RawClient.open(server.url, { origin: 'https://app.example' }));
    allowed.send({ type: 'ping' });
    await allowed.nextOfType('pong');
    expect(server.metrics().rejects['origin-not-allowed']).toBe(2);
  });

  it('stopping tells every socket (going away, 1001) and refuses new ones', async () => {
    const server = await startTestServer();
    const client = track(await RawClient.open(server.url));
    const closing = server.close();
    expect(await client.closed).toMatchObject({ code: 1001 });
    await closing;
    expect(client.frames).toContainEqual(expect.objectContaining({ type: 'error', code: 'shutting-down' }));
    await expect(RawClient.open(server.url)).rejects.toThrow();
  });
});
