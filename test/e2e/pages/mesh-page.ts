import { connect, meshOf } from '../../../src/browser/connect.js';
import type { MeshKeeperClient } from '../../../src/client/client.js';
import { isKeeperError } from '../../../src/errors/keeper-error.js';
import type { MeshCall, MeshCallResult, MeshPageApi } from './mesh-page-api.js';

// One tab of the mesh tests: connect() to a room, then client calls driven by the test.

let client: MeshKeeperClient | null = null;
let room = '';
const events: { path: string; type: string; atMs: number }[] = [];

function failure(error: unknown): { ok: false; code: string; message: string } {
  if (isKeeperError(error)) return { ok: false, code: error.codeName, message: error.message };
  return { ok: false, code: 'UNKNOWN', message: error instanceof Error ? error.message : String(error) };
}

async function run(call: MeshCall): Promise<MeshCallResult> {
  if (client === null) return { ok: false, code: 'NOTCONNECTED' };
  const zk = client;
  try {
    switch (call.op) {
      case 'create':
        return { ok: true, value: await zk.create(call.path, call.data, call.ephemeral === true ? { mode: 'EPHEMERAL' } : {}) };
      case 'setData':
        await zk.setData(call.path, call.data);
        return { ok: true, value: null };
      case 'getData':
        return { ok: true, value: new TextDecoder().decode((await zk.getData(call.path)).data) };
      case 'getChildren':
        return { ok: true, value: (await zk.getChildren(call.path)).sort() };
      case 'exists':
        return { ok: true, value: (await zk.exists(call.path)) !== null };
      case 'sync':
        await zk.sync(call.path);
        return { ok: true, value: null };
    }
  } catch (error) {
    return { ok: false, code: failure(error).code };
  }
}

const api: MeshPageApi = {
  async connect(options) {
    room = options.room;
    console.debug(`[mesh +${Math.round(performance.now())}] connect()`);
    try {
      const { pbkdf2Iterations, ...meshOptions } = options;
      client = await connect({
        ...meshOptions,
        ...(pbkdf2Iterations === undefined ? {} : { signalingOptions: { pbkdf2Iterations } }),
        connectTimeoutMs: 40_000,
        log: (line) => console.debug(`[mesh +${Math.round(performance.now())}] ${line}`),
      });
      console.debug(`[mesh +${Math.round(performance.now())}] client connected`);
      const mesh = await meshOf(room);
      return { ok: true, replicaId: mesh?.replicaId ?? '' };
    } catch (error) {
      return failure(error);
    }
  },
  call: run,
  async createUntilOk(path, timeoutMs, pauseMs) {
    const deadline = Date.now() + timeoutMs;
    const failures: string[] = [];
    for (;;) {
      const result = await run({ op: 'create', path, data: 'after' });
      if (result.ok || (!result.ok && result.code === 'NODEEXISTS')) return { ok: true, atMs: Date.now(), failures };
      failures.push(result.code);
      if (Date.now() > deadline) return { ok: false, atMs: Date.now(), failures };
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  },
  async watch(path) {
    if (client === null) return { ok: false, code: 'NOTCONNECTED' };
    try {
      const stat = await client.exists(path, { watch: (event) => events.push({ path: event.path, type: event.type, atMs: Date.now() }) });
      return { ok: true, value: stat !== null };
    } catch (error) {
      return { ok: false, code: failure(error).code };
    }
  },
  events: () => [...events],
  async status() {
    const mesh = await meshOf(room);
    if (mesh === undefined) throw new Error('not connected');
    return mesh.status();
  },
  clientState: () => client?.state ?? 'NONE',
};

window.mkMesh = api;
