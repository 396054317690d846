import { ErrorCode, type ErrorCodeNumber } from '../errors/error-code.js';
import { parentOf } from './path.js';
import type { TreeStore } from './tree-store.js';
import type { MultiTxn } from './txn.js';

/** Where a successful-form multi would break the tree if applied, and why. */
export interface MultiInconsistency {
  readonly index: number;
  readonly code: ErrorCodeNumber;
}

/**
 * Dry-runs the sub-txns of a successful-form multi against the tree plus the effects of the earlier
 * sub-txns (existence and child counts only), so apply can keep a multi all-or-nothing even when the
 * txn does not fit the tree (which prep never produces). Returns the first sub-txn that would fail.
 */
export function findMultiInconsistency(store: TreeStore, txns: MultiTxn['txns']): MultiInconsistency | null {
  const existsOverride = new Map<string, boolean>();
  const childDelta = new Map<string, number>();
  const exists = (path: string): boolean => existsOverride.get(path) ?? store.nodes.has(path);
  const childCount = (path: string): number => (store.nodes.get(path)?.childCount ?? 0) + (childDelta.get(path) ?? 0);
  const adjust = (path: string, delta: number): void => {
    childDelta.set(path, (childDelta.get(path) ?? 0) + delta);
  };

  for (let index = 0; index < txns.length; index++) {
    const txn = txns[index];
    if (txn === undefined) continue;
    switch (txn.type) {
      case 'create': {
        if (txn.path === '/' || exists(txn.path)) return { index, code: ErrorCode.NODEEXISTS };
        const parent = parentOf(txn.path);
        if (!exists(parent)) return { index, code: ErrorCode.NONODE };
        existsOverride.set(txn.path, true);
        adjust(parent, 1);
        break;
      }
      case 'delete': {
        if (!exists(txn.path)) return { index, code: ErrorCode.NONODE };
        if (txn.path === '/' || childCount(txn.path) > 0) return { index, code: ErrorCode.NOTEMPTY };
        existsOverride.set(txn.path, false);
        adjust(parentOf(txn.path), -1);
        break;
      }
      case 'setData':
      case 'check':
        if (!exists(txn.path)) return { index, code: ErrorCode.NONODE };
        break;
      case 'error':
        return { index, code: txn.code };
    }
  }
  return null;
}
