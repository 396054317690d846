// meshkeeper's replica worker: one module Web Worker per tab hosts the tab's replica of a room
// (src/mesh/mesh-node.ts) on IndexedDB. The page (src/browser/connect.ts) starts it with
// `new Worker(url, { type: 'module' })` and talks to it with src/mesh/worker-protocol.ts's messages.
import { createWorkerRuntime } from '../src/mesh/worker-runtime.js';
import type { WorkerToPage } from '../src/mesh/worker-protocol.js';
import { IndexedDbStorage } from '../src/storage/indexeddb-storage.js';

/** The part of DedicatedWorkerGlobalScope used here (the project's lib is DOM's, not WebWorker's). */
interface WorkerScope {
  postMessage(message: unknown): void;
  onmessage: ((event: MessageEvent) => void) | null;
}

const scope = self as unknown as WorkerScope;

const runtime = createWorkerRuntime({
  post: (message: WorkerToPage) => scope.postMessage(message),
  createStorage: (room, replicaId, options) =>
    new IndexedDbStorage({ room, replicaId, ...(options.durability === undefined ? {} : { durability: options.durability }) }),
});

scope.onmessage = (event: MessageEvent) => runtime.handle(event.data);
