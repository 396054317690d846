import type { MeshKeeperClient } from '../client/client.js';
import { isTerminalState } from '../client/client-state.js';
import { KeeperError } from '../errors/keeper-error.js';
import { Lock, LOCK_NODE_NAME } from './lock.js';
import { readParticipants, type Participant } from './participants.js';
import { checkRecipePath } from './paths.js';
import { RecipeEmitter } from './recipe-emitter.js';
import { isSessionEnd } from './retry.js';

/**
 * What a leader does while it leads (Curator's takeLeadership): leadership lasts until it returns (or
 * throws). `signal` aborts when leadership is taken away (connection uncertain, session lost,
 * interruptLeadership(), close()): return promptly then.
 */
export type LeadershipFunction = (signal: AbortSignal) => Promise<void> | void;

/** A LeaderSelector's options. */
export interface LeaderSelectorOptions {
  /** This participant's id, stored as its node's data; '' by default. */
  readonly id?: string;
  /** Queue again each time leadership ends (Curator's autoRequeue); false by default. */
  readonly autoRequeue?: boolean;
  /**
   * When leadership is cancelled: 'uncertain' (as soon as the connection is lost: Curator's
   * LeaderSelectorListenerAdapter, the default) or 'lost' (only once the session is over).
   */
  readonly cancelOn?: 'uncertain' | 'lost';
}

/** The events of a LeaderSelector. */
export type LeaderSelectorEvents = {
  /** Leadership starts (the leadership function is about to run). */
  leader: [];
  /** Leadership ended (the function returned and the node is being given back). */
  notLeader: [];
  /** The leadership function threw, or queueing failed with something other than the session's end. */
  error: [error: unknown];
};

/**
 * Leader election with a callback (Curator's LeaderSelector): participants queue on a fair Lock at
 * `path`; the first runs the leadership function, and leadership passes on when it returns.
 *
 * ```ts
 * const selector = new LeaderSelector(zk, '/app/scheduler', async (signal) => {
 *   while (!signal.aborted) await runOneJob(signal);   // lead until told to stop
 * }, { autoRequeue: true });
 * selector.start();
 * ```
 */
export class LeaderSelector extends RecipeEmitter<LeaderSelectorEvents> {
  readonly path: string;
  readonly id: string;
  private readonly autoRequeue: boolean;
  private readonly cancelOn: 'uncertain' | 'lost';
  private running: Promise<void> | null = null;
  private leadership: AbortController | null = null;
  private closed = false;
  private ended = false;
  private readonly closing = new AbortController();

  constructor(
    readonly client: MeshKeeperClient,
    path: string,
    private readonly leadershipFunction: LeadershipFunction,
    options: LeaderSelectorOptions = {},
  ) {
    super();
    this.path = checkRecipePath(path, 'LeaderSelector');
    if (typeof leadershipFunction !== 'function') throw new KeeperError('BADARGUMENTS', 'LeaderSelector: the leadership function is required');
    this.id = options.id ?? '';
    this.autoRequeue = options.autoRequeue ?? false;
    this.cancelOn = options.cancelOn ?? 'uncertain';
    if (this.cancelOn !== 'uncertain' && this.cancelOn !== 'lost') throw new KeeperError('BADARGUMENTS', "cancelOn must be 'uncertain' or 'lost'");
  }

  /** Joins the queue (once; see requeue). */
  start(): void {
    if (this.closed) throw new KeeperError('APIERROR', 'the selector is closed', this.path);
    this.requeue();
  }

  /** Queues again unless already queued or leading (then false), as Curator's requeue. */
  requeue(): boolean {
    if (this.closed || this.ended || this.running !== null || isTerminalState(this.client.state)) return false;
    this.running = this.runOnce().finally(() => {
      this.running = null;
      if (this.autoRequeue) this.requeue();
    });
    return true;
  }

  /** True while the leadership function runs with leadership not cancelled. */
  hasLeadership(): boolean {
    return this.leadership !== null && !this.leadership.signal.aborted;
  }

  /** Cancels the current leadership: aborts the function's signal. */
  interruptLeadership(): void {
    this.leadership?.abort(new KeeperError('APIERROR', 'leadership interrupted'));
  }

  /** The participants in order, the leader first. */
  participants(): Promise<Participant[]> {
    return readParticipants(this.client, this.path, LOCK_NODE_NAME);
  }

  /** The leading participant, or null. */
  async leader(): Promise<Participant | null> {
    return (await this.participants())[0] ?? null;
  }

  /** Leaves the queue or ends leadership (aborting the signal, waiting for the function to return). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const reason = new KeeperError('APIERROR', 'the selector was closed', this.path);
    this.closing.abort(reason);
    this.leadership?.abort(reason);
    await this.running;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async runOnce(): Promise<void> {
    const lock = new Lock(this.client, this.path, { data: this.id });
    try {
      await lock.acquire({ signal: this.closing.signal });
    } catch (error) {
      if (isSessionEnd(error)) this.ended = true;
      else if (!this.closing.signal.aborted) this.emit('error', error);
      return;
    }
    const controller = new AbortController();
    this.leadership = controller;
    const offLost = lock.on('lost', (reason) => controller.abort(reason));
    const offUncertain = lock.on('uncertain', () => {
      if (this.cancelOn === 'uncertain') controller.abort(new KeeperError('CONNECTIONLOSS', 'the connection was lost: leadership is uncertain', this.path));
    });
    let led = false;
    try {
      if (lock.state === 'uncertain' && this.cancelOn === 'uncertain') return;
      led = true;
      this.emit('leader');
      await this.leadershipFunction(controller.signal);
    } catch (error) {
      if (!controller.signal.aborted) this.emit('error', error);
    } finally {
      offLost();
      offUncertain();
      this.leadership = null;
      await lock.close().catch(() => undefined);
      if (led) this.emit('notLeader');
    }
  }
}
