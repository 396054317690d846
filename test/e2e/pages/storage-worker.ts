import { read, write } from './storage-page.js';

self.onmessage = async (event: MessageEvent<{ op: 'write' | 'read'; room: string; replicaId: string; count?: number }>) => {
  const { op, room, replicaId, count } = event.data;
  try {
    const summary = op === 'write' ? await write(room, replicaId, count ?? 0) : await read(room, replicaId);
    self.postMessage({ ok: true, summary });
  } catch (error) {
    self.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) });
  }
};
