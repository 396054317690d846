import type { HardState } from '../consensus/types.js';
import type { KeeperError } from '../errors/keeper-error.js';
import type { DurableStorage, RecoveredState, WriteBatch } from '../storage/durable-storage.js';

/** How long a deferred commit index may wait for a write to ride along with. */
export const DEFAULT_COMMIT_FLUSH_MS = 200;

/**
 * A DurableStorage in front of the replica's (IndexedDbStorage in a tab) that keeps its writes off
 * the critical path of replication, in two ways.
 *
 * 1. Every write is handed to the inner storage a little later, after the frames of the same turn
 *    have left: the replica submits a turn's writes before it sends the turn's messages, and
 *    starting an IndexedDB transaction (planning it, cloning the values) costs a leader up to a
 *    millisecond that its appends would otherwise wait for. The links send on a microtask queued
 *    during the turn; the writes go on a microtask queued after that one. Raft allows it: a leader
 *    may send entries before they are durable at its end, and a follower acknowledges only once
 *    they are durable at its end, which this does not change.
 *
 * 2. A write that only moves the commit index: no entries, no snapshot, no compaction, and a hard
 * state whose term and vote are the ones already written. Such a write is reported durable as soon
 * as every earlier write is (on the next microtask when they all are already), and its hard state
 * is written with the next write (or on its own after `commitFlushMs`, or at close). Without this, each commit costs a follower and the leader one
 * more IndexedDB transaction, and since the storage runs one transaction at a time, the next
 * append waits behind it.
 *
 * Why (2) is safe: Raft's durable state is the term, the vote and the log (the paper's
 * "persistent state on all servers"); the commit index is volatile state that a restarted replica
 * learns again from the leader, and storage recovery already accepts a durable commit lower than
 * what was applied before a crash (a torn write only lowers it). Committed entries are never
 * truncated, so a deferred commit never passes the last index of the write it rides with.
 * etcd-raft's MustSync makes the same call (no sync for a commit-only HardState).
 */
export class EagerCommitStorage implements DurableStorage {
  private readonly listeners = new Set<(ticket: number) => void>();
  private readonly commitFlushMs: number;
  /** The hard state of the last write handed on or deferred (for telling commit-only writes). */
  private written: HardState | null = null;
  /** A commit-only hard state not handed to the inner storage yet, and its ticket. */
  private deferred: HardState | null = null;
  private deferredTicket = 0;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private lastTicket = 0;
  /** The highest ticket reported to the listeners. */
  private reported = 0;
  /** Tickets handed on, oldest first, with the inner storage's ticket for each. */
  private readonly handedOn: { readonly ticket: number; readonly inner: number }[] = [];
  /** Deferred tickets waiting for the microtask that reports them. */
  private early: number | null = null;
  /** Commit-only tickets waiting for the write before them (`after`) to be durable, in order. */
  private readonly riders: { readonly ticket: number; readonly after: number }[] = [];
  /** Writes accepted and not handed to the inner storage yet, in order. */
  private queued: { readonly ticket: number; readonly batch: WriteBatch }[] = [];
  private handOnQueued = false;
  private failure: KeeperError | null = null;
  private readonly errorListeners = new Set<(error: KeeperError) => void>();
  private readonly offInner: () => void;

  constructor(
    private readonly inner: DurableStorage,
    options: { readonly commitFlushMs?: number } = {},
  ) {
    this.commitFlushMs = options.commitFlushMs ?? DEFAULT_COMMIT_FLUSH_MS;
    const offDurable = inner.onDurable((innerTicket) => this.innerDurable(innerTicket));
    const offError = inner.onError((error) => this.fail(error));
    this.offInner = () => {
      offDurable();
      offError();
    };
  }

  async open(): Promise<RecoveredState> {
    const recovered = await this.inner.open();
    this.written = recovered.hardState;
    return recovered;
  }

  submit(batch: WriteBatch): number {
    if (this.failure !== null) throw this.failure;
    if (isCommitOnly(batch, this.written)) {
      const previous = this.lastTicket;
      this.deferred = batch.hardState ?? null;
      this.written = this.deferred;
      const ticket = ++this.lastTicket;
      this.deferredTicket = ticket;
      if (this.reported === previous) this.reportSoon(ticket);
      else this.riders.push({ ticket, after: previous });
      this.flushTimer ??= setTimeout(() => this.flushDeferred(), this.commitFlushMs);
      return ticket;
    }
    if (batch.hardState !== undefined) this.written = batch.hardState;
    const ticket = ++this.lastTicket;
    this.queued.push({ ticket, batch });
    if (!this.handOnQueued) {
      this.handOnQueued = true;
      // Two microtasks: the first runs before the links' flush (queued later in this turn), the second after it.
      queueMicrotask(() => queueMicrotask(() => this.handOn()));
    }
    return ticket;
  }

  onDurable(listener: (ticket: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onError(listener: (error: KeeperError) => void): () => void {
    if (this.failure !== null) listener(this.failure);
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  async close(): Promise<void> {
    try {
      this.handOn();
      this.flushDeferred();
    } catch {
      // The storage failed already; closing reports it.
    }
    try {
      await this.inner.close();
    } finally {
      this.offInner();
    }
  }

  /** A commit index waiting to be written (tests). */
  get deferredHardState(): HardState | null {
    return this.deferred;
  }

  /**
   * Hands the queued writes to the inner storage, in order; the deferred commit index rides with
   * the first submitted after it (one submitted before it carries an older hard state of its own).
   */
  private handOn(): void {
    this.handOnQueued = false;
    const queued = this.queued;
    this.queued = [];
    for (const { ticket, batch } of queued) {
      if (this.failure !== null) return;
      const rides = this.deferred !== null && this.deferredTicket < ticket;
      const carried = rides && batch.hardState === undefined ? { ...batch, hardState: this.deferred as HardState } : batch;
      try {
        this.handedOn.push({ ticket, inner: this.inner.submit(carried) });
      } catch (error) {
        this.fail(error as KeeperError);
        return;
      }
      if (rides) this.clearDeferred();
    }
  }

  private fail(error: KeeperError): void {
    if (this.failure !== null) return;
    this.failure = error;
    this.clearDeferred();
    for (const listener of [...this.errorListeners]) listener(error);
  }

  private flushDeferred(): void {
    this.flushTimer = null;
    if (this.deferred === null || this.failure !== null) return;
    const hardState = this.deferred;
    this.deferred = null;
    try {
      this.inner.submit({ entries: [], hardState });
    } catch (error) {
      this.fail(error as KeeperError);
    }
  }

  private clearDeferred(): void {
    this.deferred = null;
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
  }

  private reportSoon(ticket: number): void {
    const queued = this.early !== null;
    this.early = ticket;
    if (queued) return;
    queueMicrotask(() => {
      const early = this.early;
      this.early = null;
      if (early !== null) this.report(early);
    });
  }

  private innerDurable(innerTicket: number): void {
    let latest = 0;
    while (this.handedOn.length > 0 && (this.handedOn[0] as { inner: number }).inner <= innerTicket) latest = (this.handedOn.shift() as { ticket: number }).ticket;
    if (latest > 0) this.report(latest);
  }

  private report(durable: number): void {
    let ticket = durable;
    // Commit-only writes behind the ones now durable are durable with them.
    while (this.riders.length > 0 && (this.riders[0] as { after: number }).after <= ticket) ticket = Math.max(ticket, (this.riders.shift() as { ticket: number }).ticket);
    if (ticket <= this.reported) return;
    this.reported = ticket;
    for (const listener of [...this.listeners]) listener(ticket);
  }
}

/** Whether `batch` only moves the commit index past what `written` holds. */
export function isCommitOnly(batch: WriteBatch, written: HardState | null): boolean {
  const hardState = batch.hardState;
  return (
    written !== null &&
    hardState !== undefined &&
    batch.entries.length === 0 &&
    batch.snapshot === undefined &&
    batch.compactTo === undefined &&
    hardState.term === written.term &&
    hardState.vote === written.vote
  );
}
