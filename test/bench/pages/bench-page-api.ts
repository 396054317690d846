import type { BrowserMeshStatus } from '../../../src/browser/browser-mesh.js';

/**
 * What the benchmark page (bench-page.ts) exposes as `window.mkBench`. Every workload runs inside
 * the page and is timed there with performance.now(), as the embedding app sees it; results are
 * plain data. Times that other processes compare ("stamps") are `performance.timeOrigin +
 * performance.now()`: milliseconds since the epoch, on the machine's clock, sub-millisecond.
 */
export interface BenchPageApi {
  /** connect() to the room; resolves with this tab's replica id, or the KeeperError code it failed with. */
  connect(options: BenchConnectOptions): Promise<{ ok: true; replicaId: string } | { ok: false; code: string; message: string }>;
  status(): Promise<BrowserMeshStatus>;
  /** This page's stamp clock now. */
  stamp(): number;
  /** Creates `path` (persistent, 100 B) unless it exists; retries while the mesh settles. */
  ensure(path: string, timeoutMs: number): Promise<{ ok: boolean; code?: string }>;
  /** A closed loop: `window` requests in flight until `count` are done or `durationMs` passed. */
  closedLoop(spec: LoopSpec): Promise<LoopResult>;
  /** Requests finished so far by the running closed loop or stream (for progress lines). */
  progress(): { done: number; errors: number };
  /**
   * Leaves a one-shot exists-watch on `path`; its firing is stamped (see watchFired). With
   * `untilExists`, first waits (up to that many ms) until this tab's replica has the node.
   */
  armWatch(path: string, untilExists?: number): Promise<{ ok: boolean; exists: boolean; code?: string }>;
  /** Resolves with the stamp at which the armed watch fired, or null after timeoutMs. */
  watchFired(timeoutMs: number): Promise<{ stamp: number; type: string } | null>;
  /** setData of 100 B on `path`; resolves with the stamp taken just before the call. */
  stampedSet(path: string): Promise<{ ok: boolean; stamp: number; code?: string }>;
  /** Creates an ephemeral node owned by this tab's session. */
  createEphemeral(path: string): Promise<{ ok: boolean; code?: string }>;
  /** Starts a steady stream of setData (one in flight, no pause) on `path`. */
  startStream(path: string): void;
  /** The end stamp of the stream's first successful request that started at or after `stamp`. */
  firstOkAfter(stamp: number): number | null;
  /** Stops the stream; resolves with every request's start and end stamps and outcome. */
  stopStream(): Promise<StreamLog>;
}

export interface BenchConnectOptions {
  readonly room: string;
  readonly signaling: string;
  readonly secret: string;
  readonly pbkdf2Iterations: number;
  readonly sessionTimeoutMs: number;
  /** When IndexedDB writes count as durable ('strict': flushed to disk). */
  readonly durability: 'strict' | 'relaxed' | 'default';
}

export type LoopOp = 'setData' | 'getData' | 'create';

export interface LoopSpec {
  readonly op: LoopOp;
  /** setData/getData: the node; create: the parent of the nodes created (`<path>/n<i>`). */
  readonly path: string;
  readonly window: number;
  readonly dataBytes: number;
  /** Stop after this many requests (whichever comes first with durationMs). */
  readonly count?: number;
  readonly durationMs?: number;
  /** Requests done before the clock starts (not timed). */
  readonly warmup?: number;
}

export interface LoopResult {
  readonly ok: number;
  readonly errors: number;
  readonly errorCodes: Readonly<Record<string, number>>;
  readonly elapsedMs: number;
  /** Latencies (ms) of the successful requests, sorted ascending, summarised. */
  readonly summary: LatencySummary;
}

export interface LatencySummary {
  readonly n: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
}

export interface StreamLog {
  /** Per request: start stamp, end stamp, and its error code ('' when it succeeded). */
  readonly requests: readonly (readonly [number, number, string])[];
}

declare global {
  interface Window {
    mkBench?: BenchPageApi;
  }
}
