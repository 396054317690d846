import { EntryType, type Entry } from '../../../src/consensus/types.js';
import { assert } from '../../../src/errors/keeper-error.js';
import type { ReplicaCore } from '../../../src/server/replica-core.js';
import type { Txn } from '../../../src/tree/txn.js';
import { decodeTxnBatch } from '../../../src/wire/txn-codec.js';
import type { NodeId } from '../network.js';
import type { Violations } from './violations.js';

/** A client request as the log applied it. */
export interface AppliedTxn {
  readonly txn: Txn;
  readonly zxid: bigint;
  /** The tick it was first applied at some replica. */
  readonly appliedAt: number;
}

/** The simulated clients never number a request this high within one session. */
export const MAX_CLIENT_XID = 1 << 20;

const hex = (value: bigint): string => `0x${value.toString(16)}`;

/**
 * Watches what every replica applies (a read-only tap on each core's committed-entry applier, which
 * decodes each entry on its own with the real txn codec). It checks that one index never commits
 * two different entries, and that one client request (session, xid) is applied at most once; and it
 * answers, after the run, how a request whose reply never came was applied — so that an operation
 * whose outcome the client could not know enters the linearizability history with its real
 * outcome, or not at all if it never took effect.
 */
export class CommitTap {
  private readonly termAt = new Map<number, number>();
  private readonly byRequest = new Map<string, AppliedTxn>();
  entries = 0;
  txns = 0;

  constructor(
    private readonly violations: Violations,
    private readonly now: () => number,
  ) {}

  /**
   * Taps the core's applier: every committed entry it applies passes here first. With
   * `skipNthTxnEntry` (a PLANTED BUG) the core never applies its n-th entry holding txns.
   */
  install(replica: NodeId, core: ReplicaCore, skipNthTxnEntry?: number): void {
    const applier = core['applier'];
    assert(applier !== undefined && typeof applier.applyEntry === 'function', 'ReplicaCore no longer applies through `applier.applyEntry`: update the commit tap');
    const apply = applier.applyEntry.bind(applier);
    let txnEntries = 0;
    applier.applyEntry = (entry: Entry): void => {
      this.saw(replica, entry);
      if (entry.type === EntryType.Normal && entry.data.length > 0 && ++txnEntries === skipNthTxnEntry) return;
      apply(entry);
    };
  }

  /** How the request `xid` of `sessionId` was applied, if it was. */
  applied(sessionId: bigint, xid: number): AppliedTxn | undefined {
    return this.byRequest.get(`${sessionId}:${xid}`);
  }

  private saw(replica: NodeId, entry: Entry): void {
    const known = this.termAt.get(entry.index);
    if (known !== undefined) {
      if (known !== entry.term) {
        this.violations.report(`${replica} applied entry ${entry.index} of term ${entry.term}, but another replica applied term ${known} at that index`);
      }
      return;
    }
    this.termAt.set(entry.index, entry.term);
    this.entries += 1;
    if (entry.type !== EntryType.Normal || entry.data.length === 0) return;
    for (const { header, txn } of decodeTxnBatch(entry.data)) {
      this.txns += 1;
      // Client requests only: session txns carry a connect number (large, random) or 0, not an xid.
      if (header.cxid <= 0 || header.cxid >= MAX_CLIENT_XID || txn.type === 'createSession' || txn.type === 'moveSession') continue;
      const key = `${header.sessionId}:${header.cxid}`;
      const earlier = this.byRequest.get(key);
      if (earlier !== undefined) {
        this.violations.report(
          `request xid ${header.cxid} of session ${hex(header.sessionId)} applied twice: as ${earlier.txn.type} at zxid ${hex(earlier.zxid)} and as ${txn.type} at zxid ${hex(header.zxid)} (entry ${entry.index})`,
        );
        continue;
      }
      this.byRequest.set(key, { txn, zxid: header.zxid, appliedAt: this.now() });
    }
  }
}
