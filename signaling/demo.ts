/**
 * `npm run demo`: the signaling server and vite's dev server in one process, so one command brings
 * up everything the demo page needs. Prints both addresses; stops both on SIGINT/SIGTERM.
 * (Development only: the published `meshkeeper-signaling` command is main.ts.)
 */
import { resolve } from 'node:path';
import { createServer } from 'vite';
import { startSignalingServer } from './server.js';

const host = process.env['HOST'] ?? '127.0.0.1';
const signalingPort = Number(process.env['SIGNALING_PORT'] ?? '4444');
const demoPort = Number(process.env['PORT'] ?? '5173');

const signaling = await startSignalingServer({
  host,
  port: signalingPort,
  dataDir: resolve(process.env['SIGNALING_DATA_DIR'] ?? '.meshkeeper-signaling'),
  log: (line) => console.log(`[signaling] ${line}`),
});
const vite = await createServer({
  server: { host, port: demoPort, strictPort: false },
  define: { __MESHKEEPER_SIGNALING_URL__: JSON.stringify(signaling.url) },
});
await vite.listen();

const demoUrl = vite.resolvedUrls?.local[0] ?? `http://${host}:${demoPort}/`;
console.log(`meshkeeper demo: ${demoUrl}  (open it in several tabs)`);
console.log(`signaling server: ${signaling.url}`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.allSettled([vite.close(), signaling.close()]);
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
