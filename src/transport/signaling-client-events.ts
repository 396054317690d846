/** The events a SignalingClient emits, and the small typed listener table behind them. */
import type { GlareAction } from './signaling-glare.js';
import type { SignalingErrorCode } from './signaling-protocol.js';

export type SignalingClientState =
  /** Created, not started. */
  | 'idle'
  /** Deriving keys or opening the socket. */
  | 'connecting'
  /** Socket open, answering the room's challenge. */
  | 'authenticating'
  /** In the room: roster known, signals flow. */
  | 'joined'
  /** Socket lost or join refused for now: waiting out the backoff before reconnecting. */
  | 'waiting'
  /** Stopped for good: wrong secret, or another client took this peer id. */
  | 'failed'
  /** Closed by the application. */
  | 'closed';

export interface JoinedEvent {
  /** True when this join wrote the room's founding record (on a rejoin: re-wrote a lost one). */
  readonly founder: boolean;
  /** The ensemble the room belongs to: the founder's choice. */
  readonly ensembleId: string;
  /** The other peers in the room, sorted. */
  readonly peers: readonly string[];
  /** False for the first join of this client, true after a reconnect. */
  readonly rejoin: boolean;
  /**
   * The room's ensemble is the one this client proposed. Also true when this client founded the room but
   * lost its socket before the `joined` reply: then `founder` is false and this flag tells it.
   */
  readonly ownProposal: boolean;
  /**
   * On a rejoin, the room now belongs to another ensemble than before: its founding record was lost and
   * someone else founded it again. Do not merge the two; see signaling/README.md.
   */
  readonly ensembleChanged: boolean;
}

export interface ReceivedSignal {
  readonly from: string;
  readonly data: unknown;
  /** 'accept': feed it to the peer connection; 'rollback': drop the local offer first (glare, we lost). */
  readonly action: Exclude<GlareAction, 'ignore'>;
  /** The sender's session (random per client instance). */
  readonly session: string;
  /** True when this sender's session differs from its previous signal's: it restarted. */
  readonly sessionChanged: boolean;
}

export type SignalRejectReason = 'tampered' | 'malformed' | 'replayed' | 'overload';

export interface SignalingClientEvents {
  state: SignalingClientState;
  joined: JoinedEvent;
  'peer-joined': { readonly peerId: string };
  'peer-left': { readonly peerId: string };
  signal: ReceivedSignal;
  /** A signal dropped by the glare rule: our own offer to that peer wins. */
  'signal-ignored': { readonly from: string; readonly data: unknown };
  /** A signal that failed to open or was replayed: never passed on. */
  'signal-rejected': { readonly from: string; readonly reason: SignalRejectReason };
  error: { readonly code: SignalingErrorCode | 'protocol' | 'crypto'; readonly message: string; readonly fatal: boolean };
}

export type SignalingClientListener<K extends keyof SignalingClientEvents> = (event: SignalingClientEvents[K]) => void;

type ListenerTable = { [K in keyof SignalingClientEvents]: Set<SignalingClientListener<K>> };

export class SignalingClientEmitter {
  private readonly listeners: ListenerTable = {
    state: new Set(),
    joined: new Set(),
    'peer-joined': new Set(),
    'peer-left': new Set(),
    signal: new Set(),
    'signal-ignored': new Set(),
    'signal-rejected': new Set(),
    error: new Set(),
  };

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof SignalingClientEvents>(name: K, listener: SignalingClientListener<K>): () => void {
    const set: Set<SignalingClientListener<K>> = this.listeners[name];
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  /** Resolves with the next event of that name. */
  next<K extends keyof SignalingClientEvents>(name: K): Promise<SignalingClientEvents[K]> {
    return new Promise((resolve) => {
      const off = this.on(name, (event) => {
        off();
        resolve(event);
      });
    });
  }

  protected emit<K extends keyof SignalingClientEvents>(name: K, event: SignalingClientEvents[K]): void {
    const set: Set<SignalingClientListener<K>> = this.listeners[name];
    for (const listener of [...set]) {
      try {
        listener(event);
      } catch (error) {
        // A listener's bug must not stop the client's own bookkeeping: report it out of band.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
