import { assert, KeeperError } from '../errors/keeper-error.js';
import type { Prng } from '../util/prng.js';
import { copyEntry, copySnapshot } from './copy-records.js';
import type { DurableStorage, RecoveredState, WriteBatch } from './durable-storage.js';
import { LogShape } from './log-shape.js';
import type { MemoryDisk } from './memory-disk.js';
import { StorageListeners } from './storage-listeners.js';
import { checkBatchLimits, resolveStorageLimits, type StorageLimits } from './storage-limits.js';
import { applyPlanToShape, planWrite, type WritePlan } from './write-plan.js';

export interface MemoryStorageOptions {
  readonly limits?: Partial<StorageLimits>;
}

export interface CrashOptions {
  /** When given, a prefix (chosen by this PRNG) of the first pending write survives: a torn flush. */
  readonly torn?: Prng;
}

interface PendingWrite {
  readonly ticket: number;
  readonly plan: WritePlan;
  readonly bytes: number;
}

type Phase = 'new' | 'open' | 'closing' | 'closed' | 'crashed' | 'failed';

/**
 * DurableStorage for the deterministic simulator. Sans-I/O: `submit` only queues; the simulator
 * decides when writes become durable (`completeNext`, `completeAll`) and when the replica crashes
 * (`crash`), which loses every write not yet completed. A new MemoryStorage over the same
 * MemoryDisk recovers what was durable.
 */
export class MemoryStorage implements DurableStorage {
  private readonly limits: StorageLimits;
  private readonly listeners = new StorageListeners();
  private readonly queue: PendingWrite[] = [];
  private shape = new LogShape();
  private phase: Phase = 'new';
  private lastTicket = 0;
  private pendingBytes = 0;
  private failure: KeeperError | null = null;
  private drained: (() => void) | null = null;

  constructor(
    private readonly disk: MemoryDisk,
    options: MemoryStorageOptions = {},
  ) {
    this.limits = resolveStorageLimits(options.limits);
  }

  /** Writes queued and not yet durable. */
  get pendingCount(): number {
    return this.queue.length;
  }

  /** `open` without a promise, for a simulator that runs without an event loop. */
  openSync(): RecoveredState {
    assert(this.phase === 'new', 'a MemoryStorage is opened once');
    this.disk.attach(this);
    this.phase = 'open';
    const recovered = this.disk.recover();
    this.shape = LogShape.of(recovered.snapshot?.metadata ?? null, recovered.entries, recovered.hardState);
    return recovered;
  }

  open(): Promise<RecoveredState> {
    return Promise.resolve().then(() => this.openSync());
  }

  submit(batch: WriteBatch): number {
    if (this.failure !== null) throw this.failure;
    assert(this.phase === 'open', `submit on a ${this.phase} MemoryStorage`);
    const bytes = checkBatchLimits(batch, this.limits, this.queue.length, this.pendingBytes);
    const plan = planWrite(this.shape, batch);
    applyPlanToShape(this.shape, plan);
    const owned: WritePlan = {
      snapshot:
        plan.snapshot === null
          ? null
          : { snapshot: copySnapshot(plan.snapshot.snapshot), keepsLaterEntries: plan.snapshot.keepsLaterEntries },
      truncateFrom: plan.truncateFrom,
      entries: plan.entries.map(copyEntry),
      hardState: plan.hardState,
    };
    const ticket = ++this.lastTicket;
    this.queue.push({ ticket, plan: owned, bytes });
    this.pendingBytes += bytes;
    return ticket;
  }

  onDurable(listener: (ticket: number) => void): () => void {
    return this.listeners.addDurable(listener);
  }

  onError(listener: (error: KeeperError) => void): () => void {
    return this.listeners.addError(listener);
  }

  /** Makes the oldest queued write durable and reports it; returns its ticket, or null if none. */
  completeNext(): number | null {
    const write = this.queue.shift();
    if (write === undefined) return null;
    this.disk.persist(this, write.plan);
    this.pendingBytes -= write.bytes;
    try {
      this.listeners.durable(write.ticket);
    } finally {
      if (this.queue.length === 0) this.finishClosing();
    }
    return write.ticket;
  }

  /** Makes every queued write durable, in order; returns how many completed. */
  completeAll(): number {
    let count = 0;
    while (this.completeNext() !== null) count++;
    return count;
  }

  /**
   * The replica's process dies: every write not yet durable is lost (but with `torn`, a prefix of
   * the oldest one survives; its hard state never does). This instance is dead afterwards.
   */
  crash(options: CrashOptions = {}): void {
    assert(this.phase === 'open' || this.phase === 'closing' || this.phase === 'failed', `crash of a ${this.phase} MemoryStorage`);
    const first = this.queue[0];
    if (options.torn !== undefined && first !== undefined && this.phase !== 'failed') {
      const steps = (first.plan.snapshot === null ? 0 : 1) + first.plan.entries.length;
      // steps + 1 stands for "the whole write landed, just not its acknowledgement".
      const surviving = options.torn.nextInt(steps + 2);
      if (surviving === steps + 1) this.disk.persist(this, first.plan);
      else this.disk.persistTorn(this, first.plan, surviving);
    }
    this.queue.length = 0;
    this.pendingBytes = 0;
    this.disk.detach(this);
    this.phase = 'crashed';
    this.drained = null;
  }

  /**
   * The disk fails (full, unplugged): queued writes never complete, listeners hear `error`, the
   * storage refuses further writes. The durable data stays. Call `crash` to release the disk.
   */
  fail(reason: string): void {
    assert(this.phase === 'open' || this.phase === 'closing', `fail of a ${this.phase} MemoryStorage`);
    this.failure = new KeeperError('SYSTEMERROR', `simulated storage failure: ${reason}`);
    this.phase = 'failed';
    this.listeners.error(this.failure);
  }

  /** Resolves once every queued write is durable (the simulator must complete them). */
  close(): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    assert(this.phase === 'open' || this.phase === 'new', `close of a ${this.phase} MemoryStorage`);
    if (this.phase === 'new') {
      this.phase = 'closed';
      return Promise.resolve();
    }
    this.phase = 'closing';
    return new Promise((resolve) => {
      this.drained = resolve;
      if (this.queue.length === 0) this.finishClosing();
    });
  }

  private finishClosing(): void {
    if (this.phase !== 'closing') return;
    this.disk.detach(this);
    this.phase = 'closed';
    const resolve = this.drained;
    this.drained = null;
    resolve?.();
  }
}
