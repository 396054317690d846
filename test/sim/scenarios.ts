import { raftScenario } from './raft/scenario.js';
import type { Scenario } from './run-seeds.js';
import { replicaScenario } from './replica/scenario.js';
import { toyRegisterScenario } from './toy-register/scenario.js';

/** The scenario `npm run sim` runs when none is named: the Raft ensemble. */
export const DEFAULT_SCENARIO = 'raft';

/**
 * Every scenario the CLI can run, by name.
 * - 'raft': the production consensus under the seed's faults (test/sim/raft);
 * - 'raft-ack-before-durable', 'raft-apply-uncommitted', 'raft-reads-skip-read-index': the same
 *   with a planted driver bug (they fail on purpose: proof the invariants and the checker catch one);
 * - 'raft-torn-any': the same with frequent crashes on every seed (chance 0.01 per tick), each leaving a torn
 *   prefix of the pending write (the torn-write bug's scenario; see raft/README.md);
 * - 'raft-whole-snapshots': snapshots sent whole in one MsgSnap instead of in chunks;
 * - 'toy-register': the simulator's self-test; 'toy-register-broken' fails on purpose.
 */
export const scenarios: ReadonlyMap<string, Scenario> = new Map([
  ['raft', raftScenario()],
  ['raft-ack-before-durable', raftScenario({ plantedBug: 'ack-before-durable' })],
  ['raft-apply-uncommitted', raftScenario({ plantedBug: 'apply-uncommitted' })],
  ['raft-reads-skip-read-index', raftScenario({ plantedBug: 'reads-skip-read-index' })],
  ['raft-torn-any', raftScenario({ tornWrites: 'any', crashChancePerTick: 0.01 })],
  ['raft-whole-snapshots', raftScenario({ chunkedSnapshots: false })],
  ['toy-register', toyRegisterScenario({ reads: 'primary-reads' })],
  ['toy-register-broken', toyRegisterScenario({ reads: 'backup-reads' })],
  ['replica', replicaScenario()],
]);
