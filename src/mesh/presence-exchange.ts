import type { ReplicaId } from '../consensus/types.js';
import { isKeeperError } from '../errors/keeper-error.js';
import type { LinkHub } from '../transport/link-hub.js';
import type { Unsubscribe } from '../transport/link.js';
import { RoomPresence, type PresenceState } from '../transport/room-presence.js';
import { MeshFrameKind, decodeMeshFrame, encodeMeshFrame, isMeshFrame } from './mesh-frames.js';

/** What a replica announces that others act on (roles, leader); applied zxids ride on refreshes. */
export type PresenceChanges = Partial<Omit<PresenceState, 'replicaId' | 'deviceId'>>;

/**
 * RoomPresence over a replica's links: each replica tells the peers it is linked to who it is
 * (device, role, term, leader, applied zxid) — its state when a link comes up, a new state when
 * its role, term or leader changes, and a refresh every few seconds (awareness forgets a state
 * not refreshed for 30 s). States are never relayed: a replica knows its linked peers, and the
 * leader (a voter) is linked to everyone. A peer's malformed presence closes that link.
 */
export class PresenceExchange {
  readonly presence: RoomPresence;
  private readonly unsubscribe: Unsubscribe[];
  private stopped = false;

  constructor(
    private readonly hub: LinkHub,
    local: PresenceState,
  ) {
    this.presence = new RoomPresence(local);
    this.unsubscribe = [
      hub.onLinkUp((link) => this.sendTo(link.peer, this.presence.encodeLocal())),
      hub.onFrame((peer, frame) => {
        if (isMeshFrame(frame)) this.receive(peer, frame);
      }),
    ];
  }

  get local(): PresenceState {
    return this.presence.local;
  }

  /** Linked peers' announced states, by replica id. */
  peers(): Map<ReplicaId, PresenceState> {
    return this.presence.peers();
  }

  /** Announces `changes` to every linked peer when they change something. Returns whether they did. */
  update(changes: PresenceChanges): boolean {
    if (this.stopped) return false;
    const local = this.presence.local;
    const changed = (Object.keys(changes) as (keyof PresenceChanges)[]).some((key) => changes[key] !== undefined && changes[key] !== local[key]);
    if (!changed) return false;
    this.sendAll(this.presence.update(changes));
    return true;
  }

  /** Re-announces the local state (with `changes`) to every linked peer. */
  refresh(changes: PresenceChanges = {}): void {
    if (this.stopped) return;
    this.sendAll(Object.keys(changes).length === 0 ? this.presence.refresh() : this.presence.update(changes));
  }

  /** Tells every linked peer this replica leaves, and stops. */
  leave(): void {
    if (this.stopped) return;
    const update = this.presence.leave();
    this.sendAll(update);
    this.stop();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const off of this.unsubscribe.splice(0)) off();
    this.presence.destroy();
  }

  private receive(peer: ReplicaId, frame: Uint8Array): void {
    if (this.stopped) return;
    try {
      const { kind, body } = decodeMeshFrame(frame);
      if (kind === MeshFrameKind.presence) this.presence.apply(body, peer);
    } catch (error) {
      if (!isKeeperError(error)) throw error;
      this.hub.closeLink(peer, error.message);
    }
  }

  private sendAll(update: Uint8Array): void {
    for (const peer of this.hub.peers()) this.sendTo(peer, update);
  }

  private sendTo(peer: ReplicaId, update: Uint8Array): void {
    // A fresh frame per link: a port link transfers (detaches) the buffer it is given.
    this.hub.send(peer, encodeMeshFrame(MeshFrameKind.presence, update));
  }
}
