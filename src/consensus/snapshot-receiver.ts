import type { ReplicaId, Snapshot, SnapshotMetadata } from './types.js';

export type ChunkOutcome =
  | { readonly kind: 'accepted'; readonly receivedBytes: number }
  | { readonly kind: 'complete'; readonly snapshot: Snapshot }
  | { readonly kind: 'rejected'; readonly receivedBytes: number; readonly reason: string };

/** Who streams a snapshot: one leader in one term. */
export interface SnapshotSource {
  readonly leader: ReplicaId;
  readonly term: number;
}

/**
 * Reassembles one snapshot from MsgSnap chunks on a follower. A transfer belongs to the leader and
 * term that stream it: a chunk from another leader or term (a newer leader: Raft drops older terms
 * before this) discards whatever part is held and starts over, whatever its snapshot's index, since
 * the old leader's transfer will never be finished. From the same leader and term, chunks must arrive
 * in order (offset = bytes held); a newer snapshot (higher index) starts over, an older one is a
 * stale duplicate and is refused. A refused chunk reports how much is held, so the leader resends
 * from there.
 */
export class SnapshotReceiver {
  private source: SnapshotSource | null = null;
  private metadata: SnapshotMetadata | null = null;
  private totalBytes = 0;
  private chunks: Uint8Array[] = [];
  private received = 0;

  constructor(private readonly maxSnapshotBytes: number) {}

  /** The index of the snapshot being received (0 when none). */
  get snapshotIndex(): number {
    return this.metadata?.index ?? 0;
  }

  accept(source: SnapshotSource, metadata: SnapshotMetadata, totalBytes: number, offset: number, chunk: Uint8Array): ChunkOutcome {
    if (this.source !== null && (this.source.leader !== source.leader || this.source.term !== source.term)) this.reset();
    if (!Number.isSafeInteger(totalBytes) || totalBytes < 0 || totalBytes > this.maxSnapshotBytes) {
      return { kind: 'rejected', receivedBytes: 0, reason: `snapshot of ${totalBytes} bytes exceeds the limit ${this.maxSnapshotBytes}` };
    }
    const current = this.metadata;
    const isSame = current !== null && current.index === metadata.index && current.term === metadata.term && this.totalBytes === totalBytes;
    if (!isSame) {
      if (current !== null && metadata.index < current.index) {
        return { kind: 'rejected', receivedBytes: 0, reason: 'an older snapshot than the one this leader is sending' };
      }
      if (offset !== 0) {
        return { kind: 'rejected', receivedBytes: 0, reason: 'a snapshot must start at offset 0' };
      }
      this.source = source;
      this.metadata = metadata;
      this.totalBytes = totalBytes;
      this.chunks = [];
      this.received = 0;
    }
    if (offset !== this.received || offset + chunk.byteLength > totalBytes) {
      return { kind: 'rejected', receivedBytes: this.received, reason: `chunk at ${offset} does not follow the ${this.received} bytes held` };
    }
    // Copied: the chunk may be a view into a transport buffer that is reused.
    if (chunk.byteLength > 0) this.chunks.push(chunk.slice());
    this.received += chunk.byteLength;
    if (this.received < totalBytes) return { kind: 'accepted', receivedBytes: this.received };
    const data = new Uint8Array(totalBytes);
    let at = 0;
    for (const piece of this.chunks) {
      data.set(piece, at);
      at += piece.byteLength;
    }
    const snapshot: Snapshot = { metadata, data };
    this.reset();
    return { kind: 'complete', snapshot };
  }

  reset(): void {
    this.source = null;
    this.metadata = null;
    this.totalBytes = 0;
    this.chunks = [];
    this.received = 0;
  }
}
