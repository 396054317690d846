/** Starts real signaling servers on 127.0.0.1, port 0, each with a fresh data dir; stops them all after each test. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { startSignalingServer, type SignalingServer, type SignalingServerOptions } from '../../signaling/server.js';
import type { RawClient } from './raw-client.js';

const servers = new Set<SignalingServer>();
const clients = new Set<RawClient>();
const dirs: string[] = [];

export async function freshDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mk-signaling-'));
  dirs.push(dir);
  return dir;
}

export async function startTestServer(options: Partial<SignalingServerOptions> = {}): Promise<SignalingServer> {
  const server = await startSignalingServer({ host: '127.0.0.1', port: 0, dataDir: options.dataDir ?? (await freshDataDir()), ...options });
  servers.add(server);
  return server;
}

/** Stops a server now (it is not stopped again after the test). */
export async function stopTestServer(server: SignalingServer): Promise<void> {
  servers.delete(server);
  await server.close();
}

/** Registers raw clients to be closed after the test. */
export function track<T extends RawClient>(client: T): T {
  clients.add(client);
  return client;
}

afterEach(async () => {
  await Promise.all([...clients].map((client) => client.terminate()));
  clients.clear();
  await Promise.all([...servers].map((server) => server.close()));
  servers.clear();
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});
