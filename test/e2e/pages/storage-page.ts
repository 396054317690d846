import { IndexedDbStorage } from '../../../src/storage/indexeddb-storage.js';

// Exposes IndexedDbStorage to the e2e test: append a log (many small writes, group-committed),
// then recover it after a reload or a browser restart. Works in the page or in a module worker.

export interface StorageSummary {
  readonly term: number;
  readonly commit: number;
  readonly firstIndex: number;
  readonly lastIndex: number;
  readonly checksum: number;
  readonly snapshotIndex: number;
  readonly transactions: number;
}

function entryData(index: number): Uint8Array {
  const data = new Uint8Array(100);
  for (let i = 0; i < data.length; i++) data[i] = (index * 31 + i) & 0xff;
  return data;
}

async function write(room: string, replicaId: string, count: number): Promise<StorageSummary> {
  const storage = new IndexedDbStorage({ room, replicaId });
  const recovered = await storage.open();
  let last = recovered.entries.at(-1)?.index ?? recovered.snapshot?.metadata.index ?? 0;
  let durable = 0;
  const waiters: { ticket: number; resolve: () => void }[] = [];
  storage.onDurable((ticket) => {
    durable = ticket;
    while (waiters.length > 0 && waiters[0]!.ticket <= durable) waiters.shift()!.resolve();
  });
  const durableAt = (ticket: number) => new Promise<void>((resolve) => (ticket <= durable ? resolve() : waiters.push({ ticket, resolve })));
  // Many small writes, submitted without waiting (as a replica's Ready cycle does) in waves that
  // stay under the storage's pending-write limit; group commit folds each wave into few transactions.
  const WAVE = 500;
  for (let submitted = 0; submitted < count; ) {
    let ticket = 0;
    for (let i = 0; i < WAVE && submitted < count; i++, submitted++) {
      last += 1;
      ticket = storage.submit({ entries: [{ term: 2, index: last, type: 0, data: entryData(last) }], hardState: { term: 2, vote: replicaId, commit: last } });
    }
    await durableAt(ticket);
  }
  const transactions = storage.committedTransactions;
  await storage.close();
  return { ...(await read(room, replicaId)), transactions };
}

async function read(room: string, replicaId: string): Promise<StorageSummary> {
  const storage = new IndexedDbStorage({ room, replicaId });
  const recovered = await storage.open();
  let checksum = 0;
  for (const entry of recovered.entries) {
    const expected = entryData(entry.index);
    for (let i = 0; i < expected.length; i++) if (entry.data[i] !== expected[i]) throw new Error(`entry ${entry.index} corrupted`);
    checksum = (checksum * 33 + entry.index) >>> 0;
  }
  await storage.close();
  return {
    term: recovered.hardState.term,
    commit: recovered.hardState.commit,
    firstIndex: recovered.entries[0]?.index ?? 0,
    lastIndex: recovered.entries.at(-1)?.index ?? 0,
    checksum,
    snapshotIndex: recovered.snapshot?.metadata.index ?? 0,
    transactions: 0,
  };
}

async function inWorker(command: { op: 'write' | 'read'; room: string; replicaId: string; count?: number }): Promise<StorageSummary> {
  const worker = new Worker(new URL('./storage-worker.ts', import.meta.url), { type: 'module' });
  try {
    return await new Promise<StorageSummary>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<{ ok: true; summary: StorageSummary } | { ok: false; message: string }>) =>
        event.data.ok ? resolve(event.data.summary) : reject(new Error(event.data.message));
      worker.postMessage(command);
    });
  } finally {
    worker.terminate();
  }
}

declare global {
  interface Window {
    mkStorage?: { write: typeof write; read: typeof read; inWorker: typeof inWorker };
  }
}

if (typeof window !== 'undefined') window.mkStorage = { write, read, inWorker };
export { read, write };
