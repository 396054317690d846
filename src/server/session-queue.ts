import type { RequestBody } from '../wire/client-message.js';

/**
 * How a request is served: 'write' goes to the leader and the log (forwarded at once, pipelined);
 * 'sync' asks Raft for a read index; 'local' is answered by this replica from its applied state.
 */
export type RequestKind = 'write' | 'sync' | 'local';

export function requestKind(body: RequestBody): RequestKind {
  switch (body.type) {
    case 'create':
    case 'create2':
    case 'delete':
    case 'setData':
    case 'setACL':
    case 'check':
    case 'multi':
    case 'closeSession':
      return 'write';
    case 'sync':
      return 'sync';
    default:
      return 'local';
  }
}

/** One request of a session, from arrival to its reply. */
export interface QueuedRequest {
  readonly xid: number;
  readonly body: RequestBody;
  readonly kind: RequestKind;
  readonly receivedMs: number;
  /** Arrived over the session's queue limit: answered THROTTLEDOP in its turn, never run. */
  readonly throttled: boolean;
  /** Forwarded (a write) or waiting for its read index (a sync). */
  started: boolean;
}

/**
 * One session's requests at its replica, in arrival order (FIFO). The replies leave in this order.
 * Invariant (DESIGN.md, "Queue discipline"): the started requests are a prefix of the queue — some
 * forwarded writes, possibly ended by one sync — so a write's txn, when applied, answers the head.
 */
export class SessionQueue {
  private items: (QueuedRequest | undefined)[] = [];
  private headIndex = 0;
  private startIndex = 0;
  /** A started sync blocks everything behind it until it is answered. */
  syncStarted = false;
  /** Forwarded writes not yet answered. */
  forwarded = 0;

  get length(): number {
    return this.items.length - this.headIndex;
  }

  push(request: QueuedRequest): void {
    this.items.push(request);
  }

  head(): QueuedRequest | undefined {
    return this.items[this.headIndex];
  }

  /** The oldest request not started yet (undefined when every queued request is started). */
  nextToStart(): QueuedRequest | undefined {
    return this.items[this.startIndex];
  }

  /** True when the request `nextToStart()` returns is also the head (nothing before it is pending). */
  nextIsHead(): boolean {
    return this.startIndex === this.headIndex;
  }

  markStarted(): void {
    const request = this.items[this.startIndex];
    if (request === undefined) return;
    request.started = true;
    if (request.kind === 'sync') this.syncStarted = true;
    else this.forwarded++;
    this.startIndex++;
  }

  /** Removes the head (it was answered). */
  shift(): QueuedRequest | undefined {
    const request = this.items[this.headIndex];
    if (request === undefined) return undefined;
    this.items[this.headIndex] = undefined;
    this.headIndex++;
    if (this.startIndex < this.headIndex) this.startIndex = this.headIndex;
    if (request.started) {
      if (request.kind === 'sync') this.syncStarted = false;
      else this.forwarded--;
    }
    if (this.headIndex === this.items.length) {
      this.items = [];
      this.headIndex = 0;
      this.startIndex = 0;
    } else if (this.headIndex >= 1024 && this.headIndex * 2 >= this.items.length) {
      this.items = this.items.slice(this.headIndex);
      this.startIndex -= this.headIndex;
      this.headIndex = 0;
    }
    return request;
  }

  /** Empties the queue, returning what was in it (oldest first). */
  drain(): QueuedRequest[] {
    const rest: QueuedRequest[] = [];
    for (let i = this.headIndex; i < this.items.length; i++) rest.push(this.items[i] as QueuedRequest);
    this.items = [];
    this.headIndex = 0;
    this.startIndex = 0;
    this.syncStarted = false;
    this.forwarded = 0;
    return rest;
  }
}
