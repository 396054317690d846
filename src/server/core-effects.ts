import type { ReplicaId } from '../consensus/types.js';
import type { WriteBatch } from '../storage/durable-storage.js';
import type { ReplicaFrame } from '../wire/client-message.js';
import type { PeerMessage } from './peer-message.js';

/** The glue's handle on one client connection (it assigns them; the core never invents one). */
export type ConnectionId = number;

export interface PeerSend {
  readonly to: ReplicaId;
  readonly message: PeerMessage;
}

export interface ClientSend {
  readonly connectionId: ConnectionId;
  readonly frame: ReplicaFrame;
}

export interface ClientClose {
  readonly connectionId: ConnectionId;
  readonly reason: string;
}

/** A durable write: submit in writeNumber order; call `durable(n)` once n and all before it are durable. */
export interface DurableWrite {
  readonly writeNumber: number;
  readonly batch: WriteBatch;
}

/**
 * What the core asks the glue to do, in order within each list. Client frames of one connection
 * must be sent in list order (watch events before the replies they precede).
 */
export interface CoreEffects {
  readonly peerMessages: PeerSend[];
  readonly clientMessages: ClientSend[];
  readonly clientCloses: ClientClose[];
  readonly writes: DurableWrite[];
}

/** Collects effects between two `takeEffects()` calls. */
export class EffectSink {
  private current: CoreEffects = emptyEffects();

  peer(to: ReplicaId, message: PeerMessage): void {
    this.current.peerMessages.push({ to, message });
  }

  client(connectionId: ConnectionId, frame: ReplicaFrame): void {
    this.current.clientMessages.push({ connectionId, frame });
  }

  close(connectionId: ConnectionId, reason: string): void {
    this.current.clientCloses.push({ connectionId, reason });
  }

  write(writeNumber: number, batch: WriteBatch): void {
    this.current.writes.push({ writeNumber, batch });
  }

  take(): CoreEffects {
    const taken = this.current;
    this.current = emptyEffects();
    return taken;
  }
}

export function emptyEffects(): CoreEffects {
  return { peerMessages: [], clientMessages: [], clientCloses: [], writes: [] };
}
