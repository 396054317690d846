/**
 * `npm run demo`: the signaling server and vite's dev server in one process, so one command brings
 * up everything the demo page needs. Prints both addresses; stops both on SIGINT/SIGTERM.
 * `npm run demo:built` (`--built`) serves the production build (dist/demo, from `npm run build`)
 * with vite's static preview server instead.
 * (Development only: the published `meshkeeper-signaling` command is main.ts.)
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createServer, preview } from 'vite';
import { startSignalingServer } from './server.js';

const host = process.env['HOST'] ?? '127.0.0.1';
const signalingPort = Number(process.env['SIGNALING_PORT'] ?? '4444');
const demoPort = Number(process.env['PORT'] ?? '5173');
const built = process.argv.includes('--built');
const builtDir = resolve('dist/demo');

if (built && !existsSync(resolve(builtDir, 'index.html'))) {
  console.error(`no production build in ${builtDir}: run \`npm run build\` first`);
  process.exit(1);
}

const signaling = await startSignalingServer({
  host,
  port: signalingPort,
  dataDir: resolve(process.env['SIGNALING_DATA_DIR'] ?? '.meshkeeper-signaling'),
  log: (line) => console.log(`[signaling] ${line}`),
});

let demoUrl: string;
let closeDemo: () => Promise<void>;
if (built) {
  // The build finds its signaling server on port 4444 of the page's host (or as it was built with
  // MESHKEEPER_SIGNALING_URL); another port goes into the address.
  const server = await preview({ preview: { host, port: demoPort, strictPort: false }, build: { outDir: builtDir } });
  const url = server.resolvedUrls?.local[0] ?? `http://${host}:${demoPort}/`;
  demoUrl = signaling.port === 4444 ? url : `${url}?signaling=${encodeURIComponent(signaling.url)}`;
  closeDemo = () => server.close();
} else {
  const vite = await createServer({
    server: { host, port: demoPort, strictPort: false },
    define: { __MESHKEEPER_SIGNALING_URL__: JSON.stringify(signaling.url) },
  });
  await vite.listen();
  demoUrl = vite.resolvedUrls?.local[0] ?? `http://${host}:${demoPort}/`;
  closeDemo = () => vite.close();
}

console.log(`meshkeeper demo${built ? ' (production build)' : ''}: ${demoUrl}  (open it in several tabs, and in a second browser)`);
console.log(`signaling server: ${signaling.url}`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.allSettled([closeDemo(), signaling.close()]);
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
