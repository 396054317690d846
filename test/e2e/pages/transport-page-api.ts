import type { FrameSummary } from './frame-pattern.js';

/** What test/e2e/pages/transport-page.ts exposes to the browser tests on `window`. */
export interface TransportPageApi {
  /** Opens a WebRTC connection and hands its data channel to this tab's worker at once. */
  connect(options: { connection: string; peer: string; initiator: boolean; forceBridge: boolean; maxFrameBytes: number }): 'transferred' | 'bridged';
  /** A signal from the other device, relayed by the test. */
  signal(connection: string, signal: unknown): void;
  /** Resolves once simple-peer reports the connection up, with the connection's max message size. */
  connected(connection: string): Promise<number | undefined>;
  /** Runs a command in this tab's worker (see transport-worker.ts). */
  worker(command: WorkerCommand): Promise<WorkerReply>;
  /** Starts the BroadcastChannel transport in the worker and says bye on pagehide. */
  startBroadcast(room: string, self: string, wanted: string[]): Promise<void>;
}

export type WorkerCommand =
  | { readonly op: 'send'; readonly link: string; readonly frames: readonly (readonly [length: number, seed: number])[] }
  | { readonly op: 'receive'; readonly link: string; readonly count: number }
  | { readonly op: 'close'; readonly link: string; readonly reason: string }
  | { readonly op: 'closed'; readonly link: string }
  | { readonly op: 'kind'; readonly link: string }
  | { readonly op: 'broadcast'; readonly room: string; readonly self: string; readonly wanted: readonly string[] };

export type WorkerReply =
  | { readonly op: 'send'; readonly results: readonly string[] }
  | { readonly op: 'receive'; readonly frames: readonly FrameSummary[] }
  | { readonly op: 'close' }
  | { readonly op: 'closed'; readonly reason: string }
  | { readonly op: 'kind'; readonly kind: string; readonly peer: string }
  | { readonly op: 'broadcast'; readonly instance: string }
  | { readonly op: 'error'; readonly message: string };

declare global {
  interface Window {
    mkTest?: TransportPageApi;
    mkSendSignal?: (connection: string, signal: unknown) => Promise<void>;
  }
}
