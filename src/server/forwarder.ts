import type { WriteOp } from '../tree/op.js';
import { MAX_FORWARD_REQUESTS } from '../wire/limits.js';
import type { CoreState } from './core-state.js';
import type { ForwardedRequest, SessionOp } from './peer-message.js';

/** A forward message stays well below a peer frame (MAX_PEER_FRAME_BYTES, 16 MiB). */
const MAX_FORWARD_MESSAGE_BYTES = 4 * 1024 * 1024;

/** An upper bound on the bytes one forwarded request takes on the wire. */
export function estimateRequestBytes(request: ForwardedRequest): number {
  let bytes = 32;
  for (const id of request.authIds) bytes += 8 + (id.scheme.length + id.id.length) * 3;
  return bytes + estimateOpBytes(request.op);
}

function estimateOpBytes(op: WriteOp | SessionOp): number {
  switch (op.type) {
    case 'create':
    case 'setData':
      return 32 + op.path.length * 3 + op.data.length + ('acl' in op ? op.acl.length * 64 : 0);
    case 'setACL':
      return 32 + op.path.length * 3 + op.acl.length * 64;
    case 'multi': {
      let total = 16;
      for (const sub of op.ops) total += estimateOpBytes(sub);
      return total;
    }
    case 'delete':
    case 'check':
      return 32 + op.path.length * 3;
    case 'createSession':
      return 32 + op.passwordDigest.length;
    case 'moveSession':
    case 'closeSession':
      return 16;
  }
}

/** Cuts requests into messages of at most MAX_FORWARD_REQUESTS and about MAX_FORWARD_MESSAGE_BYTES. */
export function chunkRequests<T extends ForwardedRequest>(requests: readonly T[]): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const request of requests) {
    const size = estimateRequestBytes(request);
    if (current.length > 0 && (current.length >= MAX_FORWARD_REQUESTS || bytes + size > MAX_FORWARD_MESSAGE_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(request);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

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

  /** Queues a request that no client waits on (the replica's own closeSession when it leaves). */
  sendUncounted(request: ForwardedRequest): void {
    this.outbox.push(request);
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
    for (const chunk of chunkRequests(requests)) this.state.effects.peer(leader, { type: 'forward', requests: chunk });
    return [];
  }
}
