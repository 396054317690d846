import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, type ViteDevServer } from 'vite';

/** vite's dev server over the repository, so test pages load src/ modules as the demo does. */
export interface TestPageServer {
  readonly origin: string;
  readonly server: ViteDevServer;
  close(): Promise<void>;
}

export async function startTestPageServer(): Promise<TestPageServer> {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const cacheDir = mkdtempSync(join(tmpdir(), 'meshkeeper-vite-'));
  const server = await createServer({
    configFile: false,
    root,
    cacheDir,
    logLevel: 'error',
    server: { host: '127.0.0.1', port: 0, hmr: false, watch: null },
    optimizeDeps: { include: ['simple-peer/simplepeer.min.js'], noDiscovery: true },
    worker: { format: 'es' },
  });
  await server.listen();
  const address = server.httpServer?.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${address.port}`,
    server,
    async close() {
      await server.close();
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}
