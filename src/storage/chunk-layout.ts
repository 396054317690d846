import type { Entry, Snapshot } from '../consensus/types.js';
import { assert } from '../errors/keeper-error.js';
import { copyConfState, copyHardState } from './copy-records.js';
import { packEntries, unpackEntries } from './entry-chunk.js';
import { entryChunkKey, HARD_STATE_KEY, SNAPSHOT_KEY, snapshotPartKey, type SnapshotRecord } from './idb-records.js';
import type { KeyPlan } from './key-plan.js';
import type { WritePlan } from './write-plan.js';

/** How the IndexedDB log cuts entries and snapshots into records. */
export interface ChunkLayoutOptions {
  /** Entries per chunk record (a chunk with fewer is "open" and absorbs later appends). */
  readonly chunkMaxEntries: number;
  /** Data bytes per chunk record (one larger entry gets a chunk of its own). */
  readonly chunkMaxBytes: number;
  /** Bytes per snapshot part record. */
  readonly snapshotPartBytes: number;
}

export const DEFAULT_CHUNK_LAYOUT: ChunkLayoutOptions = {
  chunkMaxEntries: 64,
  chunkMaxBytes: 64 * 1024,
  snapshotPartBytes: 1024 * 1024,
};

/**
 * One chunk record: stored under ["entries", key] with entries from `key`; the entries it still
 * stands for end at `last`. A chunk cut short by a truncation is not rewritten: the chunk written
 * after it (whose key is higher) supersedes its stale end, and recovery replays chunks in key order.
 */
export interface ChunkSpan {
  key: number;
  last: number;
}

interface OpenTail {
  /** The tail chunk's entries from its key (views into the buffers of its last packed record). */
  entries: Entry[];
  bytes: number;
  dirty: boolean;
}

const dataBytes = (entries: readonly Entry[]) => entries.reduce((sum, entry) => sum + entry.data.byteLength, 0);

/**
 * Where each entry of the log lives in IndexedDB, kept in memory next to the LogShape, and the
 * translator from checked write plans to key writes. The last chunk, while it has room, is "open":
 * its entries are held here so appends can be merged into it (rewriting at most one chunk's bytes
 * per transaction) instead of each append making a record of its own.
 */
export class ChunkLayout {
  private readonly spans: ChunkSpan[];
  private tail: OpenTail | null = null;
  private partCount: number;
  /** The log's first index (snapshot index + 1); entries below it may linger in the first chunk. */
  private firstIndex: number;

  constructor(
    private readonly options: ChunkLayoutOptions,
    firstIndex: number,
    spans: readonly ChunkSpan[],
    lastChunkEntries: readonly Entry[],
    snapshotPartCount: number,
  ) {
    this.firstIndex = firstIndex;
    this.spans = spans.map((span) => ({ ...span }));
    this.partCount = snapshotPartCount;
    const lastSpan = this.spans[this.spans.length - 1];
    if (lastSpan !== undefined) {
      assert(lastChunkEntries[0]?.index === lastSpan.key, 'the last chunk entries start at its key');
      // A copy: the recovered entries go to the replica, which must not be able to change what is rewritten here.
      this.openTailIfRoom(unpackEntries(packEntries(lastChunkEntries)));
    }
  }

  get chunkCount(): number {
    return this.spans.length;
  }

  get snapshotPartCount(): number {
    return this.partCount;
  }

  /** The chunk records as (key, last) pairs, in key order (for tests and diagnostics). */
  chunkSpans(): readonly ChunkSpan[] {
    return this.spans.map((span) => ({ ...span }));
  }

  /** Records into `keys` the writes that make the stored log reflect `plan`. */
  apply(plan: WritePlan, keys: KeyPlan): void {
    if (plan.snapshot !== null) {
      const index = plan.snapshot.snapshot.metadata.index;
      if (plan.snapshot.keepsLaterEntries) this.dropThrough(index, keys);
      else this.dropThrough(Infinity, keys);
      this.firstIndex = index + 1;
      this.writeSnapshot(plan.snapshot.snapshot, keys);
    }
    if (plan.truncateFrom !== null) this.truncateFrom(plan.truncateFrom, keys);
    if (plan.entries.length > 0) this.append(plan.entries, keys);
    if (plan.hardState !== null) keys.put(HARD_STATE_KEY, copyHardState(plan.hardState));
    this.writeTail(keys);
  }

  /** Deletes every chunk whose entries all lie at or below `index`. */
  private dropThrough(index: number, keys: KeyPlan): void {
    let drop = 0;
    while (drop < this.spans.length && (this.spans[drop]?.last ?? Infinity) <= index) {
      const span = this.spans[drop];
      assert(span !== undefined, 'span in range');
      keys.delete(entryChunkKey(span.key));
      drop++;
    }
    this.spans.splice(0, drop);
    if (this.spans.length === 0) this.tail = null;
  }

  /** Forgets the entries from `index` on: later chunks are deleted, the chunk holding index - 1 ends there. */
  private truncateFrom(index: number, keys: KeyPlan): void {
    for (let last = this.spans[this.spans.length - 1]; last !== undefined && last.key >= index; last = this.spans[this.spans.length - 1]) {
      keys.delete(entryChunkKey(last.key));
      this.spans.pop();
      this.tail = null;
    }
    const holder = this.spans[this.spans.length - 1];
    if (holder === undefined || holder.last < index) return;
    holder.last = index - 1;
    if (holder.last < this.firstIndex) {
      // What is left of it lies under the snapshot.
      keys.delete(entryChunkKey(holder.key));
      this.spans.pop();
      this.tail = null;
      return;
    }
    if (this.tail !== null) {
      this.tail.entries.length = index - holder.key;
      this.tail.bytes = dataBytes(this.tail.entries);
      this.tail.dirty = true;
    }
  }

  private append(entries: readonly Entry[], keys: KeyPlan): void {
    let next = 0;
    const lastSpan = this.spans[this.spans.length - 1];
    if (this.tail !== null && lastSpan !== undefined) {
      assert(entries[0]?.index === lastSpan.last + 1, 'appends follow the open chunk');
      while (next < entries.length && this.fits(this.tail.entries.length, this.tail.bytes, entries[next])) {
        const entry = entries[next++];
        assert(entry !== undefined, 'entry in range');
        this.tail.entries.push(entry);
        this.tail.bytes += entry.data.byteLength;
        this.tail.dirty = true;
      }
      lastSpan.last += next;
      if (next === entries.length) return;
      this.writeTail(keys);
      this.tail = null;
    }
    while (next < entries.length) {
      const chunk: Entry[] = [];
      let bytes = 0;
      while (next < entries.length && this.fits(chunk.length, bytes, entries[next])) {
        const entry = entries[next++];
        assert(entry !== undefined, 'entry in range');
        chunk.push(entry);
        bytes += entry.data.byteLength;
      }
      const first = chunk[0];
      assert(first !== undefined, 'a new chunk takes at least one entry');
      this.spans.push({ key: first.index, last: first.index + chunk.length - 1 });
      if (next === entries.length && this.hasRoom(chunk.length, bytes)) {
        this.tail = { entries: chunk, bytes, dirty: true };
      } else {
        keys.put(entryChunkKey(first.index), packEntries(chunk));
      }
    }
  }

  private fits(count: number, bytes: number, entry: Entry | undefined): boolean {
    if (entry === undefined) return false;
    return count === 0 || (count < this.options.chunkMaxEntries && bytes + entry.data.byteLength <= this.options.chunkMaxBytes);
  }

  private hasRoom(count: number, bytes: number): boolean {
    return count < this.options.chunkMaxEntries && bytes < this.options.chunkMaxBytes;
  }

  private openTailIfRoom(entries: Entry[]): void {
    const bytes = dataBytes(entries);
    this.tail = this.hasRoom(entries.length, bytes) ? { entries, bytes, dirty: false } : null;
  }

  /**
   * Puts the open chunk if it changed, first dropping entries below the first index (left in it by
   * a snapshot: the lazy trim) and moving it to its new key. Closes it once it is full.
   */
  private writeTail(keys: KeyPlan): void {
    const span = this.spans[this.spans.length - 1];
    if (this.tail === null || span === undefined || !this.tail.dirty) return;
    if (span.key < this.firstIndex) {
      keys.delete(entryChunkKey(span.key));
      this.tail.entries = this.tail.entries.slice(this.firstIndex - span.key);
      span.key = this.firstIndex;
    }
    const record = packEntries(this.tail.entries);
    keys.put(entryChunkKey(span.key), record);
    this.openTailIfRoom(unpackEntries(record));
  }

  private writeSnapshot(snapshot: Snapshot, keys: KeyPlan): void {
    const { index, term, confState } = snapshot.metadata;
    const data = snapshot.data;
    const partBytes = this.options.snapshotPartBytes;
    const partCount = Math.ceil(data.byteLength / partBytes);
    const record: SnapshotRecord = { index, term, confState: copyConfState(confState), byteLength: data.byteLength, partCount };
    keys.put(SNAPSHOT_KEY, record);
    for (let part = 0; part < partCount; part++) {
      keys.put(snapshotPartKey(part), data.slice(part * partBytes, (part + 1) * partBytes));
    }
    for (let part = partCount; part < this.partCount; part++) keys.delete(snapshotPartKey(part));
    this.partCount = partCount;
  }
}
