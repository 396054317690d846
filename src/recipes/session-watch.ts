import type { MeshKeeperClient } from '../client/client.js';
import { isTerminalState, type ClientStateName } from '../client/client-state.js';
import { KeeperError } from '../errors/keeper-error.js';

/** What a recipe that holds something (a lock, a lease, leadership, membership) hears of its session. */
export interface SessionHandlers {
  /**
   * The connection was lost (client DISCONNECTED, Curator's SUSPENDED): the session may still be
   * alive, or not. Whatever the session guards is uncertain until `reconnected` or `lost`.
   */
  suspended(): void;
  /** Connected again with the same session (Curator's RECONNECTED): its ephemerals are still there. */
  reconnected(): void;
  /**
   * The session is over, or must be presumed over. `final`: the client ended (EXPIRED, CLOSED,
   * AUTH_FAILED) and nothing can be done with it again. Not final: the client has been disconnected
   * for a whole session timeout (Curator 3's simulated LOST); `reconnected` may still follow if the
   * session survived after all.
   */
  lost(reason: KeeperError, final: boolean): void;
}

/**
 * Follows a client's state for a recipe (Curator's ConnectionStateListener, with its LOST injected
 * after a session timeout of SUSPENDED):
 * - DISCONNECTED -> `suspended` (once per outage) and a timer of one session timeout;
 * - CONNECTED again -> a `sync` through the replica, which needs the leader: only when it succeeds is
 *   the session confirmed (`reconnected`, timer cleared). A replica cut off from the leader may take
 *   the connection back without being able to vouch for the session; its word is not enough;
 * - the timer fires before a confirmed reconnect -> `lost` (not final);
 * - EXPIRED, CLOSED, AUTH_FAILED -> `lost` (final).
 * `stop()` unsubscribes and clears the timer.
 */
export class SessionWatch {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private off: (() => void) | undefined;
  private suspendedNow = false;
  private confirmation = 0;

  constructor(
    private readonly client: MeshKeeperClient,
    private readonly handlers: SessionHandlers,
  ) {}

  /** True between a disconnect and the confirmed reconnect. */
  get suspended(): boolean {
    return this.suspendedNow;
  }

  /** Starts following the client (a client already DISCONNECTED counts as suspended now). */
  start(): void {
    if (this.off !== undefined) return;
    this.off = this.client.on('state', (state) => this.onState(state));
    if (this.client.state === 'DISCONNECTED') this.onState('DISCONNECTED');
  }

  stop(): void {
    this.off?.();
    this.off = undefined;
    this.suspendedNow = false;
    this.confirmation++;
    this.clearTimer();
  }

  private onState(state: ClientStateName): void {
    if (state === 'DISCONNECTED') {
      this.confirmation++;
      if (this.suspendedNow) return;
      this.suspendedNow = true;
      const timeoutMs = this.client.sessionTimeoutMs;
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.handlers.lost(new KeeperError('SESSIONEXPIRED', `no confirmed connection for a whole session timeout (${timeoutMs} ms): the session is presumed expired`), false);
      }, timeoutMs);
      this.handlers.suspended();
    } else if (state === 'CONNECTED' && this.suspendedNow) {
      this.confirm();
    } else if (isTerminalState(state)) {
      this.stop();
      this.handlers.lost(new KeeperError('SESSIONEXPIRED', `the client is ${state}`), true);
    }
  }

  /** Confirms the session through the leader (a sync), then reports the reconnect. */
  private confirm(): void {
    const confirmation = ++this.confirmation;
    this.client.sync('/').then(
      () => {
        if (confirmation !== this.confirmation || this.client.state !== 'CONNECTED' || !this.suspendedNow) return;
        this.suspendedNow = false;
        this.clearTimer();
        this.handlers.reconnected();
      },
      () => undefined, // The connection went again: the next CONNECTED tries again.
    );
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
