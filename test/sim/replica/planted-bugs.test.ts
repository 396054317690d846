import { describe, expect, it } from 'vitest';
import type { ScenarioOutcome } from '../run-seeds.js';
import { replicaScenario } from './scenario.js';
import type { PlantedBug } from './settings.js';

/** Runs seeds from 1 until one fails (at most `maxSeeds`); answers the first failure's reason. */
function firstFailure(bug: PlantedBug, maxSeeds: number): string | null {
  const scenario = replicaScenario({ plantedBug: bug });
  for (let seed = 1; seed <= maxSeeds; seed++) {
    const outcome: ScenarioOutcome = scenario({ seed, verbose: false, log: () => {} });
    if (!outcome.ok) return outcome.reason;
  }
  return null;
}

describe('the replica scenario catches planted bugs in the glue', () => {
  it('a sync answered without a read index is caught by the linearizability check (sync-then-read)', { timeout: 300_000 }, () => {
    expect(firstFailure('sync-skips-read-index', 30)).toMatch(/not linearizable/);
  });

  it('replies that leave out of request order are caught by the FIFO or zxid check', { timeout: 300_000 }, () => {
    expect(firstFailure('reorder-replies', 10)).toMatch(/out of order|older than|never fired/);
  });

  it('a replica that skips applying an entry is caught (trees differ at equal zxids, or what it serves goes wrong)', { timeout: 300_000 }, () => {
    expect(firstFailure('replica-skips-an-entry', 10)).toMatch(/trees differ|session tables differ|linearizable|never fired|vanished|outlives/);
  });

  it('a watch event that never reaches its client is caught by the watch ordering check', { timeout: 300_000 }, () => {
    expect(firstFailure('drop-watch-events', 10)).toMatch(/never fired/);
  });
});
