import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../signaling/cli.js';
import { resolveLimits, DEFAULT_SIGNALING_LIMITS } from '../../signaling/limits.js';
import { RawClient } from './raw-client.js';
import { freshDataDir } from './test-server.js';

describe('meshkeeper-signaling command line', () => {
  it('parses port, host, data dir, repeated origins and limits', () => {
    const command = parseCliArgs(
      ['--port', '5555', '--host', '0.0.0.0', '--data-dir', '/tmp/x', '--allow-origin', 'https://a.example', '--allow-origin', 'https://b.example', '--max-peers-per-room', '8'],
      {},
    );
    expect(command).toEqual({
      kind: 'serve',
      options: {
        port: 5555,
        host: '0.0.0.0',
        dataDir: '/tmp/x',
        allowedOrigins: ['https://a.example', 'https://b.example'],
        limits: { maxPeersPerRoom: 8 },
      },
    });
  });

  it('defaults to $PORT, then 4444, on 127.0.0.1', () => {
    expect(parseCliArgs([], { PORT: '8080' })).toMatchObject({ options: { port: 8080, host: '127.0.0.1' } });
    expect(parseCliArgs([], {})).toMatchObject({ options: { port: 4444, allowedOrigins: [] } });
    expect(parseCliArgs(['--help'])).toEqual({ kind: 'help' });
  });

  it('refuses bad flags with a readable message', () => {
    expect(() => parseCliArgs(['--port', 'eighty'])).toThrow(/--port/);
    expect(() => parseCliArgs(['--port', '70000'])).toThrow(/--port/);
    expect(() => parseCliArgs(['--max-rooms', '-1'])).toThrow(/--max-rooms/);
    expect(() => parseCliArgs(['--bogus'])).toThrow();
    expect(() => parseCliArgs(['stray'])).toThrow(/unexpected argument/);
  });

  it('limits have defaults and refuse nonsense', () => {
    expect(resolveLimits()).toEqual(DEFAULT_SIGNALING_LIMITS);
    expect(resolveLimits({ maxRooms: 3 }).maxRooms).toBe(3);
    expect(() => resolveLimits({ maxRooms: 0 })).toThrow(RangeError);
    expect(() => resolveLimits({ maxMessageBytes: 10, maxFrameBytes: 5 })).toThrow(RangeError);
    expect(() => resolveLimits({ maxPotatoes: 1 } as unknown as Partial<typeof DEFAULT_SIGNALING_LIMITS>)).toThrow(/unknown/);
  });

  it('bin.mjs runs with plain node, prints where it listens, serves, and stops cleanly on SIGTERM', async () => {
    const bin = fileURLToPath(new URL('../../signaling/bin.mjs', import.meta.url));
    expect(existsSync(bin)).toBe(true);
    const dataDir = await freshDataDir();
    const child = spawn(process.execPath, [bin, '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
        const match = /listening on (ws:\/\/\S+)/.exec(output);
        if (match?.[1] !== undefined) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
    });
    const client = await RawClient.open(url);
    client.send({ type: 'ping' });
    await client.nextOfType('pong');
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await client.closed).toMatchObject({ code: 1001 });
    expect(await exited).toBe(0);
    expect(output).toContain('stopped');
  });
});
