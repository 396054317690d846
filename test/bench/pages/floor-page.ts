import type { FloorReply, FloorRequest } from './floor-protocol.js';

/**
 * The floor bench's page (floor.html): a worker and, for the cross-tab port, a SharedWorker broker.
 * Node drives it through `window.mkFloor` (test/bench/browser/floor-bench.ts).
 */
export interface FloorPageApi {
  /** Sends `request` to this tab's worker; resolves with its answer. */
  call(request: Exclude<FloorRequest, { t: 'port' }>): Promise<FloorReply>;
  /** Round trips page to its own worker. */
  pagePings(count: number): Promise<number[]>;
  /** Makes a MessageChannel, keeps one end for this tab's worker and gives the other through the broker. */
  offerPort(): Promise<void>;
  /** Resolves once a port from the other tab reached this tab's worker. */
  portTaken(): Promise<void>;
}

declare global {
  interface Window {
    mkFloor?: FloorPageApi;
  }
}

const worker = new Worker(new URL('./floor-worker.ts', import.meta.url), { type: 'module', name: 'floor' });
const broker = new SharedWorker(new URL('./floor-broker.ts', import.meta.url), { type: 'module', name: 'floor-broker' });
let waiting: ((reply: FloorReply) => void) | null = null;
worker.onmessage = (event: MessageEvent<FloorReply>) => waiting?.(event.data);

function send(request: FloorRequest, transfer: Transferable[] = []): Promise<FloorReply> {
  return new Promise((resolve) => {
    waiting = resolve;
    worker.postMessage(request, transfer);
  });
}

/** How long a tab waits for the other tab's port. */
const PORT_TIMEOUT_MS = 10_000;
let takenResolve: () => void = () => undefined;
let takenReject: (error: Error) => void = () => undefined;
const taken = new Promise<void>((resolve, reject) => {
  takenResolve = resolve;
  takenReject = reject;
});
let offerRefused: string | null = null;
broker.port.onmessage = async (event: MessageEvent<{ readonly take?: MessagePort; readonly refused?: string }>) => {
  const { take, refused } = event.data;
  if (refused !== undefined) offerRefused = refused;
  if (take === undefined) return;
  await send({ t: 'port', port: take }, [take]);
  takenResolve();
};
broker.port.start();

window.mkFloor = {
  call: (request) => send(request),
  async pagePings(count) {
    const times: number[] = [];
    for (let seq = 0; seq < count; seq++) {
      const started = performance.now();
      await send({ t: 'echo-page', seq });
      times.push(performance.now() - started);
    }
    return times;
  },
  async offerPort() {
    const channel = new MessageChannel();
    await send({ t: 'port', port: channel.port1 }, [channel.port1]);
    broker.port.postMessage({ give: channel.port2 }, [channel.port2]);
  },
  portTaken() {
    const timer = setTimeout(() => takenReject(new Error(offerRefused ?? `no port from the other tab within ${PORT_TIMEOUT_MS} ms`)), PORT_TIMEOUT_MS);
    return taken.finally(() => clearTimeout(timer));
  },
};
