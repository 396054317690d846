import type { KeeperError } from '../errors/keeper-error.js';
import type { RequestBody, ServerReply } from '../wire/client-message.js';
import type { Clock } from './clock.js';

/** Called synchronously as a request ends, before its promise settles (watch bookkeeping needs this). */
export interface RequestHooks {
  /** The reply arrived (its err may be any code). */
  readonly reply?: (reply: ServerReply) => void;
  /** The request ended without a reply (connection loss, timeout, session end, encoding error). */
  readonly fail?: (error: KeeperError) => void;
}

/** One request from submit to its end. */
export interface PendingRequest {
  readonly body: RequestBody;
  readonly hooks: RequestHooks;
  readonly resolve: (reply: ServerReply) => void;
  readonly reject: (error: KeeperError) => void;
  /** 0 until sent. */
  xid: number;
  /** The request-timeout timer, if any. */
  timer: unknown;
  settled: boolean;
}

/**
 * The requests of one session: those waiting for a connection (`waiting`, in submit order) and those
 * sent and not yet answered (`inFlight`, in xid order: replies must come in this order). Each
 * request settles exactly once, hooks first.
 */
export class PendingRequests {
  private readonly waiting: PendingRequest[] = [];
  private readonly inFlight: PendingRequest[] = [];

  constructor(private readonly clock: Clock) {}

  /** Waiting plus in flight. */
  get size(): number {
    return this.waiting.length + this.inFlight.length;
  }

  /** Queues a request until a connection is ready. */
  wait(request: PendingRequest): void {
    this.waiting.push(request);
  }

  /** The oldest waiting request, taken off the queue. */
  takeWaiting(): PendingRequest | undefined {
    return this.waiting.shift();
  }

  /** Drops a waiting request (it timed out); true when it was waiting. */
  removeWaiting(request: PendingRequest): boolean {
    const index = this.waiting.indexOf(request);
    if (index < 0) return false;
    this.waiting.splice(index, 1);
    return true;
  }

  /** Records a request as sent with `xid`. */
  sent(request: PendingRequest, xid: number): void {
    request.xid = xid;
    this.inFlight.push(request);
  }

  /** The request the next reply must answer. */
  head(): PendingRequest | undefined {
    return this.inFlight[0];
  }

  /** Takes the head off (its reply arrived). */
  shiftHead(): PendingRequest | undefined {
    return this.inFlight.shift();
  }

  /** True while a request is sent and unanswered. */
  isInFlight(request: PendingRequest): boolean {
    return this.inFlight.includes(request);
  }

  /** Fails every request, in flight first (oldest first), then waiting. */
  failAll(error: KeeperError): void {
    const all = [...this.inFlight.splice(0), ...this.waiting.splice(0)];
    for (const request of all) this.fail(request, error);
  }

  /** Ends a request with its reply (hooks.reply, then resolve). */
  answer(request: PendingRequest, reply: ServerReply): void {
    if (request.settled) return;
    request.settled = true;
    this.clearTimer(request);
    try {
      request.hooks.reply?.(reply);
    } finally {
      request.resolve(reply);
    }
  }

  /** Ends a request with an error (hooks.fail, then reject). */
  fail(request: PendingRequest, error: KeeperError): void {
    if (request.settled) return;
    request.settled = true;
    this.clearTimer(request);
    try {
      request.hooks.fail?.(error);
    } finally {
      request.reject(error);
    }
  }

  private clearTimer(request: PendingRequest): void {
    if (request.timer !== undefined) this.clock.clearTimeout(request.timer);
    request.timer = undefined;
  }
}
