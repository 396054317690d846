import { connect, meshOf } from '../../../src/browser/connect.js';
import type { MeshKeeperClient } from '../../../src/client/client.js';
import { isKeeperError } from '../../../src/errors/keeper-error.js';
import { LatencyBuffer } from '../browser/latency-summary.js';
import type { BenchPageApi, LoopSpec, LoopResult } from './bench-page-api.js';

// One tab of the browser benchmark (test/bench/browser): connect() to a room, then workloads the
// harness starts. Latencies are measured here, around the client's promises: the app's view.

let client: MeshKeeperClient | null = null;
let room = '';
let done = 0;
let errors = 0;
let fired: { stamp: number; type: string } | null = null;
let onFired: (() => void) | null = null;
let stream: { stop: boolean; requests: [number, number, string][]; finished: Promise<void> } | null = null;

const stamp = (): number => performance.timeOrigin + performance.now();
const codeOf = (error: unknown): string => (isKeeperError(error) ? error.codeName : error instanceof Error ? error.message : String(error));

function bytes(size: number): Uint8Array {
  return new Uint8Array(size).fill(0x61);
}

function connected(): MeshKeeperClient {
  if (client === null) throw new Error('not connected');
  return client;
}

async function closedLoop(spec: LoopSpec): Promise<LoopResult> {
  const zk = connected();
  const data = bytes(spec.dataBytes);
  const latencies = new LatencyBuffer();
  const errorCodes: Record<string, number> = {};
  const count = spec.count ?? Number.POSITIVE_INFINITY;
  const warmup = spec.warmup ?? 0;
  let issued = 0;
  let sequence = 0;
  done = 0;
  errors = 0;
  const request = (): Promise<unknown> => {
    switch (spec.op) {
      case 'setData':
        return zk.setData(spec.path, data);
      case 'getData':
        return zk.getData(spec.path);
      case 'create':
        return zk.create(`${spec.path}/n${sequence++}`, data);
    }
  };
  for (let i = 0; i < warmup; i++) await request().catch(() => undefined);
  const begin = performance.now();
  const deadline = spec.durationMs === undefined ? Number.POSITIVE_INFINITY : begin + spec.durationMs;
  const worker = async (): Promise<void> => {
    while (issued < count && performance.now() < deadline) {
      issued++;
      const start = performance.now();
      try {
        await request();
        latencies.push(performance.now() - start);
        done++;
      } catch (error) {
        const code = codeOf(error);
        errorCodes[code] = (errorCodes[code] ?? 0) + 1;
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: spec.window }, worker));
  const elapsedMs = performance.now() - begin;
  return { ok: latencies.size, errors, errorCodes, elapsedMs, summary: latencies.summary() };
}

const api: BenchPageApi = {
  async connect(options) {
    room = options.room;
    try {
      client = await connect({
        room: options.room,
        signaling: options.signaling,
        secret: options.secret,
        signalingOptions: { pbkdf2Iterations: options.pbkdf2Iterations },
        sessionTimeoutMs: options.sessionTimeoutMs,
        durability: options.durability,
        connectTimeoutMs: 60_000,
      });
      const mesh = await meshOf(room);
      return { ok: true, replicaId: mesh?.replicaId ?? '' };
    } catch (error) {
      return { ok: false, code: codeOf(error), message: error instanceof Error ? error.message : String(error) };
    }
  },
  async status() {
    const mesh = await meshOf(room);
    if (mesh === undefined) throw new Error('not connected');
    return mesh.status();
  },
  stamp,
  async ensure(path, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    let code = '';
    while (Date.now() < deadline) {
      try {
        await connected().create(path, bytes(100));
        return { ok: true };
      } catch (error) {
        code = codeOf(error);
        if (code === 'NODEEXISTS') return { ok: true };
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    return { ok: false, code };
  },
  closedLoop,
  progress: () => ({ done, errors }),
  async armWatch(path, untilExists) {
    fired = null;
    try {
      if (untilExists !== undefined) {
        const deadline = performance.now() + untilExists;
        while ((await connected().exists(path)) === null && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const stat = await connected().exists(path, {
        watch: (event) => {
          fired = { stamp: stamp(), type: event.type };
          onFired?.();
        },
      });
      return { ok: true, exists: stat !== null };
    } catch (error) {
      return { ok: false, exists: false, code: codeOf(error) };
    }
  },
  watchFired(timeoutMs) {
    if (fired !== null) return Promise.resolve(fired);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        onFired = null;
        resolve(null);
      }, timeoutMs);
      onFired = () => {
        clearTimeout(timer);
        onFired = null;
        resolve(fired);
      };
    });
  },
  async stampedSet(path) {
    const at = stamp();
    try {
      await connected().setData(path, bytes(100));
      return { ok: true, stamp: at };
    } catch (error) {
      return { ok: false, stamp: at, code: codeOf(error) };
    }
  },
  async createEphemeral(path) {
    try {
      await connected().create(path, bytes(100), { mode: 'EPHEMERAL' });
      return { ok: true };
    } catch (error) {
      return { ok: false, code: codeOf(error) };
    }
  },
  startStream(path) {
    const zk = connected();
    const data = bytes(100);
    const state = { stop: false, requests: [] as [number, number, string][], finished: Promise.resolve() };
    done = 0;
    errors = 0;
    state.finished = (async () => {
      while (!state.stop) {
        const start = stamp();
        let code = '';
        try {
          await zk.setData(path, data);
          done++;
        } catch (error) {
          code = codeOf(error);
          errors++;
          // A failed request fails fast (no leader, connection lost): breathe, as an app would.
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
        state.requests.push([start, stamp(), code]);
      }
    })();
    stream = state;
  },
  firstOkAfter(at) {
    for (const [start, end, code] of stream?.requests ?? []) if (start >= at && code === '') return end;
    return null;
  },
  async stopStream() {
    const state = stream;
    if (state === null) return { requests: [] };
    state.stop = true;
    await state.finished;
    stream = null;
    return { requests: state.requests };
  },
};

window.mkBench = api;
