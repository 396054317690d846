/** The `meshkeeper-signaling` command line: flags to server options, start, stop on SIGINT/SIGTERM. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { limitNames, type SignalingLimits } from './limits.js';
import { startSignalingServer, type SignalingServer, type SignalingServerOptions } from './server.js';

export const USAGE = `usage: meshkeeper-signaling [options]

  --port <n>              TCP port (default: $PORT or 4444; 0 = any free port)
  --host <address>        interface to listen on (default 127.0.0.1; 0.0.0.0 for all)
  --data-dir <dir>        where founding records are kept (default ./meshkeeper-signaling-data)
  --allow-origin <origin> allow WebSockets from this Origin only (repeatable; default: any origin)
  --<limit> <n>           override a limit: ${limitNames().map(kebab).join(', ')}
  --help                  print this text
`;

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

export type CliCommand = { readonly kind: 'help' } | { readonly kind: 'serve'; readonly options: SignalingServerOptions };

/** Parses the command line; throws an Error with a readable message on bad input. */
export function parseCliArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): CliCommand {
  const limitFlags = Object.fromEntries(limitNames().map((name) => [kebab(name), { type: 'string' as const }]));
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      'allow-origin': { type: 'string', multiple: true },
      help: { type: 'boolean' },
      ...limitFlags,
    },
  });
  if (positionals.length > 0) throw new Error(`unexpected argument ${positionals[0]}`);
  if (values['help'] === true) return { kind: 'help' };
  const flag = (name: string): string | undefined => {
    const value = (values as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : undefined;
  };
  const portText = flag('port') ?? env['PORT'] ?? '4444';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new Error(`--port must be 0-65535, got ${portText}`);
  const limits: Partial<Record<keyof SignalingLimits, number>> = {};
  for (const name of limitNames()) {
    const text = flag(kebab(name));
    if (text === undefined) continue;
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${kebab(name)} must be a positive number, got ${text}`);
    limits[name] = value;
  }
  const origins = values['allow-origin'];
  return {
    kind: 'serve',
    options: {
      port,
      host: flag('host') ?? '127.0.0.1',
      dataDir: resolve(flag('data-dir') ?? 'meshkeeper-signaling-data'),
      allowedOrigins: Array.isArray(origins) ? origins : [],
      limits,
    },
  };
}

/** Runs the command; resolves with the server once it listens (undefined for --help). */
export async function runCli(
  argv: readonly string[],
  io: { readonly out: (line: string) => void; readonly err: (line: string) => void } = {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
  },
): Promise<SignalingServer | undefined> {
  const command = parseCliArgs(argv, process.env);
  if (command.kind === 'help') {
    io.out(USAGE);
    return undefined;
  }
  const server = await startSignalingServer({ ...command.options, log: io.out });
  const origins = command.options.allowedOrigins ?? [];
  io.out(
    `meshkeeper-signaling listening on ${server.url} (data dir ${command.options.dataDir}, ${server.metrics().foundedRooms} founded rooms, origins: ${origins.length > 0 ? origins.join(' ') : 'any'})`,
  );
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      io.err(`meshkeeper-signaling: ${signal} again, exiting now`);
      process.exit(1);
    }
    stopping = true;
    io.out(`meshkeeper-signaling: ${signal}, stopping`);
    server.close().then(
      () => {
        io.out('meshkeeper-signaling: stopped');
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      },
      (error: unknown) => {
        io.err(`meshkeeper-signaling: failed to stop cleanly: ${String(error)}`);
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return server;
}
