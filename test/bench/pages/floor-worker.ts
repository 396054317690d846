/// <reference lib="webworker" />
import { EntryType, type Entry } from '../../../src/consensus/types.js';
import { IndexedDbStorage } from '../../../src/storage/indexeddb-storage.js';
import { TXN_RECORD_BYTES, type FloorReply, type FloorRequest } from './floor-protocol.js';

/**
 * The floor bench's worker: it measures, from a worker as a replica sees them, one IndexedDB write
 * through meshkeeper's own IndexedDbStorage, and a round trip to another tab's worker.
 */
declare const self: DedicatedWorkerGlobalScope;

let port: MessagePort | null = null;
let pongs: ((seq: number) => void) | null = null;

const reply = (message: FloorReply) => self.postMessage(message);

async function storageWrites(request: Extract<FloorRequest, { t: 'storage' }>): Promise<number[]> {
  const room = `floor-${crypto.randomUUID()}`;
  const storage = new IndexedDbStorage({ room, replicaId: 'floor-0', durability: request.durability });
  await storage.open();
  let durable: (() => void) | null = null;
  let failed: ((error: Error) => void) | null = null;
  storage.onDurable(() => durable?.());
  storage.onError((error) => failed?.(error));
  const times: number[] = [];
  try {
    for (let index = 1; index <= request.writes; index++) {
      const entry: Entry = { index, term: 1, type: EntryType.Normal, data: new Uint8Array(request.txnsPerWrite * TXN_RECORD_BYTES).fill(index & 0xff) };
      const started = performance.now();
      const done = new Promise<void>((resolve, reject) => {
        durable = resolve;
        failed = reject;
      });
      storage.submit({ entries: [entry], hardState: { term: 1, vote: 'floor-0', commit: index - 1 } });
      await done;
      times.push(performance.now() - started);
    }
  } finally {
    await storage.close();
    await new Promise((resolve) => {
      const request = indexedDB.deleteDatabase(storage.databaseName);
      request.onsuccess = request.onerror = request.onblocked = resolve;
    });
  }
  return times;
}

/** A pong that takes longer than this fails the measurement (the other end is gone). */
const PONG_TIMEOUT_MS = 5_000;

/** Round trips: send a ping, wait for its pong, `count` times. */
async function pingPong(send: (seq: number) => void, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let seq = 0; seq < count; seq++) {
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no pong for ping ${seq} within ${PONG_TIMEOUT_MS} ms`)), PONG_TIMEOUT_MS);
      pongs = (got) => {
        if (got !== seq) return;
        clearTimeout(timer);
        resolve();
      };
      send(seq);
    });
    times.push(performance.now() - started);
  }
  pongs = null;
  return times;
}

type Wire = { readonly ping?: number; readonly pong?: number };

function onWire(data: Wire, answer: (message: Wire) => void): void {
  if (typeof data.ping === 'number') answer({ pong: data.ping });
  else if (typeof data.pong === 'number') pongs?.(data.pong);
}

const channels = new Map<string, BroadcastChannel>();
function channel(name: string): BroadcastChannel {
  let open = channels.get(name);
  if (open === undefined) {
    const created = new BroadcastChannel(name);
    created.onmessage = (event: MessageEvent<Wire>) => onWire(event.data, (message) => created.postMessage(message));
    channels.set(name, created);
    open = created;
  }
  return open;
}

self.onmessage = async (event: MessageEvent<FloorRequest>) => {
  const request = event.data;
  try {
    switch (request.t) {
      case 'storage':
        return reply({ t: 'storage', ms: await storageWrites(request) });
      case 'echo':
        channel(request.channel);
        return reply({ t: 'echo', ready: true });
      case 'port': {
        const given = request.port;
        port = given;
        given.onmessage = (message: MessageEvent<Wire>) => onWire(message.data, (answer) => given.postMessage(answer));
        return reply({ t: 'port', ready: true });
      }
      case 'ping-broadcast': {
        const open = channel(request.channel);
        return reply({ t: 'ping-broadcast', ms: await pingPong((seq) => open.postMessage({ ping: seq }), request.count) });
      }
      case 'ping-port': {
        const open = port;
        if (open === null) throw new Error('no port was given');
        return reply({ t: 'ping-port', ms: await pingPong((seq) => open.postMessage({ ping: seq }), request.count) });
      }
      case 'echo-page':
        return reply({ t: 'echo-page', seq: request.seq });
    }
  } catch (error) {
    reply({ t: 'error', message: error instanceof Error ? error.message : String(error) });
  }
};
