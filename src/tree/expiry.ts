import { CreateMode, isTtl } from './create-mode.js';
import type { NodeView } from './znode.js';

/** How long a container that never had a child lives (the semantics' 5 minutes). */
export const CONTAINER_GRACE_MS = 300_000;

export interface ExpiryOptions {
  /**
   * How long a never-used container (no child was ever created under it) may stay, by mtime.
   * `Infinity` keeps such containers forever (ZooKeeper's default, maxNeverUsedIntervalMs = 0).
   */
  readonly containerGraceMs?: number;
}

/**
 * ZooKeeper's ContainerManager.getCandidates, for one node at the leader's time `nowMs`:
 * - a CONTAINER with no children that has had a child (its stored create counter is not 0), or that
 *   never had one and was last modified more than `containerGraceMs` ago;
 * - a TTL node with no children last modified more than its TTL ago (strictly more, as ZooKeeper).
 * Everything else is never due.
 */
export function isDueForDeletion(node: NodeView, nowMs: number, containerGraceMs: number): boolean {
  if (node.childCount > 0) return false;
  if (node.mode === CreateMode.CONTAINER) return node.creates !== 0 || nowMs - node.mtime > containerGraceMs;
  if (isTtl(node.mode)) return node.ttlMs > 0 && nowMs - node.mtime > node.ttlMs;
  return false;
}
