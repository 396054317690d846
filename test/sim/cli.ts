import { pathToFileURL } from 'node:url';
import { runSeeds } from './run-seeds.js';
import { DEFAULT_SCENARIO, scenarios } from './scenarios.js';

const USAGE = `usage: tsx test/sim/cli.ts [--seeds N] [--start S] [--scenario NAME] [--verbose]
  runs the scenario for seeds S .. S+N-1 (default: 20 seeds from 1) and prints one line per failure
  SIM_SEED=<n> replays seed n alone, verbosely; SIM_SCENARIO=<name> picks the scenario like --scenario
  scenarios: ${[...scenarios.keys()].join(', ')} (default ${DEFAULT_SCENARIO})`;

interface CliArguments {
  readonly seedCount: number;
  readonly startSeed: number;
  readonly scenarioName: string;
  readonly verbose: boolean;
}

/** Parses the arguments; answers an error message for bad ones. */
export function parseCliArguments(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): CliArguments | string {
  let seedCount = 20;
  let startSeed = 1;
  let scenarioName = env['SIM_SCENARIO'] ?? DEFAULT_SCENARIO;
  let verbose = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--verbose') {
      verbose = true;
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined) return `${flag} needs a value`;
    i += 1;
    if (flag === '--seeds' || flag === '--start') {
      const number = Number(value);
      if (!Number.isSafeInteger(number) || (flag === '--seeds' && number < 0)) return `${flag} takes an integer, got ${value}`;
      if (flag === '--seeds') seedCount = number;
      else startSeed = number;
    } else if (flag === '--scenario') {
      scenarioName = value;
    } else {
      return `unknown argument ${flag}`;
    }
  }
  if (!scenarios.has(scenarioName)) return `unknown scenario ${scenarioName}`;
  const replay = env['SIM_SEED'];
  if (replay !== undefined && replay !== '') {
    const seed = Number(replay);
    if (!Number.isSafeInteger(seed)) return `SIM_SEED must be an integer, got ${replay}`;
    return { seedCount: 1, startSeed: seed, scenarioName, verbose: true };
  }
  return { seedCount, startSeed, scenarioName, verbose };
}

/** Runs the CLI; answers the exit code (0 all passed, 1 some failed, 2 bad arguments). */
export function runCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, print: (line: string) => void): number {
  const parsed = parseCliArguments(argv, env);
  if (typeof parsed === 'string') {
    print(`${parsed}\n${USAGE}`);
    return 2;
  }
  const report = runSeeds({
    scenario: scenarios.get(parsed.scenarioName)!,
    scenarioName: parsed.scenarioName,
    defaultScenarioName: DEFAULT_SCENARIO,
    startSeed: parsed.startSeed,
    seedCount: parsed.seedCount,
    verbose: parsed.verbose,
    print,
  });
  return report.failed === 0 ? 0 : 1;
}

const invokedPath = process.argv[1];
if (invokedPath !== undefined && import.meta.url === pathToFileURL(invokedPath).href) {
  process.exitCode = runCli(process.argv.slice(2), process.env, (line) => console.log(line));
}
