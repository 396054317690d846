import { KeeperError } from '../errors/keeper-error.js';

/** The ensemble's bounds on a session timeout (ZooKeeper: 2 to 20 ticks). */
export interface SessionTimeoutBounds {
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
}

export const DEFAULT_SESSION_TIMEOUT_BOUNDS: SessionTimeoutBounds = {
  minSessionTimeoutMs: 400,
  maxSessionTimeoutMs: 40_000,
};

/** ZooKeeper's negotiation: the requested timeout clamped into [min, max]. */
export function negotiateSessionTimeout(requestedMs: number, bounds: SessionTimeoutBounds): number {
  if (!Number.isFinite(requestedMs) || requestedMs <= 0) {
    throw new KeeperError('BADARGUMENTS', `session timeout must be a positive number of ms, got ${requestedMs}`);
  }
  return Math.min(bounds.maxSessionTimeoutMs, Math.max(bounds.minSessionTimeoutMs, Math.round(requestedMs)));
}
