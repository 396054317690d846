import { raftScenario } from './raft/scenario.js';
import type { Scenario } from './run-seeds.js';
import { toyRegisterScenario } from './toy-register/scenario.js';

/** The scenario `npm run sim` runs when none is named: the Raft ensemble. */
export const DEFAULT_SCENARIO = 'raft';

/**
 * Every scenario the CLI can run, by name.
 * - 'raft': the production consensus under the seed's faults (test/sim/raft);
 * - 'raft-ack-before-durable', 'raft-apply-uncommitted', 'raft-reads-skip-read-index': the same
 *   with a planted driver bug (they fail on purpose: proof the invariants and the checker catch one);
 * - 'raft-learner-votes', 'raft-torn-any', 'raft-chunked-snapshots': the same with one workaround for a
 *   known consensus bug turned off (some seeds fail until the bug is fixed; see raft/README.md);
 * - 'toy-register': the simulator's self-test; 'toy-register-broken' fails on purpose.
 */
export const scenarios: ReadonlyMap<string, Scenario> = new Map([
  ['raft', raftScenario()],
  ['raft-ack-before-durable', raftScenario({ plantedBug: 'ack-before-durable' })],
  ['raft-apply-uncommitted', raftScenario({ plantedBug: 'apply-uncommitted' })],
  ['raft-reads-skip-read-index', raftScenario({ plantedBug: 'reads-skip-read-index' })],
  ['raft-learner-votes', raftScenario({ learnerVoteWorkaround: false })],
  ['raft-torn-any', raftScenario({ tornWrites: 'any', crashChancePerTick: 0.01 })],
  ['raft-chunked-snapshots', raftScenario({ chunkedSnapshots: true })],
  ['toy-register', toyRegisterScenario({ reads: 'primary-reads' })],
  ['toy-register-broken', toyRegisterScenario({ reads: 'backup-reads' })],
]);
