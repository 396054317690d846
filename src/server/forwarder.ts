import type { CoreState } from './core-state.js';
import type { ForwardedRequest } from './peer-message.js';

/**
 * The origin's side of forwarding: the writes (and session ops) of one turn go to the leader in one
 * ForwardMessage — or straight into this replica's own pipeline when it leads. Counts the writes in
 * flight (forwarded, not yet answered) against maxForwardedInFlight.
 */
export class Forwarder {
  private outbox: ForwardedRequest[] = [];
  /** Writes forwarded and not yet answered (applied, refused, or failed). */
  inFlight = 0;

  constructor(
    private readonly state: CoreState,
    /** Hands requests to this replica's own leader pipeline; false when it refuses them. */
    private readonly toOwnPipeline: (requests: readonly ForwardedRequest[]) => boolean,
    /** Whether this replica has a link to `peer` now. */
    private readonly linked: (peer: string) => boolean,
  ) {}

  /** A leader is known, and it is this replica or one it has a link to. */
  leaderReachable(): boolean {
    const leader = this.state.leaderId;
    return leader !== null && (leader === this.state.id || this.linked(leader));
  }

  /** A client write may be forwarded now: the leader is reachable and the in-flight limit allows it. */
  canForward(): boolean {
    return this.leaderReachable() && this.inFlight < this.state.options.maxForwardedInFlight;
  }

  /** Queues a request for the end of the turn (writes, and the connect manager's session ops). */
  forward(request: ForwardedRequest): void {
    this.outbox.push(request);
    this.inFlight++;
  }

  hasOutbox(): boolean {
    return this.outbox.length > 0;
  }

  answered(count = 1): void {
    this.inFlight = Math.max(0, this.inFlight - count);
  }

  /** Sends this turn's requests; returns the ones that could not go (the caller fails them). */
  flush(): ForwardedRequest[] {
    if (this.outbox.length === 0) return [];
    const requests = this.outbox;
    this.outbox = [];
    const leader = this.state.leaderId;
    if (leader === null) return requests;
    if (leader === this.state.id) return this.toOwnPipeline(requests) ? [] : requests;
    this.state.effects.peer(leader, { type: 'forward', requests });
    return [];
  }
}
