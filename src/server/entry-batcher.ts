import type { Txn } from '../tree/txn.js';
import type { TxnRecord } from '../wire/txn-codec.js';

/** An upper bound on the bytes one txn record takes in a txn batch (header, tag, fields). */
export function estimateTxnBytes(txn: Txn): number {
  const HEADER = 40;
  switch (txn.type) {
    case 'create':
      return HEADER + 32 + txn.path.length * 3 + txn.data.length + aclBytes(txn.acl);
    case 'setData':
      return HEADER + 16 + txn.path.length * 3 + txn.data.length;
    case 'setACL':
      return HEADER + 16 + txn.path.length * 3 + aclBytes(txn.acl);
    case 'delete':
    case 'check':
    case 'deleteContainer':
      return HEADER + 16 + txn.path.length * 3;
    case 'multi': {
      let total = HEADER + 8;
      for (const sub of txn.txns) total += estimateTxnBytes(sub);
      return total;
    }
    case 'createSession':
      return HEADER + 32 + txn.passwordDigest.length + txn.ownerReplica.length * 3;
    case 'moveSession':
      return HEADER + 8 + txn.ownerReplica.length * 3;
    case 'error':
    case 'closeSession':
      return HEADER + 8;
  }
}

function aclBytes(acl: readonly { readonly id: { readonly scheme: string; readonly id: string } }[]): number {
  let total = 4;
  for (const entry of acl) total += 8 + (entry.id.scheme.length + entry.id.id.length) * 3;
  return total;
}

/**
 * Cuts one turn's txns into log entries: at most `maxTxns` txns and about `maxBytes` encoded bytes
 * each (a txn larger than that gets an entry of its own).
 */
export class EntryBatcher {
  private entries: TxnRecord[][] = [];
  private current: TxnRecord[] = [];
  private currentBytes = 0;
  private count = 0;

  constructor(
    private readonly maxTxns: number,
    private readonly maxBytes: number,
  ) {}

  /** Txns added since the last `take`. */
  get size(): number {
    return this.count;
  }

  add(record: TxnRecord): void {
    const bytes = estimateTxnBytes(record.txn);
    if (this.current.length > 0 && (this.current.length >= this.maxTxns || this.currentBytes + bytes > this.maxBytes)) {
      this.entries.push(this.current);
      this.current = [];
      this.currentBytes = 0;
    }
    this.current.push(record);
    this.currentBytes += bytes;
    this.count++;
  }

  take(): TxnRecord[][] {
    if (this.current.length > 0) this.entries.push(this.current);
    const taken = this.entries;
    this.entries = [];
    this.current = [];
    this.currentBytes = 0;
    this.count = 0;
    return taken;
  }
}
