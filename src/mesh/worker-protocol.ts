import type { EnsemblePolicyOptions } from '../membership/ensemble-policy.js';
import type { ReplicaCoreOptions } from '../server/core-options.js';
import type { LogDurability } from '../storage/idb-store.js';
import { MAX_FREEZE_MS } from './freeze-limit.js';
import type { MeshStatus } from './mesh-node.js';

/**
 * The messages between a page and its replica worker (worker/replica-worker.ts), besides the
 * data-channel handoffs of src/transport/channel-handoff.ts ('meshkeeper:channel' / 'meshkeeper:port').
 *
 * Page -> worker:
 *   mk:init        { room, replicaId, deviceId, options }   first; the worker opens the storage
 *   mk:founding    { founder }                     the signaling verdict (an empty replica waits for it)
 *   mk:roster      { peers }                       the signaling room's other peers
 *   mk:webrtc-connected { id }                    the peer connection of handed-over link `id` is up
 *   mk:client      { port }                        a client connection (MessagePort, transferred)
 *   mk:leave       { timeoutMs }                   the tab goes away (pagehide)
 *   mk:status      { call }                        asks for a MeshStatus
 *   mk:freeze      { durationMs }                  freezes the replica as a frozen tab (MeshNode.freeze)
 * Worker -> page:
 *   mk:started     { empty }                       storage read (empty: waits for mk:founding)
 *   mk:opened      { broadcastInstance }           the replica runs (and its BroadcastChannel transport)
 *   mk:wanted      { webrtc }                      peers on other devices to hold WebRTC links to
 *   mk:link-closed { peer, id, reason }            a handed-over WebRTC link closed
 *   mk:status      { call, status }
 *   mk:left        {}
 *   mk:error       { message, fatal }              fatal: the replica stopped (storage failed, bad init)
 *
 * Client connections carry the client protocol's bytes over their own port (port-client-connection.ts).
 */

/** What the page chooses about the worker's replica. All optional, structured-clone friendly. */
export interface WorkerNodeOptions {
  readonly replica?: Partial<ReplicaCoreOptions>;
  readonly policy?: Partial<EnsemblePolicyOptions>;
  readonly durability?: LogDurability;
  readonly meshTickMs?: number;
  /** How often the replica re-announces its presence (applied zxid) to its links (default 5 s). */
  readonly presenceRefreshMs?: number;
}

export type PageToWorker =
  | { readonly type: 'mk:init'; readonly room: string; readonly replicaId: string; readonly deviceId: string; readonly options: WorkerNodeOptions }
  | { readonly type: 'mk:founding'; readonly founder: boolean }
  | { readonly type: 'mk:roster'; readonly peers: readonly string[] }
  | { readonly type: 'mk:webrtc-connected'; readonly id: string }
  | { readonly type: 'mk:client'; readonly port: MessagePort }
  | { readonly type: 'mk:leave'; readonly timeoutMs: number }
  | { readonly type: 'mk:status'; readonly call: number }
  | { readonly type: 'mk:freeze'; readonly durationMs: number };

export type WorkerToPage =
  | { readonly type: 'mk:started'; readonly empty: boolean }
  | { readonly type: 'mk:opened'; readonly broadcastInstance: string | null }
  | { readonly type: 'mk:wanted'; readonly webrtc: readonly string[] }
  | { readonly type: 'mk:link-closed'; readonly peer: string; readonly id: string; readonly reason: string }
  | { readonly type: 'mk:status'; readonly call: number; readonly status: MeshStatus }
  | { readonly type: 'mk:left' }
  | { readonly type: 'mk:error'; readonly message: string; readonly fatal: boolean };

/** Limits on what a page may send. */
export const WORKER_MESSAGE_LIMITS = { idMaxChars: 256, rosterMaxPeers: 1024, leaveMaxMs: 60_000, freezeMaxMs: MAX_FREEZE_MS } as const;

const isId = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= WORKER_MESSAGE_LIMITS.idMaxChars;
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** The page's message, checked; a string saying what is wrong otherwise. */
export function parsePageMessage(value: unknown): PageToWorker | string {
  if (!isRecord(value)) return 'not an object';
  const type = value['type'];
  switch (type) {
    case 'mk:init': {
      const { room, replicaId, deviceId, options } = value;
      if (!isId(room) || !isId(replicaId) || !isId(deviceId)) return 'mk:init needs room, replicaId and deviceId (1-256 characters)';
      if (options !== undefined && !isRecord(options)) return 'mk:init options must be an object';
      return { type, room, replicaId, deviceId, options: (options ?? {}) as WorkerNodeOptions };
    }
    case 'mk:founding':
      return typeof value['founder'] === 'boolean' ? { type, founder: value['founder'] } : 'mk:founding needs a boolean founder';
    case 'mk:roster': {
      const peers = value['peers'];
      if (!Array.isArray(peers) || peers.length > WORKER_MESSAGE_LIMITS.rosterMaxPeers || !peers.every(isId)) {
        return `mk:roster needs at most ${WORKER_MESSAGE_LIMITS.rosterMaxPeers} peer ids`;
      }
      return { type, peers: peers as string[] };
    }
    case 'mk:webrtc-connected':
      return isId(value['id']) ? { type, id: value['id'] } : 'mk:webrtc-connected needs a link id';
    case 'mk:client': {
      const port = value['port'];
      return isRecord(port) && typeof port['postMessage'] === 'function' && typeof port['start'] === 'function'
        ? { type, port: port as unknown as MessagePort }
        : 'mk:client needs a MessagePort';
    }
    case 'mk:leave': {
      const timeoutMs = value['timeoutMs'];
      return typeof timeoutMs === 'number' && Number.isInteger(timeoutMs) && timeoutMs >= 0 && timeoutMs <= WORKER_MESSAGE_LIMITS.leaveMaxMs
        ? { type, timeoutMs }
        : `mk:leave needs an integer timeoutMs in [0, ${WORKER_MESSAGE_LIMITS.leaveMaxMs}]`;
    }
    case 'mk:status':
      return Number.isSafeInteger(value['call']) ? { type, call: value['call'] as number } : 'mk:status needs an integer call';
    case 'mk:freeze': {
      const durationMs = value['durationMs'];
      return typeof durationMs === 'number' && Number.isInteger(durationMs) && durationMs >= 0 && durationMs <= WORKER_MESSAGE_LIMITS.freezeMaxMs
        ? { type, durationMs }
        : `mk:freeze needs an integer durationMs in [0, ${WORKER_MESSAGE_LIMITS.freezeMaxMs}]`;
    }
    default:
      return `unknown message type ${JSON.stringify(String(type)).slice(0, 60)}`;
  }
}
