import { describe, expect, it } from 'vitest';
import { runSeeds, type ScenarioContext } from '../run-seeds.js';
import { toyRegisterScenario } from './scenario.js';

const correct = toyRegisterScenario({ reads: 'primary-reads' });
const broken = toyRegisterScenario({ reads: 'backup-reads' });

function runQuietly(scenario: typeof correct, startSeed: number, seedCount: number, scenarioName: string) {
  const lines: string[] = [];
  const report = runSeeds({ scenario, scenarioName, defaultScenarioName: 'toy-register', startSeed, seedCount, print: (line) => lines.push(line) });
  return { report, lines };
}

function replay(scenario: typeof correct, seed: number) {
  const log: string[] = [];
  const context: ScenarioContext = { seed, verbose: true, log: (line) => log.push(line) };
  return { outcome: scenario(context), log };
}

describe('toy register self-test scenario', () => {
  it('the correct primary-copy register passes under every seed tried, faults included', () => {
    const { report, lines } = runQuietly(correct, 1, 12, 'toy-register');
    expect(lines).toEqual(['12 passed, 0 failed']);
    expect(report.passed).toBe(12);
  });

  it('the broken register (reads served by lagging backups) is caught, with replay commands', () => {
    const { report, lines } = runQuietly(broken, 1, 12, 'toy-register-broken');
    expect(report.failed).toBeGreaterThanOrEqual(6);
    expect(lines.at(-1)).toBe(`${report.passed} passed, ${report.failed} failed`);
    for (const failure of report.failures) {
      expect(failure.reason).toMatch(/^history of \d+ operations is not linearizable\nnot linearizable: kv register partition [xyz]/);
      expect(lines).toContain(
        `FAIL seed ${failure.seed} (toy-register-broken): ${failure.reason.split('\n')[0]} | replay: SIM_SEED=${failure.seed} npm run sim -- --scenario toy-register-broken`,
      );
    }
  });

  it('a failing seed replays exactly: same log, same verdict', () => {
    const seed = runQuietly(broken, 1, 12, 'toy-register-broken').report.failures[0]!.seed;
    const first = replay(broken, seed);
    const second = replay(broken, seed);
    expect(first.outcome.ok).toBe(false);
    expect(second).toEqual(first);
    expect(first.log[0]).toContain(`fault plan for seed ${seed}`);
  });

  it('the liveness phase fails a run that cannot make progress in its budget', () => {
    const impatient = toyRegisterScenario({ reads: 'primary-reads', livenessTicks: 2, livenessOperations: 5 });
    const { outcome } = replay(impatient, 1);
    expect(outcome).toEqual({ ok: false, reason: expect.stringMatching(/^no progress after healing: within 2 ticks the clients completed client0 \d/) });
  });
});
