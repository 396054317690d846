import { describe, expect, it } from 'vitest';
import { runSeeds, type Scenario, type ScenarioContext } from '../run-seeds.js';
import { raftScenario } from './scenario.js';

function failures(scenario: Scenario, startSeed: number, seedCount: number): { readonly seed: number; readonly reason: string }[] {
  return [...runSeeds({ scenario, scenarioName: 'planted', startSeed, seedCount, print: () => {} }).failures];
}

function replay(scenario: Scenario, seed: number) {
  const log: string[] = [];
  const context: ScenarioContext = { seed, verbose: true, log: (line) => log.push(line) };
  return { outcome: scenario(context), log };
}

describe('the raft simulation catches planted bugs', () => {
  it('a driver that acknowledges before its write is durable breaks the durable-quorum invariant', () => {
    const found = failures(raftScenario({ plantedBug: 'ack-before-durable' }), 1, 30);
    expect(found.length).toBeGreaterThanOrEqual(10);
    for (const { reason } of found) expect(reason).toMatch(/^safety violated at tick \d+: /);
    expect(found.some(({ reason }) => reason.includes('commit without a durable quorum'))).toBe(true);
  });

  it('without the durable-quorum check, crashes expose acknowledging before durable through Leader Completeness', () => {
    const scenario = raftScenario({ plantedBug: 'ack-before-durable', crashChancePerTick: 0.02, durableQuorumCheck: false });
    const safety = failures(scenario, 1, 16).filter(({ reason }) => reason.startsWith('safety violated'));
    expect(safety.length).toBeGreaterThanOrEqual(1);
    for (const { reason } of safety) expect(reason).toMatch(/^safety violated at tick \d+: leader completeness: r\d+, leader of term \d+, (lacks|holds)/);
  });

  it('a driver that applies entries before they are committed breaks State Machine Safety', () => {
    const found = failures(raftScenario({ plantedBug: 'apply-uncommitted' }), 1, 10);
    expect(found).toHaveLength(10);
    for (const { reason } of found) expect(reason).toMatch(/^safety violated at tick \d+: applied before committed: r\d+ applied entry \d+ while its commit index is \d+/);
  });

  it('reads served from local state without ReadIndex are caught by the linearizability check', () => {
    const found = failures(raftScenario({ plantedBug: 'reads-skip-read-index' }), 1, 20);
    expect(found.length).toBeGreaterThanOrEqual(10);
    for (const { reason } of found) expect(reason).toMatch(/^history of \d+ operations is not linearizable\nnot linearizable: kv register partition /);
  });

  it('a failing seed replays exactly: same log, same verdict', () => {
    const scenario = raftScenario({ plantedBug: 'ack-before-durable' });
    const seed = failures(scenario, 1, 10)[0]!.seed;
    const first = replay(scenario, seed);
    expect(first.outcome.ok).toBe(false);
    expect(replay(scenario, seed)).toEqual(first);
    expect(first.log[0]).toContain(`fault plan for seed ${seed}`);
  });

  it('the liveness phase fails a run that does not converge within its budget, naming the budget', () => {
    const { outcome } = replay(raftScenario({ livenessTicks: 3 }), 2);
    expect(outcome).toEqual({ ok: false, reason: expect.stringMatching(/^liveness: not converged within the budget of 3 ticks after healing: /) });
  });
});
