import type { BrowserMeshStatus } from '../../../src/browser/browser-mesh.js';

/** What the mesh test page (mesh-page.ts) exposes as `window.mkMesh`. Results are plain data. */
export interface MeshPageApi {
  /** Calls connect(); resolves with this tab's replica id, or the KeeperError code it failed with. */
  connect(options: { room: string; signaling: string; secret: string; pbkdf2Iterations?: number }): Promise<{ ok: true; replicaId: string } | { ok: false; code: string; message: string }>;
  /** Runs one client call; failures come back as their KeeperError code. */
  call(op: MeshCall): Promise<MeshCallResult>;
  /**
   * Creates `path` again and again (a pause of `pauseMs` after each failure) until one succeeds;
   * resolves with the page's Date.now() when it did, and the failures' codes.
   */
  createUntilOk(path: string, timeoutMs: number, pauseMs: number): Promise<{ ok: boolean; atMs: number; failures: string[] }>;
  /** Sets an exists-watch on `path`; its events are recorded (see events()). */
  watch(path: string): Promise<MeshCallResult>;
  /** Watch events recorded so far, with the page's Date.now() at delivery. */
  events(): { path: string; type: string; atMs: number }[];
  status(): Promise<BrowserMeshStatus>;
  clientState(): string;
}

export type MeshCall =
  | { readonly op: 'create'; readonly path: string; readonly data: string; readonly ephemeral?: boolean }
  | { readonly op: 'setData'; readonly path: string; readonly data: string }
  | { readonly op: 'getData'; readonly path: string }
  | { readonly op: 'getChildren'; readonly path: string }
  | { readonly op: 'exists'; readonly path: string }
  | { readonly op: 'sync'; readonly path: string };

export type MeshCallResult = { readonly ok: true; readonly value: string | string[] | boolean | null } | { readonly ok: false; readonly code: string };

declare global {
  interface Window {
    mkMesh?: MeshPageApi;
  }
}
