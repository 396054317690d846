/** Entry point of the `meshkeeper-signaling` command (see cli.ts for the flags). */
import { runCli } from './cli.js';

runCli(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`meshkeeper-signaling: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
