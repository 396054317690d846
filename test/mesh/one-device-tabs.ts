import { MeshKeeperClient } from '../../src/client/client.js';
import type { ClientConnection } from '../../src/client/connection.js';
import { MeshNode } from '../../src/mesh/mesh-node.js';
import { createConnectionPair } from '../../src/replica/client-connection.js';
import { MemoryDisk } from '../../src/storage/memory-disk.js';
import { TimedMemoryStorage } from '../../src/testing/timed-memory-storage.js';

// Tabs of one device in one process: MeshNodes on memory storage, linked by Node's real
// BroadcastChannel, the first one founding the room. For tests of what runs on a tab's mesh.

let counter = 0;

export async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** `count` tabs of a fresh room, once they form one ensemble of min(count, 3) voters. */
export async function startTabs(count: number, track: MeshNode[]): Promise<MeshNode[]> {
  counter += 1;
  const room = `tabs-${process.pid}-${counter}`;
  const device = `dev${process.pid}x${counter}`;
  const ids = Array.from({ length: count }, (_, slot) => `${device}-${slot}`);
  const started: MeshNode[] = [];
  for (const [i, id] of ids.entries()) {
    const node = await MeshNode.start({
      room,
      replicaId: id,
      deviceId: device,
      storage: new TimedMemoryStorage(new MemoryDisk()),
      meshTickMs: 50,
      unwantGraceMs: 1_000,
      policy: { voterGraceMs: 2_000, learnerGraceMs: 4_000 },
    });
    track.push(node);
    started.push(node);
    for (const other of started) other.setSignalingRoster(ids);
    await node.decideFounding(i === 0);
  }
  const voters = Math.min(count, 3);
  await until(() => {
    const statuses = started.map((node) => node.status());
    const leader = statuses[0]!.leader;
    return leader !== null && statuses.every((s) => s.leader === leader && s.voters.length === voters && s.voters.length + s.learners.length === count);
  }, 20_000);
  return started;
}

/** A client of `node` (as the page's client of its tab's replica). */
export function clientOf(node: MeshNode, track: MeshKeeperClient[]): Promise<MeshKeeperClient> {
  const endpoint = async (): Promise<ClientConnection> => {
    const [clientEnd, replicaEnd] = createConnectionPair();
    node.acceptClient(replicaEnd);
    return { send: (bytes) => void clientEnd.send(bytes), onMessage: (l) => clientEnd.onMessage(l), onClose: (l) => clientEnd.onClose(l), close: () => clientEnd.close() };
  };
  return MeshKeeperClient.connect({ endpoints: [endpoint], sessionTimeoutMs: 10_000 }, { timeoutMs: 8_000 }).then((client) => {
    track.push(client);
    return client;
  });
}
