import { DataTree, type ApplyOutcome } from '../../src/tree/data-tree.js';
import { PendingChanges } from '../../src/tree/pending-changes.js';
import { prep, prepCloseSession, prepDeleteContainer } from '../../src/tree/prep.js';
import { ANYONE_ID, OPEN_ACL_UNSAFE, type Acl, type Id } from '../../src/tree/acl.js';
import { CreateMode, type CreateModeFlag } from '../../src/tree/create-mode.js';
import type { CreateOp, WriteOp } from '../../src/tree/op.js';
import type { Txn, TxnHeader } from '../../src/tree/txn.js';
import type { ExpiryOptions } from '../../src/tree/expiry.js';

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

export function createOp(
  path: string,
  opts: { data?: string | Uint8Array; mode?: CreateModeFlag; ttlMs?: number; acl?: readonly Acl[] } = {},
): CreateOp {
  const data = opts.data === undefined ? new Uint8Array(0) : typeof opts.data === 'string' ? utf8(opts.data) : opts.data;
  return { type: 'create', path, data, acl: opts.acl ?? OPEN_ACL_UNSAFE, mode: opts.mode ?? CreateMode.PERSISTENT, ttlMs: opts.ttlMs ?? 0 };
}

export interface Prepped {
  readonly header: TxnHeader;
  readonly txn: Txn;
}

/**
 * A leader in miniature: prep stamps the next zxid and the clock, queues the txn; `commit` applies the
 * queue in order (as the log would) and tells the pending changes what the tree caught up with.
 */
export class Leader {
  readonly tree: DataTree;
  readonly changes: PendingChanges;
  zxid = 0n;
  timeMs = 1_000_000;
  private readonly queue: Prepped[] = [];

  constructor(tree = new DataTree()) {
    this.tree = tree;
    this.zxid = tree.lastZxid;
    this.changes = new PendingChanges(tree);
  }

  private next(sessionId: bigint): TxnHeader {
    this.zxid += 1n;
    this.timeMs += 1;
    return { sessionId, cxid: 0, zxid: this.zxid, timeMs: this.timeMs };
  }

  prep(op: WriteOp, sessionId = 1n, authIds: readonly Id[] = [ANYONE_ID]): Prepped {
    const header = this.next(sessionId);
    const txn = prep(op, { sessionId, authIds, zxid: header.zxid, timeMs: header.timeMs }, this.changes);
    const prepped = { header, txn };
    this.queue.push(prepped);
    return prepped;
  }

  prepClose(sessionId: bigint): Prepped {
    const header = this.next(sessionId);
    const prepped = { header, txn: prepCloseSession(sessionId, header.zxid, this.changes) };
    this.queue.push(prepped);
    return prepped;
  }

  prepDeleteContainer(path: string, options: ExpiryOptions = {}): Prepped {
    const header = this.next(0n);
    const prepped = { header, txn: prepDeleteContainer(path, header, this.changes, options) };
    this.queue.push(prepped);
    return prepped;
  }

  /** Applies every queued txn in order. */
  commit(): ApplyOutcome[] {
    const outcomes: ApplyOutcome[] = [];
    for (const { header, txn } of this.queue.splice(0)) {
      outcomes.push(this.tree.apply(header, txn));
      this.changes.applied(header.zxid);
    }
    return outcomes;
  }

  /** prep + commit of one op (nothing else pending). */
  run(op: WriteOp, sessionId = 1n, authIds: readonly Id[] = [ANYONE_ID]): ApplyOutcome {
    this.prep(op, sessionId, authIds);
    const outcomes = this.commit();
    return outcomes[outcomes.length - 1] as ApplyOutcome;
  }

  /** The error code of running one op, or 0 when it succeeded. */
  code(op: WriteOp, sessionId = 1n, authIds: readonly Id[] = [ANYONE_ID]): number {
    const { result } = this.run(op, sessionId, authIds);
    return result.type === 'error' ? result.code : 0;
  }
}
