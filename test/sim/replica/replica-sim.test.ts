import { describe, expect, it } from 'vitest';
import { runSeeds } from '../run-seeds.js';
import { replicaScenario } from './scenario.js';

/** The CI seed set: seeds 1..300 of the replica scenario, in chunks (each prints its replay lines). */
const SEEDS = 300;
const CHUNK = 75;
const scenario = replicaScenario();

function runChunk(startSeed: number): { failed: number; output: string } {
  const lines: string[] = [];
  const report = runSeeds({ scenario, scenarioName: 'replica', startSeed, seedCount: CHUNK, print: (line) => lines.push(line) });
  return { failed: report.failed, output: lines.join('\n') };
}

describe('replica scenario: the request path under faults', () => {
  for (let start = 1; start <= SEEDS; start += CHUNK) {
    it(`seeds ${start}..${start + CHUNK - 1}: every check holds and every seed converges after healing`, { timeout: 600_000 }, () => {
      const { failed, output } = runChunk(start);
      // On failure the message lists `FAIL seed N (...) | replay: SIM_SEED=N npm run sim -- --scenario replica`.
      expect(failed, output).toBe(0);
    });
  }

  it('a run is a function of its seed: the same seed, quiet or verbose, gives the same outcome', { timeout: 120_000 }, () => {
    const quiet = scenario({ seed: 9, verbose: false, log: () => {} });
    const again = scenario({ seed: 9, verbose: false, log: () => {} });
    const lines: string[] = [];
    const verbose = scenario({ seed: 9, verbose: true, log: (line) => lines.push(line) });
    expect(again).toEqual(quiet);
    expect(verbose).toEqual(quiet);
    expect(quiet.ok).toBe(true);
    expect(lines.length).toBeGreaterThan(100);
  });
});
