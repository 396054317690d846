// A child process that owns one ephemeral node in ZooKeeper, for the benchmark's "owner closed /
// frozen" runs (zookeeper-workloads.ts): the parent SIGKILLs it (its socket closes, its session is
// left to expire, as a closed tab's would be without a goodbye) or SIGSTOPs it (a frozen tab).
// Usage: node --import tsx zookeeper-ephemeral-owner.ts <connection string> <path> <session timeout ms>
import { connectZookeeper, create, CreateMode } from './zookeeper-client.js';

const [connectionString, path, timeout] = process.argv.slice(2);
if (connectionString === undefined || path === undefined || timeout === undefined) {
  console.error('usage: zookeeper-ephemeral-owner.ts <connection string> <path> <session timeout ms>');
  process.exit(2);
}
const client = await connectZookeeper(connectionString, Number(timeout));
await create(client, path, Buffer.alloc(100, 0x61), CreateMode.EPHEMERAL);
process.stdout.write('created\n');
// Holds the session until the parent kills or stops this process.
setInterval(() => undefined, 60_000);
