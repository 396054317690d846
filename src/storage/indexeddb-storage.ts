import { promisifyRequest, type UseStore } from 'idb-keyval';
import type { ReplicaId } from '../consensus/types.js';
import { assert, KeeperError } from '../errors/keeper-error.js';
import { ChunkLayout, DEFAULT_CHUNK_LAYOUT, type ChunkLayoutOptions, type ChunkSpan } from './chunk-layout.js';
import type { DurableStorage, RecoveredState, WriteBatch } from './durable-storage.js';
import { FORMAT_VERSION, META_KEY, replicaDatabaseName, type MetaRecord } from './idb-records.js';
import { recoverLog } from './idb-recovery.js';
import { openLogStore, type LogDurability } from './idb-store.js';
import { DELETE, KeyPlan, type KeyWrite } from './key-plan.js';
import { LogShape } from './log-shape.js';
import { StorageListeners } from './storage-listeners.js';
import { checkBatchLimits, resolveStorageLimits, type StorageLimits } from './storage-limits.js';
import { applyPlanToShape, planWrite } from './write-plan.js';

export interface IndexedDbStorageOptions {
  readonly room: string;
  readonly replicaId: ReplicaId;
  readonly limits?: Partial<StorageLimits>;
  readonly layout?: Partial<ChunkLayoutOptions>;
  /** When a write counts as durable (see LogDurability); 'strict' unless told otherwise. */
  readonly durability?: LogDurability;
  /**
   * The object store to use instead of `openLogStore(replicaDatabaseName(room, replicaId),
   * durability)`. Tests wrap it to watch transactions.
   */
  readonly useStore?: UseStore;
}

/**
 * A Raft replica must not acknowledge what an OS crash could take back (a vote, an appended entry),
 * so writes are flushed unless the caller trades that for speed.
 */
export const DEFAULT_LOG_DURABILITY: LogDurability = 'strict';

type Phase = 'new' | 'opening' | 'open' | 'closing' | 'closed';

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * DurableStorage on IndexedDB (through idb-keyval), one database per (room, replica id).
 *
 * Group commit: at most one readwrite transaction is in flight. Batches submitted meanwhile are
 * planned into one KeyPlan (their net puts and deletes) and written by the next transaction, whose
 * commit completes all their tickets in order. Each transaction is atomic, so a crash leaves the
 * log as of some committed transaction: every acknowledged write, maybe some unacknowledged ones.
 */
export class IndexedDbStorage implements DurableStorage {
  readonly databaseName: string;
  private readonly useStore: UseStore;
  private readonly limits: StorageLimits;
  private readonly layoutOptions: ChunkLayoutOptions;
  private readonly listeners = new StorageListeners();
  private phase: Phase = 'new';
  private shape = new LogShape();
  private layout: ChunkLayout | null = null;
  private keys = new KeyPlan();
  /** Tickets whose writes are in `keys`, waiting for the next transaction. */
  private queuedTickets: number[] = [];
  private queuedBytes = 0;
  /** Tickets and bytes of the transaction in flight. */
  private inFlight: { readonly tickets: readonly number[]; readonly bytes: number } | null = null;
  private lastTicket = 0;
  private failure: KeeperError | null = null;
  private database: IDBDatabase | null = null;
  private drainWaiters: Waiter[] = [];
  private transactionsCommitted = 0;

  constructor(options: IndexedDbStorageOptions) {
    this.databaseName = replicaDatabaseName(options.room, options.replicaId);
    this.useStore = options.useStore ?? openLogStore(this.databaseName, options.durability ?? DEFAULT_LOG_DURABILITY);
    this.limits = resolveStorageLimits(options.limits);
    this.layoutOptions = resolveLayout(options.layout);
  }

  /** Readwrite transactions committed so far (group commit makes this far fewer than tickets). */
  get committedTransactions(): number {
    return this.transactionsCommitted;
  }

  /** Where the entry chunks are, as (key, last index) pairs (diagnostics and tests). */
  chunkSpans(): readonly ChunkSpan[] {
    return this.layout?.chunkSpans() ?? [];
  }

  async open(): Promise<RecoveredState> {
    assert(this.phase === 'new', 'an IndexedDbStorage is opened once');
    this.phase = 'opening';
    let recovered;
    try {
      recovered = await recoverLog(this.useStore, this.databaseName);
      this.database = await this.useStore('readonly', (store) => store.transaction.db);
    } catch (error) {
      this.phase = 'closed';
      throw error instanceof KeeperError ? error : ioError(`cannot read ${this.databaseName}`, error);
    }
    const { state } = recovered;
    this.shape = LogShape.of(state.snapshot?.metadata ?? null, state.entries, state.hardState);
    this.layout = new ChunkLayout(
      this.layoutOptions,
      recovered.firstIndex,
      recovered.spans,
      recovered.lastChunkEntries,
      recovered.snapshotPartCount,
    );
    const database = this.database;
    database.onversionchange = () => {
      // Another context deletes or upgrades this database: let it, and stop writing.
      database.close();
      this.failed(new Error('the database was deleted or upgraded by another connection'));
    };
    this.phase = 'open';
    return state;
  }

  submit(batch: WriteBatch): number {
    if (this.failure !== null) throw this.failure;
    assert(this.phase === 'open' && this.layout !== null, `submit on a ${this.phase} IndexedDbStorage`);
    const pendingWrites = this.queuedTickets.length + (this.inFlight?.tickets.length ?? 0);
    const pendingBytes = this.queuedBytes + (this.inFlight?.bytes ?? 0);
    const bytes = checkBatchLimits(batch, this.limits, pendingWrites, pendingBytes);
    const plan = planWrite(this.shape, batch);
    applyPlanToShape(this.shape, plan);
    this.layout.apply(plan, this.keys);
    const ticket = ++this.lastTicket;
    this.queuedTickets.push(ticket);
    this.queuedBytes += bytes;
    this.startTransaction();
    return ticket;
  }

  onDurable(listener: (ticket: number) => void): () => void {
    return this.listeners.addDurable(listener);
  }

  onError(listener: (error: KeeperError) => void): () => void {
    return this.listeners.addError(listener);
  }

  async close(): Promise<void> {
    if (this.phase === 'new' || this.phase === 'closed') {
      this.phase = 'closed';
      return;
    }
    assert(this.phase === 'open', `close of a ${this.phase} IndexedDbStorage`);
    this.phase = 'closing';
    try {
      if (this.failure === null && (this.inFlight !== null || this.queuedTickets.length > 0)) {
        await new Promise<void>((resolve, reject) => this.drainWaiters.push({ resolve, reject }));
      }
    } finally {
      this.phase = 'closed';
      this.database?.close();
      this.database = null;
    }
    if (this.failure !== null) throw this.failure;
  }

  /** Starts a transaction for the queued writes unless one is in flight (it starts the next on commit). */
  private startTransaction(): void {
    if (this.inFlight !== null || this.queuedTickets.length === 0 || this.failure !== null) return;
    this.inFlight = { tickets: [], bytes: 0 };
    let transaction: Promise<readonly number[]>;
    try {
      transaction = this.writeTransaction();
    } catch (error) {
      // An opener that throws instead of rejecting (a SecurityError from indexedDB.open).
      transaction = Promise.reject(error);
    }
    transaction.then(
      (tickets) => this.committed(tickets),
      (error: unknown) => this.failed(error),
    );
  }

  /** One readwrite transaction carrying every write queued until it starts. */
  private writeTransaction(): Promise<readonly number[]> {
    return this.useStore('readwrite', (store) => {
      // Everything submitted until the transaction exists joins it.
      const tickets = this.queuedTickets;
      this.inFlight = { tickets, bytes: this.queuedBytes };
      this.queuedTickets = [];
      this.queuedBytes = 0;
      const writes = this.keys.take();
      writes.push({ key: META_KEY, value: this.metaRecord() });
      issueWrites(store, writes);
      return promisifyRequest(store.transaction).then(() => tickets);
    });
  }

  private committed(tickets: readonly number[]): void {
    this.inFlight = null;
    this.transactionsCommitted++;
    for (const ticket of tickets) {
      try {
        this.listeners.durable(ticket);
      } catch (error) {
        // A listener's bug must not stall the storage; report it where uncaught errors go.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
    if (this.queuedTickets.length > 0) this.startTransaction();
    else this.settleDrainWaiters();
  }

  private failed(error: unknown): void {
    if (this.failure !== null) return;
    this.failure = ioError(`a write to ${this.databaseName} failed; writes from ticket ${this.firstUnfinishedTicket()} on are lost`, error);
    this.inFlight = null;
    try {
      this.listeners.error(this.failure);
    } catch (listenerError) {
      queueMicrotask(() => {
        throw listenerError;
      });
    }
    this.settleDrainWaiters();
  }

  private firstUnfinishedTicket(): number {
    return this.inFlight?.tickets[0] ?? this.queuedTickets[0] ?? this.lastTicket + 1;
  }

  private settleDrainWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const waiter of waiters) {
      if (this.failure === null) waiter.resolve();
      else waiter.reject(this.failure);
    }
  }

  private metaRecord(): MetaRecord {
    const snapshot = this.shape.snapshot;
    assert(this.layout !== null, 'meta is written by an open storage');
    return {
      formatVersion: FORMAT_VERSION,
      firstIndex: this.shape.firstIndex,
      lastIndex: this.shape.lastIndex,
      hasSnapshot: snapshot !== null,
      snapshotIndex: snapshot?.index ?? 0,
      snapshotTerm: snapshot?.term ?? 0,
      snapshotPartCount: this.layout.snapshotPartCount,
      chunkCount: this.layout.chunkCount,
    };
  }
}

/** Issues the puts and deletes; aborts the transaction if one throws, so none of them lands. */
function issueWrites(store: IDBObjectStore, writes: readonly KeyWrite[]): void {
  try {
    for (const { key, value } of writes) {
      if (value === DELETE) store.delete(key);
      else store.put(value, key);
    }
  } catch (error) {
    store.transaction.abort();
    throw error;
  }
}

function ioError(message: string, cause: unknown): KeeperError {
  const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  return new KeeperError('SYSTEMERROR', `${message} (${detail})`);
}

function resolveLayout(overrides: Partial<ChunkLayoutOptions> | undefined): ChunkLayoutOptions {
  const layout: ChunkLayoutOptions = { ...DEFAULT_CHUNK_LAYOUT, ...overrides };
  for (const [name, value] of Object.entries(layout)) {
    if (!(Number.isSafeInteger(value) && value > 0)) {
      throw new KeeperError('BADARGUMENTS', `chunk layout ${name} must be a positive integer, got ${String(value)}`);
    }
  }
  return layout;
}

/**
 * Deletes a replica's database. Close its IndexedDbStorage first: an open connection in this
 * context holds the deletion back until it closes.
 */
export function destroyIndexedDbStorage(room: string, replicaId: ReplicaId): Promise<void> {
  const name = replicaDatabaseName(room, replicaId);
  return promisifyRequest(indexedDB.deleteDatabase(name)).then(
    () => undefined,
    (error: unknown) => {
      throw ioError(`cannot delete ${name}`, error);
    },
  );
}
