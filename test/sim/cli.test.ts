import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCliArguments, runCli } from './cli.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

describe('simulator CLI', () => {
  it('parses --seeds, --start, --scenario and --verbose', () => {
    expect(parseCliArguments(['--seeds', '5', '--start', '100', '--scenario', 'toy-register-broken'], {})).toEqual({
      seedCount: 5,
      startSeed: 100,
      scenarioName: 'toy-register-broken',
      verbose: false,
    });
    expect(parseCliArguments([], {})).toEqual({ seedCount: 20, startSeed: 1, scenarioName: 'raft', verbose: false });
  });

  it('SIM_SEED runs that one seed, verbosely', () => {
    expect(parseCliArguments(['--seeds', '50'], { SIM_SEED: '42' })).toEqual({ seedCount: 1, startSeed: 42, scenarioName: 'raft', verbose: true });
  });

  it('bad arguments get a clear message and exit code 2', () => {
    expect(parseCliArguments(['--seeds', 'many'], {})).toBe('--seeds takes an integer, got many');
    expect(parseCliArguments(['--scenario', 'nope'], {})).toBe('unknown scenario nope');
    expect(parseCliArguments(['--start'], {})).toBe('--start needs a value');
    expect(parseCliArguments([], { SIM_SEED: 'x' })).toBe('SIM_SEED must be an integer, got x');
    const lines: string[] = [];
    expect(runCli(['--bogus', '1'], {}, (line) => lines.push(line))).toBe(2);
    expect(lines.join('\n')).toContain('usage:');
  });

  it('exits 1 and prints replay lines when a seed fails', () => {
    const lines: string[] = [];
    const code = runCli(['--seeds', '3', '--start', '1', '--scenario', 'toy-register-broken'], {}, (line) => lines.push(line));
    expect(code).toBe(1);
    expect(lines.at(-1)).toMatch(/^\d passed, [1-3] failed$/);
    expect(lines.slice(0, -1).every((line) => /^FAIL seed \d+ .* \| replay: SIM_SEED=\d+ npm run sim -- --scenario toy-register-broken$/.test(line))).toBe(true);
  });

  it('runs as a program through tsx, with the totals as its last line', () => {
    const output = execFileSync(process.execPath, ['--import', 'tsx', 'test/sim/cli.ts', '--seeds', '2', '--start', '7'], {
      cwd: repoRoot,
      env: { ...process.env, SIM_SEED: '' },
      encoding: 'utf8',
    });
    expect(output.trim().split('\n').at(-1)).toBe('2 passed, 0 failed');
  });
});
