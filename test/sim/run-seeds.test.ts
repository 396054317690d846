import { describe, expect, it } from 'vitest';
import { createPrng } from '../../src/util/prng.js';
import { replayCommand, runSeeds, type Scenario } from './run-seeds.js';

/** Fails on odd seeds, with a two-line reason; logs one line per run. */
const oddSeedsFail: Scenario = (context) => {
  context.log(`running seed ${context.seed}`);
  return context.seed % 2 === 0 ? { ok: true, summary: 'even' } : { ok: false, reason: `seed ${context.seed} is odd\nsecond line` };
};

function capture(run: (print: (line: string) => void) => void): string[] {
  const lines: string[] = [];
  run((line) => lines.push(line));
  return lines;
}

describe('seed runner', () => {
  it('prints one line per failing seed, with its replay command, and the totals last', () => {
    let report;
    const lines = capture((print) => {
      report = runSeeds({ scenario: oddSeedsFail, scenarioName: 'odd', defaultScenarioName: 'odd', startSeed: 10, seedCount: 4, print });
    });
    expect(lines).toEqual([
      'FAIL seed 11 (odd): seed 11 is odd | replay: SIM_SEED=11 npm run sim',
      'FAIL seed 13 (odd): seed 13 is odd | replay: SIM_SEED=13 npm run sim',
      '2 passed, 2 failed',
    ]);
    expect(report).toEqual({
      passed: 2,
      failed: 2,
      failures: [
        { seed: 11, reason: 'seed 11 is odd\nsecond line' },
        { seed: 13, reason: 'seed 13 is odd\nsecond line' },
      ],
    });
  });

  it('a scenario that throws is a failure, and the run goes on', () => {
    const throwing: Scenario = (context) => {
      if (context.seed === 2) throw new Error('boom');
      return { ok: true };
    };
    const lines = capture((print) => runSeeds({ scenario: throwing, scenarioName: 'x', startSeed: 1, seedCount: 3, print }));
    expect(lines).toEqual(['FAIL seed 2 (x): threw: boom | replay: SIM_SEED=2 npm run sim', '2 passed, 1 failed']);
  });

  it('verbose prints the scenario log and the whole reason; quiet prints neither', () => {
    const verbose = capture((print) => runSeeds({ scenario: oddSeedsFail, scenarioName: 'odd', startSeed: 3, seedCount: 1, verbose: true, print }));
    expect(verbose).toEqual([
      'running seed 3',
      'seed 3: FAILED',
      '  seed 3 is odd',
      '  second line',
      'FAIL seed 3 (odd): seed 3 is odd | replay: SIM_SEED=3 npm run sim',
      '0 passed, 1 failed',
    ]);
    const quiet = capture((print) => runSeeds({ scenario: oddSeedsFail, scenarioName: 'odd', startSeed: 4, seedCount: 1, print }));
    expect(quiet).toEqual(['1 passed, 0 failed']);
  });

  it('the replay command names the scenario unless it is the default', () => {
    expect(replayCommand(5, 'toy', 'toy')).toBe('SIM_SEED=5 npm run sim');
    expect(replayCommand(5, 'raft', 'toy')).toBe('SIM_SEED=5 npm run sim -- --scenario raft');
  });

  it('a seeded scenario gives the same verdicts on every run', () => {
    const flaky: Scenario = (context) => (createPrng(context.seed).chance(0.3) ? { ok: false, reason: 'unlucky' } : { ok: true });
    const run = () => capture((print) => runSeeds({ scenario: flaky, scenarioName: 'f', startSeed: 0, seedCount: 50, print }));
    expect(run()).toEqual(run());
    expect(run().length).toBeGreaterThan(1);
  });

  it('rejects a negative seed count', () => {
    expect(() => runSeeds({ scenario: oddSeedsFail, scenarioName: 'odd', startSeed: 0, seedCount: -1, print: () => {} })).toThrow(/seed count/);
  });
});
