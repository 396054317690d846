#!/usr/bin/env node
// Runs a command inside a network namespace that has only the loopback interface, so every test's
// traffic stays on 127.0.0.1 and Chromium's WebRTC gathers 127.0.0.1 host candidates.
// As root: `unshare -n`; otherwise `unshare -rn` (an unprivileged user namespace).
// Usage: node test/loopback-namespace.mjs <command> [args...]
import { spawnSync } from 'node:child_process';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: node test/loopback-namespace.mjs <command> [args...]');
  process.exit(2);
}

function run(cmd, cmdArgs, env) {
  const result = spawnSync(cmd, cmdArgs, { stdio: 'inherit', env });
  if (result.error) return { status: null, error: result.error };
  return { status: result.status ?? 1, signal: result.signal };
}

if (process.env.MESHKEEPER_LOOPBACK_NETNS === '1') {
  process.exit(run(command, args, process.env).status ?? 1);
}

const quoted = [command, ...args].map((part) => `'${part.replaceAll("'", "'\\''")}'`).join(' ');
const inner = `ip link set lo up && exec ${quoted}`;
const env = { ...process.env, MESHKEEPER_LOOPBACK_NETNS: '1' };
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const attempts = isRoot ? [['-n']] : [['-rn'], ['-n']];
for (const flags of attempts) {
  const probe = spawnSync('unshare', [...flags, 'true'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) continue;
  const result = run('unshare', [...flags, 'sh', '-c', inner], env);
  process.exit(result.status ?? 1);
}
console.error(
  'meshkeeper: cannot create a loopback-only network namespace (unshare -n / -rn failed).\n' +
    'Run the tests as root, or enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1).',
);
process.exit(1);
