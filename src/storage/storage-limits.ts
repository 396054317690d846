import { KeeperError } from '../errors/keeper-error.js';
import type { WriteBatch } from './durable-storage.js';

/** Bounds every storage implementation enforces at `submit`, before anything is queued. */
export interface StorageLimits {
  /** Entries in one WriteBatch. */
  readonly maxEntriesPerBatch: number;
  /** Bytes of one entry's data. */
  readonly maxEntryBytes: number;
  /** Bytes of a snapshot's data. */
  readonly maxSnapshotBytes: number;
  /** Entry data plus snapshot data of one WriteBatch. */
  readonly maxBatchBytes: number;
  /** Writes submitted and not yet durable. */
  readonly maxPendingWrites: number;
  /** Bytes (entry and snapshot data) submitted and not yet durable. */
  readonly maxPendingBytes: number;
}

export const DEFAULT_STORAGE_LIMITS: StorageLimits = {
  maxEntriesPerBatch: 4096,
  maxEntryBytes: 16 * 1024 * 1024,
  maxSnapshotBytes: 512 * 1024 * 1024,
  maxBatchBytes: 768 * 1024 * 1024,
  maxPendingWrites: 1024,
  maxPendingBytes: 1024 * 1024 * 1024,
};

export function resolveStorageLimits(overrides: Partial<StorageLimits> | undefined): StorageLimits {
  const limits: StorageLimits = { ...DEFAULT_STORAGE_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!(Number.isSafeInteger(value) && value > 0)) {
      throw new KeeperError('BADARGUMENTS', `storage limit ${name} must be a positive integer, got ${String(value)}`);
    }
  }
  return limits;
}

/** The data bytes a batch carries (entries plus snapshot), the measure the byte limits use. */
export function batchDataBytes(batch: WriteBatch): number {
  let bytes = batch.snapshot?.data.byteLength ?? 0;
  for (const entry of batch.entries) bytes += entry.data.byteLength;
  return bytes;
}

/**
 * Throws KeeperError BADARGUMENTS when one batch is too large, THROTTLEDOP when the queue of
 * not-yet-durable writes is full. Returns the batch's data bytes.
 */
export function checkBatchLimits(
  batch: WriteBatch,
  limits: StorageLimits,
  pendingWrites: number,
  pendingBytes: number,
): number {
  if (batch.entries.length > limits.maxEntriesPerBatch) {
    throw new KeeperError(
      'BADARGUMENTS',
      `write batch has ${batch.entries.length} entries; the limit is ${limits.maxEntriesPerBatch}`,
    );
  }
  for (const entry of batch.entries) {
    if (entry.data.byteLength > limits.maxEntryBytes) {
      throw new KeeperError(
        'BADARGUMENTS',
        `entry ${entry.index} has ${entry.data.byteLength} bytes; the limit is ${limits.maxEntryBytes}`,
      );
    }
  }
  const snapshotBytes = batch.snapshot?.data.byteLength ?? 0;
  if (snapshotBytes > limits.maxSnapshotBytes) {
    throw new KeeperError(
      'BADARGUMENTS',
      `snapshot has ${snapshotBytes} bytes; the limit is ${limits.maxSnapshotBytes}`,
    );
  }
  const bytes = batchDataBytes(batch);
  if (bytes > limits.maxBatchBytes) {
    throw new KeeperError('BADARGUMENTS', `write batch has ${bytes} bytes; the limit is ${limits.maxBatchBytes}`);
  }
  if (pendingWrites + 1 > limits.maxPendingWrites) {
    throw new KeeperError(
      'THROTTLEDOP',
      `${pendingWrites} writes are already waiting to become durable; the limit is ${limits.maxPendingWrites}`,
    );
  }
  if (pendingBytes + bytes > limits.maxPendingBytes) {
    throw new KeeperError(
      'THROTTLEDOP',
      `${pendingBytes} bytes are already waiting to become durable; this batch adds ${bytes}; the limit is ${limits.maxPendingBytes}`,
    );
  }
  return bytes;
}
