import type { LogDurability } from '../../../src/storage/idb-store.js';

/**
 * The messages between the floor page (floor-page.ts) and its worker (floor-worker.ts): the costs
 * under every meshkeeper write in this browser, each measured alone (see test/bench/browser/floor-bench.ts).
 */
export type FloorRequest =
  /** `writes` writes through meshkeeper's IndexedDbStorage, one at a time, each of `txnsPerWrite` txn-sized entries. */
  | { readonly t: 'storage'; readonly durability: LogDurability; readonly txnsPerWrite: number; readonly writes: number }
  /** Answer pings on the BroadcastChannel `channel` (and on a port given later) until told to stop. */
  | { readonly t: 'echo'; readonly channel: string }
  /** `count` round trips to the echoing worker over the BroadcastChannel `channel`. */
  | { readonly t: 'ping-broadcast'; readonly channel: string; readonly count: number }
  /** `count` round trips to the echoing worker over the port sent before. */
  | { readonly t: 'ping-port'; readonly count: number }
  /** The worker's end of a MessageChannel to the other tab's worker. */
  | { readonly t: 'port'; readonly port: MessagePort }
  /** A round trip from the page: answered at once. */
  | { readonly t: 'echo-page'; readonly seq: number };

/** Every answer carries the request's `t`; measurements are in milliseconds. */
export type FloorReply =
  | { readonly t: 'storage'; readonly ms: readonly number[] }
  | { readonly t: 'ping-broadcast' | 'ping-port'; readonly ms: readonly number[] }
  | { readonly t: 'echo' | 'port'; readonly ready: true }
  | { readonly t: 'echo-page'; readonly seq: number }
  | { readonly t: 'error'; readonly message: string };

/** One txn record's size in the log for a 100-byte setData (header, path, data, version). */
export const TXN_RECORD_BYTES = 150;
