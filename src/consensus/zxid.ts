import { assert } from '../errors/keeper-error.js';

/**
 * ZooKeeper's transaction id: a 64-bit number, the epoch (meshkeeper: the Raft term of the leader
 * that sequenced the txn) in the high 32 bits and a counter within that epoch in the low 32.
 * Zxids of committed txns strictly increase: a new epoch restarts the counter at 1.
 */
export type Zxid = bigint;

export const MAX_EPOCH = 0xffff_ffff;
export const MAX_COUNTER = 0xffff_ffff;
export const ZERO_ZXID: Zxid = 0n;

export function makeZxid(epoch: number, counter: number): Zxid {
  assert(Number.isInteger(epoch) && epoch >= 0 && epoch <= MAX_EPOCH, `zxid epoch ${epoch} must fit in 32 bits`);
  assert(Number.isInteger(counter) && counter >= 0 && counter <= MAX_COUNTER, `zxid counter ${counter} must fit in 32 bits`);
  return (BigInt(epoch) << 32n) | BigInt(counter);
}

export function zxidEpoch(zxid: Zxid): number {
  return Number((zxid >> 32n) & 0xffff_ffffn);
}

export function zxidCounter(zxid: Zxid): number {
  return Number(zxid & 0xffff_ffffn);
}

export function splitZxid(zxid: Zxid): { readonly epoch: number; readonly counter: number } {
  assert(zxid >= 0n && zxid <= 0xffff_ffff_ffff_ffffn, `zxid ${zxid} must be an unsigned 64-bit value`);
  return { epoch: zxidEpoch(zxid), counter: zxidCounter(zxid) };
}

/**
 * The zxid after `previous` for a txn sequenced in `epoch` (>= previous's epoch): the next counter in
 * the same epoch, or counter 1 of a newer epoch. Strictly greater than `previous`.
 */
export function nextZxid(previous: Zxid, epoch: number): Zxid {
  const last = splitZxid(previous);
  assert(epoch >= last.epoch, `epoch ${epoch} is older than the last zxid's epoch ${last.epoch}`);
  if (epoch > last.epoch) return makeZxid(epoch, 1);
  assert(last.counter < MAX_COUNTER, `zxid counter exhausted in epoch ${epoch}`);
  return makeZxid(epoch, last.counter + 1);
}

/** As ZooKeeper prints a zxid: 0x and lowercase hex, unpadded. */
export function zxidToHex(zxid: Zxid): string {
  return `0x${zxid.toString(16)}`;
}
