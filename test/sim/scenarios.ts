import type { Scenario } from './run-seeds.js';
import { replicaScenario } from './replica/scenario.js';
import { toyRegisterScenario } from './toy-register/scenario.js';

/** The scenario `npm run sim` runs when none is named. */
export const DEFAULT_SCENARIO = 'toy-register';

/**
 * Every scenario the CLI can run, by name. Add the Raft ensemble's scenarios here.
 * 'toy-register-broken' fails on purpose: it proves the runner and the checker catch a real bug.
 */
export const scenarios: ReadonlyMap<string, Scenario> = new Map([
  ['toy-register', toyRegisterScenario({ reads: 'primary-reads' })],
  ['toy-register-broken', toyRegisterScenario({ reads: 'backup-reads' })],
  ['replica', replicaScenario()],
]);
