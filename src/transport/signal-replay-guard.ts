/**
 * Drops replayed signals. Each sender seals a random session id and a per-session increasing sequence
 * number into every signal; a signal whose sequence number is not above the last one seen from the same
 * sender and session is a replay (a malicious relay re-sending a captured ciphertext).
 */

export type ReplayVerdict =
  /** Next in the sender's current session. */
  | 'fresh'
  /** First signal of a sender, or of a new session of it (it restarted). */
  | 'new-session'
  | 'replayed';

export class SignalReplayGuard {
  private readonly lastSeen = new Map<string, { readonly session: string; readonly seq: number }>();

  /** Judges a signal and, unless it is a replay, records it. */
  admit(from: string, session: string, seq: number): ReplayVerdict {
    const previous = this.lastSeen.get(from);
    if (previous !== undefined && previous.session === session && seq <= previous.seq) return 'replayed';
    this.lastSeen.set(from, { session, seq });
    return previous !== undefined && previous.session === session ? 'fresh' : 'new-session';
  }

  /** Whether `from` has sent before (under any session). */
  knows(from: string): boolean {
    return this.lastSeen.has(from);
  }

  forget(from: string): void {
    this.lastSeen.delete(from);
  }
}
