import { describe, expect, it } from 'vitest';
import { runSeeds, type ScenarioOutcome } from '../run-seeds.js';
import { DEFAULT_SCENARIO } from '../scenarios.js';
import { raftScenario } from './scenario.js';

/**
 * The CI seed set of meshkeeper's main test: the production RaftNode under each seed's faults
 * (loss, duplication, reordering, partitions, crashes losing unsynced writes, frozen tabs, skewed
 * clocks), membership changes and leadership transfers; every safety invariant checked on every
 * step, convergence within the liveness budget after healing, a linearizable client history.
 * A failing seed prints its replay command: `SIM_SEED=<seed> npm run sim`.
 */
const FIRST_SEED = 1;
const SEEDS_PER_BLOCK = 100;
const BLOCKS = 5;

describe('raft simulation: the production consensus under faults (CI seed set)', () => {
  const scenario = raftScenario();
  for (let block = 0; block < BLOCKS; block++) {
    const startSeed = FIRST_SEED + block * SEEDS_PER_BLOCK;
    it(`seeds ${startSeed}..${startSeed + SEEDS_PER_BLOCK - 1}: invariants hold on every step, the healed cluster converges in budget, histories are linearizable`, () => {
      const lines: string[] = [];
      const report = runSeeds({
        scenario,
        scenarioName: 'raft',
        defaultScenarioName: DEFAULT_SCENARIO,
        startSeed,
        seedCount: SEEDS_PER_BLOCK,
        print: (line) => lines.push(line),
      });
      // On failure the diff shows each failing seed's first line and its replay command.
      expect(lines.filter((line) => line.startsWith('FAIL'))).toEqual([]);
      expect(report.passed).toBe(SEEDS_PER_BLOCK);
    });
  }
});

describe('raft simulation: replays', () => {
  it('a verbose replay (SIM_SEED) runs exactly like the quiet run it replays, message tracing included', () => {
    for (const seed of [3, 4]) {
      const quiet = raftScenario()({ seed, verbose: false, log: () => {} });
      const lines: string[] = [];
      const verbose: ScenarioOutcome = raftScenario({ traceMessages: true })({ seed, verbose: true, log: (line) => lines.push(line) });
      expect(verbose).toEqual(quiet);
      expect(lines[0]).toMatch(new RegExp(`^fault plan for seed ${seed} \\(\\d+ replica\\(s\\): r1 `));
      expect(lines.some((line) => / recv r\d+->r\d+ Msg/.test(line))).toBe(true);
    }
  });
});
