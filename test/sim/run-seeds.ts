import { assert } from '../../src/errors/keeper-error.js';

export interface ScenarioContext {
  readonly seed: number;
  /** True when one seed is replayed for a human: log freely. Otherwise logging is discarded. */
  readonly verbose: boolean;
  log(line: string): void;
}

export type ScenarioOutcome = { readonly ok: true; readonly summary?: string } | { readonly ok: false; readonly reason: string };

/**
 * One simulation run, entirely determined by `context.seed`: it must draw all randomness from
 * `createPrng(seed)` (or generators forked from it) and read no clock or timer, so a failing seed
 * replays exactly. It answers a failure (or throws) when a property does not hold.
 */
export type Scenario = (context: ScenarioContext) => ScenarioOutcome;

export interface RunSeedsOptions {
  readonly scenario: Scenario;
  /** The scenario's name in the registry, for the replay command. */
  readonly scenarioName: string;
  /** The name the CLI runs when none is given: its replay command needs no --scenario. */
  readonly defaultScenarioName?: string;
  readonly startSeed: number;
  readonly seedCount: number;
  /** Prints every log line and the full failure reasons. */
  readonly verbose?: boolean;
  readonly print: (line: string) => void;
}

export interface SeedFailure {
  readonly seed: number;
  readonly reason: string;
}

export interface RunSeedsReport {
  readonly passed: number;
  readonly failed: number;
  readonly failures: readonly SeedFailure[];
}

export const MAX_SEEDS_PER_RUN = 1_000_000;

/** The command that replays one seed verbosely. */
export function replayCommand(seed: number, scenarioName: string, defaultScenarioName?: string): string {
  const scenario = defaultScenarioName === undefined || scenarioName === defaultScenarioName ? '' : ` -- --scenario ${scenarioName}`;
  return `SIM_SEED=${seed} npm run sim${scenario}`;
}

/**
 * Runs the scenario for seeds start .. start + count - 1. Prints one line per failing seed with the
 * command that replays it, and `N passed, M failed` as the last line.
 */
export function runSeeds(options: RunSeedsOptions): RunSeedsReport {
  const { startSeed, seedCount, print } = options;
  assert(Number.isSafeInteger(startSeed), `start seed must be a safe integer, got ${startSeed}`);
  assert(Number.isInteger(seedCount) && seedCount >= 0 && seedCount <= MAX_SEEDS_PER_RUN, `seed count must be in 0..${MAX_SEEDS_PER_RUN}, got ${seedCount}`);
  const verbose = options.verbose ?? false;
  const failures: SeedFailure[] = [];
  let passed = 0;
  for (let seed = startSeed; seed < startSeed + seedCount; seed++) {
    const outcome = runOne(options.scenario, seed, verbose, print);
    if (outcome.ok) {
      passed += 1;
      if (verbose) print(`seed ${seed}: ok${outcome.summary === undefined ? '' : ` (${outcome.summary})`}`);
      continue;
    }
    failures.push({ seed, reason: outcome.reason });
    const replay = replayCommand(seed, options.scenarioName, options.defaultScenarioName);
    if (verbose) {
      print(`seed ${seed}: FAILED`);
      for (const line of outcome.reason.split('\n')) print(`  ${line}`);
    }
    print(`FAIL seed ${seed} (${options.scenarioName}): ${firstLine(outcome.reason)} | replay: ${replay}`);
  }
  print(`${passed} passed, ${failures.length} failed`);
  return { passed, failed: failures.length, failures };
}

function runOne(scenario: Scenario, seed: number, verbose: boolean, print: (line: string) => void): ScenarioOutcome {
  const context: ScenarioContext = { seed, verbose, log: verbose ? print : () => {} };
  try {
    return scenario(context);
  } catch (error) {
    const text = error instanceof Error ? (verbose && error.stack !== undefined ? error.stack : error.message) : String(error);
    return { ok: false, reason: `threw: ${text}` };
  }
}

function firstLine(text: string): string {
  const newline = text.indexOf('\n');
  return newline === -1 ? text : text.slice(0, newline);
}
