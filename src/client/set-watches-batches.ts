import type { SetWatchesRequest } from '../wire/client-message.js';
import type { SetWatchesLists } from '../watch/set-watches.js';
import { MAX_LIST_COUNT } from '../wire/limits.js';
import { utf8Length } from '../tree/op-validation.js';

/** ZooKeeper's SET_WATCHES_MAX_LENGTH: the path bytes one setWatches request carries at most. */
export const SET_WATCHES_MAX_BYTES = 128 * 1024;

type ListName = keyof SetWatchesLists;

const LIST_ORDER: readonly ListName[] = [
  'dataWatches',
  'existWatches',
  'childWatches',
  'persistentWatches',
  'persistentRecursiveWatches',
];

function emptyLists(): Record<ListName, string[]> {
  return { dataWatches: [], existWatches: [], childWatches: [], persistentWatches: [], persistentRecursiveWatches: [] };
}

/**
 * Splits the watches to re-register into setWatches requests of at most `maxBytes` path bytes
 * each (as ZooKeeper's primeConnection does), in ZooKeeper's list order, all relative to
 * `relativeZxid`. No watches: no request.
 */
export function setWatchesBatches(
  relativeZxid: bigint,
  lists: SetWatchesLists,
  maxBytes = SET_WATCHES_MAX_BYTES,
): SetWatchesRequest[] {
  const batches: SetWatchesRequest[] = [];
  let current = emptyLists();
  let bytes = 0;
  let count = 0;
  const flush = (): void => {
    if (count === 0) return;
    batches.push({ type: 'setWatches', relativeZxid, ...current });
    current = emptyLists();
    bytes = 0;
    count = 0;
  };
  for (const name of LIST_ORDER) {
    for (const path of lists[name]) {
      const size = utf8Length(path);
      if (count > 0 && (bytes + size > maxBytes || current[name].length >= MAX_LIST_COUNT)) flush();
      current[name].push(path);
      bytes += size;
      count += 1;
    }
  }
  flush();
  return batches;
}
