import { promisifyRequest, type UseStore } from 'idb-keyval';
import { EMPTY_HARD_STATE, type Entry, type HardState, type Snapshot } from '../consensus/types.js';
import { KeeperError } from '../errors/keeper-error.js';
import type { ChunkSpan } from './chunk-layout.js';
import { copyConfState, EMPTY_CONF_STATE } from './copy-records.js';
import type { RecoveredState } from './durable-storage.js';
import { entryChunkProblem, unpackEntries, type EntryChunkRecord } from './entry-chunk.js';
import {
  entryChunkKeyIndex,
  entryChunkRange,
  FORMAT_VERSION,
  HARD_STATE_KEY,
  isHardStateRecord,
  isMetaRecord,
  isSnapshotRecord,
  META_KEY,
  SNAPSHOT_KEY,
  snapshotPartRange,
  type MetaRecord,
} from './idb-records.js';

/** What a replica's database holds, checked, plus where its entries live (for the writer). */
export interface RecoveredLog {
  readonly state: RecoveredState;
  readonly firstIndex: number;
  readonly spans: readonly ChunkSpan[];
  /** The last chunk's entries from its key (may start below firstIndex: a lazily trimmed chunk). */
  readonly lastChunkEntries: readonly Entry[];
  readonly snapshotPartCount: number;
}

interface RawRecords {
  readonly meta: unknown;
  readonly hardState: unknown;
  readonly snapshot: unknown;
  readonly snapshotParts: readonly unknown[];
  readonly chunkKeys: readonly IDBValidKey[];
  readonly chunks: readonly unknown[];
  readonly recordCount: number;
}

/** Reads every record of the log in one readonly transaction. */
function readRecords(useStore: UseStore): Promise<RawRecords> {
  return useStore('readonly', async (store) => {
    const [meta, hardState, snapshot, snapshotParts, chunkKeys, chunks, recordCount] = await Promise.all([
      promisifyRequest<unknown>(store.get(META_KEY)),
      promisifyRequest<unknown>(store.get(HARD_STATE_KEY)),
      promisifyRequest<unknown>(store.get(SNAPSHOT_KEY)),
      promisifyRequest<unknown[]>(store.getAll(snapshotPartRange())),
      promisifyRequest<IDBValidKey[]>(store.getAllKeys(entryChunkRange())),
      promisifyRequest<unknown[]>(store.getAll(entryChunkRange())),
      promisifyRequest<number>(store.count()),
    ]);
    return { meta, hardState, snapshot, snapshotParts, chunkKeys, chunks, recordCount };
  });
}

/**
 * Reads and checks a replica's log. Anything that does not add up (a missing or extra record, a
 * gap between chunks, bounds that disagree with meta) rejects with KeeperError DATAINCONSISTENCY:
 * a damaged log is reported, never silently shortened.
 */
export async function recoverLog(useStore: UseStore, databaseName: string): Promise<RecoveredLog> {
  const records = await readRecords(useStore);
  const corrupt = (problem: string) => new KeeperError('DATAINCONSISTENCY', `replica log ${databaseName}: ${problem}`);

  if (records.meta === undefined) {
    if (records.recordCount > 0) throw corrupt(`${records.recordCount} records but no meta record`);
    return {
      state: { hardState: EMPTY_HARD_STATE, confState: copyConfState(EMPTY_CONF_STATE), snapshot: null, entries: [] },
      firstIndex: 1,
      spans: [],
      lastChunkEntries: [],
      snapshotPartCount: 0,
    };
  }
  if (!isMetaRecord(records.meta)) throw corrupt('malformed meta record');
  const meta = records.meta;
  if (meta.formatVersion !== FORMAT_VERSION) {
    throw corrupt(`written in storage format ${meta.formatVersion}; this build reads format ${FORMAT_VERSION}`);
  }

  const hardState = readHardState(records.hardState, corrupt);
  const snapshot = readSnapshot(meta, records, corrupt);
  const expectedFirst = (snapshot?.metadata.index ?? 0) + 1;
  if (meta.firstIndex !== expectedFirst) throw corrupt(`meta first index ${meta.firstIndex}, expected ${expectedFirst}`);
  if (meta.lastIndex < meta.firstIndex - 1) throw corrupt(`meta last index ${meta.lastIndex} is below the first index`);

  const { entries, spans, lastChunkEntries } = replayChunks(meta, records, corrupt);

  let previousTerm = snapshot?.metadata.term ?? 0;
  for (const entry of entries) {
    if (entry.term < previousTerm) throw corrupt(`entry ${entry.index} has term ${entry.term} after term ${previousTerm}`);
    previousTerm = entry.term;
  }
  if (hardState.commit > meta.lastIndex) throw corrupt(`commit ${hardState.commit} is past the last index ${meta.lastIndex}`);

  return {
    state: {
      hardState,
      confState: copyConfState(snapshot?.metadata.confState ?? EMPTY_CONF_STATE),
      snapshot,
      entries,
    },
    firstIndex: meta.firstIndex,
    spans,
    lastChunkEntries,
    snapshotPartCount: meta.snapshotPartCount,
  };
}

type Corrupt = (problem: string) => KeeperError;

function readHardState(value: unknown, corrupt: Corrupt): HardState {
  if (value === undefined) return EMPTY_HARD_STATE;
  if (!isHardStateRecord(value)) throw corrupt('malformed hard state record');
  return { term: value.term, vote: value.vote, commit: value.commit };
}

function readSnapshot(meta: MetaRecord, records: RawRecords, corrupt: Corrupt): Snapshot | null {
  if (!meta.hasSnapshot) {
    if (records.snapshot !== undefined || records.snapshotParts.length > 0) throw corrupt('snapshot records without a snapshot in meta');
    return null;
  }
  const record = records.snapshot;
  if (record === undefined) throw corrupt(`snapshot ${meta.snapshotIndex} is missing`);
  if (!isSnapshotRecord(record)) throw corrupt('malformed snapshot record');
  if (record.index !== meta.snapshotIndex || record.term !== meta.snapshotTerm) {
    throw corrupt(`snapshot record (${record.index}, term ${record.term}) disagrees with meta (${meta.snapshotIndex}, term ${meta.snapshotTerm})`);
  }
  const parts = records.snapshotParts;
  if (parts.length !== record.partCount || record.partCount !== meta.snapshotPartCount) {
    throw corrupt(`snapshot has ${parts.length} parts; its record says ${record.partCount}, meta ${meta.snapshotPartCount}`);
  }
  let byteLength = 0;
  for (const part of parts) {
    if (!(part instanceof Uint8Array)) throw corrupt('malformed snapshot part');
    byteLength += part.byteLength;
  }
  if (byteLength !== record.byteLength) throw corrupt(`snapshot parts hold ${byteLength} bytes, the record says ${record.byteLength}`);
  let data: Uint8Array;
  if (parts.length === 1 && parts[0] instanceof Uint8Array) {
    data = parts[0];
  } else {
    data = new Uint8Array(byteLength);
    let offset = 0;
    for (const part of parts as Uint8Array[]) {
      data.set(part, offset);
      offset += part.byteLength;
    }
  }
  return {
    metadata: { index: record.index, term: record.term, confState: copyConfState(record.confState) },
    data,
  };
}

/**
 * Replays the chunks in key order: a chunk starting inside the entries read so far supersedes
 * them from its first index on (see ChunkSpan). Returns the entries from meta.firstIndex.
 */
function replayChunks(
  meta: MetaRecord,
  records: RawRecords,
  corrupt: Corrupt,
): { entries: Entry[]; spans: ChunkSpan[]; lastChunkEntries: Entry[] } {
  const { chunkKeys, chunks } = records;
  if (chunkKeys.length !== chunks.length) throw corrupt('entry chunk keys and values differ in number');
  if (meta.lastIndex < meta.firstIndex) {
    if (chunks.length > 0) throw corrupt(`${chunks.length} entry chunks in an empty log`);
    return { entries: [], spans: [], lastChunkEntries: [] };
  }
  const log: Entry[] = [];
  let base = 0;
  const spans: ChunkSpan[] = [];
  let lastChunkEntries: Entry[] = [];
  chunks.forEach((value, position) => {
    const key = entryChunkKeyIndex(chunkKeys[position] ?? '');
    const problem = entryChunkProblem(value);
    if (problem !== null || key === undefined) throw corrupt(`malformed entry chunk at position ${position}: ${problem ?? 'bad key'}`);
    const record = value as EntryChunkRecord;
    if (record.firstIndex !== key) throw corrupt(`entry chunk under key ${key} starts at ${record.firstIndex}`);
    if (log.length === 0) {
      if (key > meta.firstIndex) throw corrupt(`entries ${meta.firstIndex}..${key - 1} are missing`);
      base = key;
    } else {
      const next = base + log.length;
      if (key > next) throw corrupt(`entries ${next}..${key - 1} are missing (an entry chunk is lost)`);
      log.length = key - base;
    }
    const previous = spans[spans.length - 1];
    if (previous !== undefined) previous.last = key - 1;
    lastChunkEntries = unpackEntries(record);
    for (const entry of lastChunkEntries) log.push(entry);
    spans.push({ key, last: base + log.length - 1 });
  });
  const last = base + log.length - 1;
  if (last !== meta.lastIndex) throw corrupt(`entry chunks end at ${last}, meta says ${meta.lastIndex}`);
  // A chunk that should have been deleted but lies inside the others' range would pass the
  // checks above and bring back superseded entries: the count catches it.
  if (chunks.length !== meta.chunkCount) throw corrupt(`${chunks.length} entry chunks where meta counts ${meta.chunkCount}`);
  const firstSpan = spans[0];
  if (firstSpan !== undefined && firstSpan.last < meta.firstIndex) {
    throw corrupt(`entry chunk ${firstSpan.key} lies wholly below the first index ${meta.firstIndex}`);
  }
  return { entries: log.slice(meta.firstIndex - base), spans, lastChunkEntries };
}
