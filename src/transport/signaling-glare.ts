/**
 * Glare: both peers of a pair send an offer at once. The rule is deterministic, the same on both sides:
 * the peer with the lower id (UTF-16 code unit order) initiates and wins. When offers cross,
 *   - the lower id ignores the higher id's offer, and the candidates that follow it until the higher id
 *     answers the lower id's offer;
 *   - the higher id rolls its own offer back and accepts the lower id's.
 * Exactly one offer survives, the lower id's, and the connection is negotiated once.
 */

/** What the receiver of a signal does with it. */
export type GlareAction =
  /** Feed it to the peer connection. */
  | 'accept'
  /** Drop it: it belongs to the losing side of a glare. */
  | 'ignore'
  /** Discard the local offer (destroy the initiating peer connection), then accept this offer. */
  | 'rollback';

export type SignalKind = 'offer' | 'answer' | 'candidate' | 'other';

/** The kind of a simple-peer / RTCSessionDescription-like signal object, by its `type` field. */
export function signalKind(data: unknown): SignalKind {
  if (typeof data !== 'object' || data === null) return 'other';
  const type = (data as { readonly type?: unknown }).type;
  if (type === 'offer' || type === 'answer' || type === 'candidate') return type;
  if ((data as { readonly candidate?: unknown }).candidate !== undefined) return 'candidate';
  return 'other';
}

/** Whether `localPeerId` initiates (and wins glare) against `remotePeerId`. */
export function isInitiator(localPeerId: string, remotePeerId: string): boolean {
  return localPeerId < remotePeerId;
}

export class GlareResolver {
  /** Remote peers we sent an offer to and have no answer from yet. */
  private readonly localOfferPending = new Set<string>();
  /** Remote peers whose offer we ignored: their candidates are dropped until they answer ours. */
  private readonly ignoringRemote = new Set<string>();

  constructor(readonly localPeerId: string) {}

  isInitiator(remotePeerId: string): boolean {
    return isInitiator(this.localPeerId, remotePeerId);
  }

  /** Records a signal this peer is about to send to `remotePeerId`. */
  noteLocalSignal(remotePeerId: string, data: unknown): void {
    const kind = signalKind(data);
    if (kind === 'offer') this.localOfferPending.add(remotePeerId);
    if (kind === 'answer') this.localOfferPending.delete(remotePeerId);
  }

  /** Decides what to do with a signal received from `remotePeerId`. */
  onRemoteSignal(remotePeerId: string, data: unknown): GlareAction {
    const kind = signalKind(data);
    if (kind === 'offer') {
      if (!this.localOfferPending.has(remotePeerId)) {
        this.ignoringRemote.delete(remotePeerId);
        return 'accept';
      }
      if (this.isInitiator(remotePeerId)) {
        this.ignoringRemote.add(remotePeerId);
        return 'ignore';
      }
      this.localOfferPending.delete(remotePeerId);
      return 'rollback';
    }
    if (kind === 'answer') {
      this.localOfferPending.delete(remotePeerId);
      this.ignoringRemote.delete(remotePeerId);
      return 'accept';
    }
    return this.ignoringRemote.has(remotePeerId) ? 'ignore' : 'accept';
  }

  /** Forgets a remote peer's negotiation (it left, restarted, or its connection was torn down). */
  reset(remotePeerId: string): void {
    this.localOfferPending.delete(remotePeerId);
    this.ignoringRemote.delete(remotePeerId);
  }

  resetAll(): void {
    this.localOfferPending.clear();
    this.ignoringRemote.clear();
  }
}
