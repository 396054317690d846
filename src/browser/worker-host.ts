import type { ClientConnection } from '../client/connection.js';
import { KeeperError } from '../errors/keeper-error.js';
import type { MeshStatus } from '../mesh/mesh-node.js';
import { portClientConnection } from '../mesh/port-client-connection.js';
import type { PageToWorker, WorkerToPage } from '../mesh/worker-protocol.js';

/** The part of a Worker the host uses. */
export interface WorkerLike {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  addEventListener(type: 'error', listener: (event: Event) => void): void;
  terminate(): void;
}

/** How long a status request may wait. */
const STATUS_TIMEOUT_MS = 5_000;

/**
 * The page's handle on its replica worker: typed messages both ways (src/mesh/worker-protocol.ts),
 * status requests, and client connections over fresh MessageChannels.
 */
export class ReplicaWorkerHost {
  private readonly listeners = new Set<(message: WorkerToPage) => void>();
  private readonly calls = new Map<number, (status: MeshStatus) => void>();
  private nextCall = 1;

  constructor(readonly worker: WorkerLike) {
    worker.addEventListener('message', (event: MessageEvent) => this.receive(event.data as WorkerToPage));
    worker.addEventListener('error', (event: Event) => {
      const message = event instanceof ErrorEvent ? event.message : 'the replica worker failed';
      this.receive({ type: 'mk:error', message, fatal: true });
    });
  }

  post(message: PageToWorker, transfer: Transferable[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  /** The worker's messages; returns the function that stops listening. */
  on(listener: (message: WorkerToPage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the first message `accept` takes. */
  next<T>(accept: (message: WorkerToPage) => T | undefined): Promise<T> {
    return new Promise((resolve) => {
      const off = this.on((message) => {
        const value = accept(message);
        if (value === undefined) return;
        off();
        resolve(value);
      });
    });
  }

  status(): Promise<MeshStatus> {
    const call = this.nextCall++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.calls.delete(call);
        reject(new KeeperError('OPERATIONTIMEOUT', 'the replica worker did not answer a status request'));
      }, STATUS_TIMEOUT_MS);
      this.calls.set(call, (status) => {
        clearTimeout(timer);
        resolve(status);
      });
      this.post({ type: 'mk:status', call });
    });
  }

  /** A new client connection to the worker's replica. */
  openClientConnection(): ClientConnection {
    const { port1, port2 } = new MessageChannel();
    this.post({ type: 'mk:client', port: port2 }, [port2]);
    return portClientConnection(port1);
  }

  private receive(message: WorkerToPage): void {
    if (message.type === 'mk:status') {
      const resolve = this.calls.get(message.call);
      this.calls.delete(message.call);
      resolve?.(message.status);
      return;
    }
    for (const listener of [...this.listeners]) listener(message);
  }
}
