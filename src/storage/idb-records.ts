import type { ConfState, HardState, ReplicaId } from '../consensus/types.js';
import { KeeperError } from '../errors/keeper-error.js';

/**
 * The records of a replica's IndexedDB log, one object store ("log") per database, one database per
 * (room, replica id):
 *
 *   "meta"                    MetaRecord: format version, log bounds, snapshot position, record counts
 *   "hardState"               HardState
 *   "snapshot"                SnapshotRecord: metadata, byte length, part count
 *   ["snapshotPart", n]       Uint8Array: bytes [n * partBytes, (n + 1) * partBytes) of the snapshot
 *   ["entries", firstIndex]   EntryChunkRecord: contiguous entries from firstIndex
 *
 * Every write transaction rewrites "meta", so meta always describes the records next to it.
 */
export const FORMAT_VERSION = 1;
export const OBJECT_STORE_NAME = 'log';

export const META_KEY = 'meta';
export const HARD_STATE_KEY = 'hardState';
export const SNAPSHOT_KEY = 'snapshot';
const SNAPSHOT_PART = 'snapshotPart';
const ENTRIES = 'entries';

export const snapshotPartKey = (part: number): IDBValidKey => [SNAPSHOT_PART, part];
export const entryChunkKey = (firstIndex: number): IDBValidKey => [ENTRIES, firstIndex];

export function snapshotPartRange(): IDBKeyRange {
  return IDBKeyRange.bound([SNAPSHOT_PART, -Infinity], [SNAPSHOT_PART, Infinity]);
}

export function entryChunkRange(): IDBKeyRange {
  return IDBKeyRange.bound([ENTRIES, -Infinity], [ENTRIES, Infinity]);
}

/** The first index named by an entry chunk key, or undefined when `key` is not one. */
export function entryChunkKeyIndex(key: IDBValidKey): number | undefined {
  if (!Array.isArray(key) || key.length !== 2 || key[0] !== ENTRIES) return undefined;
  const index: unknown = key[1];
  return typeof index === 'number' && Number.isSafeInteger(index) && index > 0 ? index : undefined;
}

/** A string that names a key, for maps of pending writes. */
export function keyName(key: IDBValidKey): string {
  return Array.isArray(key) ? key.map((part) => String(part)).join('/') : String(key);
}

export interface MetaRecord {
  readonly formatVersion: number;
  /** First entry index held: snapshot index + 1 (1 without a snapshot). */
  readonly firstIndex: number;
  /** Last entry index; firstIndex - 1 when no entry is held. */
  readonly lastIndex: number;
  readonly hasSnapshot: boolean;
  readonly snapshotIndex: number;
  readonly snapshotTerm: number;
  readonly snapshotPartCount: number;
  /** How many ["entries", n] records exist. */
  readonly chunkCount: number;
}

export interface SnapshotRecord {
  readonly index: number;
  readonly term: number;
  readonly confState: ConfState;
  readonly byteLength: number;
  readonly partCount: number;
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const isIdList = (value: unknown): value is ReplicaId[] =>
  Array.isArray(value) && value.every((id) => typeof id === 'string');

export function isMetaRecord(value: unknown): value is MetaRecord {
  return (
    isRecord(value) &&
    isCount(value['formatVersion']) &&
    isCount(value['firstIndex']) &&
    isCount(value['lastIndex']) &&
    typeof value['hasSnapshot'] === 'boolean' &&
    isCount(value['snapshotIndex']) &&
    isCount(value['snapshotTerm']) &&
    isCount(value['snapshotPartCount']) &&
    isCount(value['chunkCount'])
  );
}

export function isHardStateRecord(value: unknown): value is HardState {
  return (
    isRecord(value) &&
    isCount(value['term']) &&
    isCount(value['commit']) &&
    (value['vote'] === null || typeof value['vote'] === 'string')
  );
}

export function isSnapshotRecord(value: unknown): value is SnapshotRecord {
  if (!isRecord(value)) return false;
  const confState = value['confState'];
  return (
    isCount(value['index']) &&
    isCount(value['term']) &&
    isCount(value['byteLength']) &&
    isCount(value['partCount']) &&
    isRecord(confState) &&
    isIdList(confState['voters']) &&
    isIdList(confState['learners'])
  );
}

const MAX_NAME_LENGTH = 256;

function checkNamePart(what: string, value: string): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_NAME_LENGTH) {
    throw new KeeperError('BADARGUMENTS', `${what} must be a string of 1 to ${MAX_NAME_LENGTH} characters`);
  }
}

/** The database holding one replica's log: `meshkeeper/<room>/<replica id>`, each part URI-encoded. */
export function replicaDatabaseName(room: string, replicaId: ReplicaId): string {
  checkNamePart('room', room);
  checkNamePart('replica id', replicaId);
  return `meshkeeper/${encodeURIComponent(room)}/${encodeURIComponent(replicaId)}`;
}
