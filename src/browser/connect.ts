import { MeshKeeperClient } from '../client/client.js';
import type { MeshKeeperClientOptions } from '../client/client-options.js';
import { KeeperError } from '../errors/keeper-error.js';
import { BrowserMesh, type MeshOptions } from './browser-mesh.js';

/** `connect`'s options: the mesh's (room, signaling, secret, ...) and the client's. */
export interface ConnectOptions extends MeshOptions {
  /** The session timeout to ask for (default: the client's, 30 s). */
  readonly sessionTimeoutMs?: number;
  /** How long `connect` waits for the session (default 30 s); then it rejects with OPERATIONTIMEOUT. */
  readonly connectTimeoutMs?: number;
  /** The rest of the client's options (watcher, request timeout, ...). */
  readonly client?: Partial<Omit<MeshKeeperClientOptions, 'endpoints' | 'sessionTimeoutMs'>>;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
/**
 * The pause between connection attempts to the tab's replica (the client's default is 1 s; the
 * client waits between half of it and all of it). The endpoint is a worker of this tab, so an
 * attempt costs two messages: after a leader change closes the connection (CONNECTIONLOSS for the
 * writes in flight), the client is back as soon as the replica takes it.
 */
export const DEFAULT_RECONNECT_DELAY_MS = 20;

interface Registered {
  readonly signaling: string;
  readonly secret: string;
  readonly mesh: Promise<BrowserMesh>;
}

/** This page's meshes, by room: one replica (one worker) per room per page. */
const meshes = new Map<string, Registered>();

/**
 * This page's mesh of `options.room`: started on first use (identity, worker, signaling), the same
 * one afterwards. BADARGUMENTS when the page already joined the room with another server or secret.
 */
export function joinMesh(options: MeshOptions): Promise<BrowserMesh> {
  const known = meshes.get(options.room);
  if (known !== undefined) {
    if (known.signaling !== options.signaling || known.secret !== options.secret) {
      return Promise.reject(new KeeperError('BADARGUMENTS', `this page already joined room "${options.room}" with another signaling server or secret`));
    }
    return known.mesh;
  }
  const mesh = BrowserMesh.start(options);
  const registered: Registered = { signaling: options.signaling, secret: options.secret, mesh };
  meshes.set(options.room, registered);
  const forget = () => {
    if (meshes.get(options.room) === registered) meshes.delete(options.room);
  };
  mesh.then((started) => started.onFailure(forget), forget);
  return mesh;
}

/** This page's mesh of `room`, if it joined it. */
export function meshOf(room: string): Promise<BrowserMesh> | undefined {
  return meshes.get(room)?.mesh;
}

/**
 * Joins the room's mesh from this page and returns a connected client. The client's endpoint is
 * this tab's own replica (in its worker), and its session is fate-shared with the tab: it ends as
 * soon as the tab closes, so its ephemeral nodes go with it. Rejects with AUTHFAILED when the
 * signaling server refuses the secret, OPERATIONTIMEOUT when no session came within
 * `connectTimeoutMs`, SYSTEMERROR when the replica cannot start.
 */
export async function connect(options: ConnectOptions): Promise<MeshKeeperClient> {
  const mesh = await joinMesh(options);
  const client = new MeshKeeperClient({
    // The endpoint is this tab's own worker: trying it again soon costs nothing.
    reconnectDelayMs: DEFAULT_RECONNECT_DELAY_MS,
    ...options.client,
    endpoints: [mesh.endpoint],
    ...(options.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: options.sessionTimeoutMs }),
  });
  const stopOnFailure = mesh.onFailure(() => void client.close().catch(() => undefined));
  try {
    await Promise.race([client.waitForState('CONNECTED', { timeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS }), mesh.failed]);
    return client;
  } catch (error) {
    stopOnFailure();
    await client.close().catch(() => undefined);
    throw error;
  }
}
