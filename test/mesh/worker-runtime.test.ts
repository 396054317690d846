import { afterEach, describe, expect, it } from 'vitest';
import { MeshKeeperClient } from '../../src/client/client.js';
import { portClientConnection } from '../../src/mesh/port-client-connection.js';
import { createWorkerRuntime, type WorkerRuntime } from '../../src/mesh/worker-runtime.js';
import type { WorkerToPage } from '../../src/mesh/worker-protocol.js';
import { MemoryDisk } from '../../src/storage/memory-disk.js';
import { TimedMemoryStorage } from '../../src/testing/timed-memory-storage.js';

// The replica worker's logic without a Worker: messages in as the page sends them, messages out
// collected; storage in memory, BroadcastChannel from Node.

let counter = 0;
const runtimes: WorkerRuntime[] = [];
const clients: MeshKeeperClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(runtimes.splice(0).map((runtime) => runtime.node?.close()));
});

function start(disk = new MemoryDisk()) {
  const posted: WorkerToPage[] = [];
  const runtime = createWorkerRuntime({ post: (message) => posted.push(message), createStorage: () => new TimedMemoryStorage(disk) });
  runtimes.push(runtime);
  const next = async (type: WorkerToPage['type']): Promise<WorkerToPage> => {
    for (let i = 0; i < 500; i++) {
      const found = posted.find((message) => message.type === type);
      if (found !== undefined) {
        posted.splice(posted.indexOf(found), 1);
        return found;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`no ${type} from the worker; got ${JSON.stringify(posted)}`);
  };
  return { runtime, posted, next, disk };
}

const room = () => `runtime-${process.pid}-${++counter}`;

describe('replica worker runtime', () => {
  it('an empty replica waits for the founding verdict; the founder serves a client over a MessagePort', async () => {
    const worker = start();
    worker.runtime.handle({ type: 'mk:init', room: room(), replicaId: 'd-0', deviceId: 'd', options: {} });
    expect(await worker.next('mk:started')).toEqual({ type: 'mk:started', empty: true });
    worker.runtime.handle({ type: 'mk:founding', founder: true });
    expect(await worker.next('mk:opened')).toMatchObject({ type: 'mk:opened', broadcastInstance: expect.any(String) });
    const client = await MeshKeeperClient.connect(
      {
        endpoints: [
          async () => {
            const { port1, port2 } = new MessageChannel();
            worker.runtime.handle({ type: 'mk:client', port: port2 });
            return portClientConnection(port1);
          },
        ],
      },
      { timeoutMs: 5_000 },
    );
    clients.push(client);
    await client.create('/x', 'y');
    worker.runtime.handle({ type: 'mk:status', call: 7 });
    expect(await worker.next('mk:status')).toMatchObject({ call: 7, status: { phase: 'running', voters: ['d-0'], nodeCount: 5 } });
  });

  it('a replica with a log opens at once, and says it left after mk:leave', async () => {
    const name = room();
    const first = start();
    first.runtime.handle({ type: 'mk:init', room: name, replicaId: 'd-0', deviceId: 'd', options: {} });
    first.runtime.handle({ type: 'mk:founding', founder: true });
    await first.next('mk:opened');
    first.runtime.handle({ type: 'mk:leave', timeoutMs: 100 });
    await first.next('mk:left');

    const again = start(first.disk);
    again.runtime.handle({ type: 'mk:init', room: name, replicaId: 'd-0', deviceId: 'd', options: {} });
    expect(await again.next('mk:started')).toEqual({ type: 'mk:started', empty: false });
    await again.next('mk:opened');
  });

  it('a malformed message, or one before mk:init, gets a non-fatal error and changes nothing', async () => {
    const worker = start();
    worker.runtime.handle({ type: 'mk:roster', peers: ['a-0'] });
    expect(await worker.next('mk:error')).toEqual({ type: 'mk:error', message: 'a message arrived before mk:init', fatal: false });
    worker.runtime.handle('hello');
    expect(await worker.next('mk:error')).toEqual({ type: 'mk:error', message: 'bad message from the page: not an object', fatal: false });
    worker.runtime.handle({ type: 'mk:init', room: room(), replicaId: 'd-0', deviceId: 'd', options: {} });
    await worker.next('mk:started');
    worker.runtime.handle({ type: 'mk:init', room: 'other', replicaId: 'd-0', deviceId: 'd', options: {} });
    expect(await worker.next('mk:error')).toEqual({ type: 'mk:error', message: 'mk:init was sent twice', fatal: false });
  });
});
