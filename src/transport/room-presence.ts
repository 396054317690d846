import * as Y from 'yjs';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness';
import { KeeperError } from '../errors/keeper-error.js';

/**
 * What every replica announces about itself to the room (y-protocols' awareness protocol): enough
 * for the topology (who links to whom), the ensemble policy (who is present, on which device) and
 * the demo's ensemble view. zxids are hex strings: awareness states travel as JSON.
 */
export interface PresenceState {
  readonly replicaId: string;
  readonly deviceId: string;
  readonly role: 'voter' | 'observer' | 'joining';
  readonly term: number;
  readonly appliedZxid: string;
  readonly leaderId: string | null;
}

/** The largest awareness update accepted from a peer. */
export const MAX_PRESENCE_UPDATE_BYTES = 64 * 1024;
/** The most peers one presence table holds. */
export const MAX_PRESENCE_PEERS = 1024;

const ROLES = new Set(['voter', 'observer', 'joining']);

function isPresenceState(value: unknown): value is PresenceState {
  if (typeof value !== 'object' || value === null) return false;
  const state = value as Record<string, unknown>;
  return (
    typeof state['replicaId'] === 'string' &&
    state['replicaId'].length > 0 &&
    state['replicaId'].length <= 256 &&
    typeof state['deviceId'] === 'string' &&
    state['deviceId'].length <= 256 &&
    typeof state['role'] === 'string' &&
    ROLES.has(state['role']) &&
    Number.isSafeInteger(state['term']) &&
    typeof state['appliedZxid'] === 'string' &&
    /^[0-9a-f]{1,16}$/.test(state['appliedZxid']) &&
    (state['leaderId'] === null || (typeof state['leaderId'] === 'string' && state['leaderId'].length <= 256))
  );
}

export type PresenceListener = (peers: ReadonlyMap<string, PresenceState>) => void;

/**
 * This replica's view of who is in the room, kept with y-protocols' Awareness (a Y.Doc supplies the
 * client id). Updates from peers are bounded and validated: a malformed or oversized update is a
 * MARSHALLINGERROR and changes nothing; a state of the wrong shape is dropped. Awareness forgets a
 * peer that has not refreshed its state for 30 s; call `refresh()` every few seconds.
 */
export class RoomPresence {
  private readonly doc = new Y.Doc();
  private readonly awareness: Awareness;
  private readonly listeners = new Set<PresenceListener>();
  private readonly onAwarenessChange = () => this.emit();

  constructor(local: PresenceState) {
    if (!isPresenceState(local)) throw new KeeperError('BADARGUMENTS', 'invalid local presence state');
    this.awareness = new Awareness(this.doc);
    this.awareness.setLocalState({ ...local });
    this.awareness.on('change', this.onAwarenessChange);
  }

  get local(): PresenceState {
    return this.awareness.getLocalState() as PresenceState;
  }

  /** Changes this replica's announced state; returns the update to broadcast. */
  update(changes: Partial<Omit<PresenceState, 'replicaId' | 'deviceId'>>): Uint8Array {
    const next = { ...this.local, ...changes };
    if (!isPresenceState(next)) throw new KeeperError('BADARGUMENTS', 'invalid presence state');
    this.awareness.setLocalState(next);
    return this.encodeLocal();
  }

  /** Re-announces the local state (keeps it from timing out at the peers). */
  refresh(): Uint8Array {
    this.awareness.setLocalState({ ...this.local });
    return this.encodeLocal();
  }

  encodeLocal(): Uint8Array {
    return encodeAwarenessUpdate(this.awareness, [this.awareness.clientID]);
  }

  /** Every state this replica knows: what a newly linked peer should receive. */
  encodeAll(): Uint8Array {
    return encodeAwarenessUpdate(this.awareness, [...this.awareness.getStates().keys()]);
  }

  /** Applies a peer's update; MARSHALLINGERROR when it is oversized or malformed. */
  apply(update: Uint8Array, origin: string): void {
    if (!(update instanceof Uint8Array) || update.length > MAX_PRESENCE_UPDATE_BYTES) {
      throw new KeeperError('MARSHALLINGERROR', `presence update from ${origin} is not bytes or exceeds ${MAX_PRESENCE_UPDATE_BYTES} bytes`);
    }
    try {
      applyAwarenessUpdate(this.awareness, update, origin);
    } catch (error) {
      throw new KeeperError('MARSHALLINGERROR', `malformed presence update from ${origin}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const invalid: number[] = [];
    for (const [clientId, state] of this.awareness.getStates()) {
      if (clientId !== this.awareness.clientID && !isPresenceState(state)) invalid.push(clientId);
    }
    const excess = this.awareness.getStates().size - 1 - MAX_PRESENCE_PEERS;
    if (excess > 0) invalid.push(...[...this.awareness.getStates().keys()].filter((id) => id !== this.awareness.clientID).slice(-excess));
    if (invalid.length > 0) removeAwarenessStates(this.awareness, invalid, 'invalid');
  }

  /** The other replicas present, by replica id (a replica seen under two client ids: the newest). */
  peers(): Map<string, PresenceState> {
    const result = new Map<string, PresenceState>();
    const self = this.awareness.getLocalState() as PresenceState | null;
    for (const [clientId, state] of this.awareness.getStates()) {
      if (clientId === this.awareness.clientID || !isPresenceState(state)) continue;
      if (state.replicaId === self?.replicaId) continue;
      result.set(state.replicaId, state);
    }
    return result;
  }

  onChange(listener: PresenceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The update that tells peers this replica left (send it on pagehide), then stops. */
  leave(): Uint8Array {
    this.awareness.off('change', this.onAwarenessChange);
    this.awareness.setLocalState(null);
    const update = encodeAwarenessUpdate(this.awareness, [this.awareness.clientID]);
    this.destroy();
    return update;
  }

  destroy(): void {
    this.listeners.clear();
    this.awareness.off('change', this.onAwarenessChange);
    this.awareness.destroy();
    this.doc.destroy();
  }

  private emit(): void {
    const peers = this.peers();
    for (const listener of this.listeners) listener(peers);
  }
}
