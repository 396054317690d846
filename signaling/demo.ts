/**
 * `npm run demo`: the signaling server and vite's dev server in one process, so one command brings
 * up everything the demo page needs. Prints both addresses; stops both on SIGINT/SIGTERM.
 * `npm run demo:built` (`--built`) serves the production build (dist/demo, from `npm run build`)
 * with vite's static preview server instead.
 * `startDemoServer` does the same from code (the e2e test of the production build, on port 0).
 * (Development only: the published `meshkeeper-signaling` command is main.ts.)
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, preview, type LogLevel } from 'vite';
import { startSignalingServer, type SignalingServer } from './server.js';

/** The repository root: index.html, vite.config.ts and dist/ live here. */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The port the built demo looks for its signaling server on, without ?signaling= (demo-config.ts). */
const BUILT_SIGNALING_PORT = 4444;

export interface DemoServerOptions {
  /** Serve a production build (`builtDir`) as static files instead of running vite's dev server. */
  readonly built: boolean;
  /** The production build to serve (default dist/demo). */
  readonly builtDir?: string;
  /** Interface both servers listen on (default 127.0.0.1). */
  readonly host?: string;
  /** Default 4444; 0 picks a free port. */
  readonly signalingPort?: number;
  /** Default 5173 (the next free one if taken); 0 picks a free port when `built` (vite's dev server reads 0 as 5173). */
  readonly demoPort?: number;
  /** The signaling server's founding records. */
  readonly signalingDataDir: string;
  /** The signaling server's log lines (default: none). */
  readonly log?: (line: string) => void;
  /** vite's log level (default 'info'). */
  readonly logLevel?: LogLevel;
}

export interface DemoServer {
  /** The demo page's address (with ?signaling= when the signaling server is not on port 4444). */
  readonly url: string;
  readonly signaling: SignalingServer;
  close(): Promise<void>;
}

/** Starts the signaling server and the demo's page server (dev, or the built files). */
export async function startDemoServer(options: DemoServerOptions): Promise<DemoServer> {
  const host = options.host ?? '127.0.0.1';
  const demoPort = options.demoPort ?? 5173;
  const builtDir = resolve(options.builtDir ?? resolve(ROOT, 'dist/demo'));
  if (options.built && !existsSync(resolve(builtDir, 'index.html'))) {
    throw new Error(`no production build in ${builtDir}: run \`npm run build\` first`);
  }
  const signaling = await startSignalingServer({
    host,
    port: options.signalingPort ?? BUILT_SIGNALING_PORT,
    dataDir: options.signalingDataDir,
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  const logLevel = options.logLevel ?? 'info';
  try {
    if (options.built) {
      // The build finds its signaling server on port 4444 of the page's host (or as it was built with
      // MESHKEEPER_SIGNALING_URL); another port goes into the address.
      const server = await preview({ root: ROOT, logLevel, preview: { host, port: demoPort, strictPort: false }, build: { outDir: builtDir } });
      const url = server.resolvedUrls?.local[0] ?? `http://${host}:${demoPort}/`;
      return {
        url: signaling.port === BUILT_SIGNALING_PORT ? url : `${url}?signaling=${encodeURIComponent(signaling.url)}`,
        signaling,
        close: () => closeBoth(() => server.close(), signaling),
      };
    }
    const vite = await createServer({
      root: ROOT,
      logLevel,
      server: { host, port: demoPort, strictPort: false },
      define: { __MESHKEEPER_SIGNALING_URL__: JSON.stringify(signaling.url) },
    });
    await vite.listen();
    return {
      url: vite.resolvedUrls?.local[0] ?? `http://${host}:${demoPort}/`,
      signaling,
      close: () => closeBoth(() => vite.close(), signaling),
    };
  } catch (error) {
    await signaling.close().catch(() => undefined);
    throw error;
  }
}

async function closeBoth(closePages: () => Promise<void>, signaling: SignalingServer): Promise<void> {
  await Promise.allSettled([closePages(), signaling.close()]);
}

async function main(): Promise<void> {
  const built = process.argv.includes('--built');
  let demo: DemoServer;
  try {
    demo = await startDemoServer({
      built,
      host: process.env['HOST'] ?? '127.0.0.1',
      signalingPort: Number(process.env['SIGNALING_PORT'] ?? String(BUILT_SIGNALING_PORT)),
      demoPort: Number(process.env['PORT'] ?? '5173'),
      signalingDataDir: resolve(process.env['SIGNALING_DATA_DIR'] ?? '.meshkeeper-signaling'),
      log: (line) => console.log(`[signaling] ${line}`),
    });
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
  console.log(`meshkeeper demo${built ? ' (production build)' : ''}: ${demo.url}  (open it in several tabs, and in a second browser)`);
  console.log(`signaling server: ${demo.signaling.url}`);

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await demo.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

// Run as a command (`tsx signaling/demo.ts`), not when a test imports it.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
