import { EMPTY_HARD_STATE, type Entry, type HardState, type Snapshot } from '../consensus/types.js';
import { assert } from '../errors/keeper-error.js';
import { copyConfState, copyEntry, copyHardState, copySnapshot, EMPTY_CONF_STATE } from './copy-records.js';
import type { RecoveredState } from './durable-storage.js';
import type { WritePlan } from './write-plan.js';

/**
 * The simulator's disk: what survives a replica's crash. It holds only durable data; a
 * MemoryStorage queues writes in front of it and moves them here when the simulator completes them.
 * One MemoryStorage at a time may write to a disk (the next one attaches after a crash or close).
 */
export class MemoryDisk {
  private hardState: HardState = EMPTY_HARD_STATE;
  private snapshot: Snapshot | null = null;
  /** Entries from snapshot index + 1, contiguous. */
  private entries: Entry[] = [];
  private owner: object | null = null;
  private completedWrites = 0;
  private tornWrites = 0;

  /** Writes made durable whole, and torn writes of which only a prefix survived (for the simulator's reports). */
  get stats(): { readonly completedWrites: number; readonly tornWrites: number; readonly entryCount: number } {
    return { completedWrites: this.completedWrites, tornWrites: this.tornWrites, entryCount: this.entries.length };
  }

  /** What a replica finds on this disk, as copies. */
  recover(): RecoveredState {
    const snapshot = this.snapshot === null ? null : copySnapshot(this.snapshot);
    return {
      hardState: copyHardState(this.hardState),
      confState: copyConfState(snapshot?.metadata.confState ?? EMPTY_CONF_STATE),
      snapshot,
      entries: this.entries.map(copyEntry),
    };
  }

  /** Claims the disk for one storage instance. */
  attach(owner: object): void {
    assert(this.owner === null, 'a MemoryDisk has one live MemoryStorage at a time (crash or close the previous one)');
    this.owner = owner;
  }

  detach(owner: object): void {
    assert(this.owner === owner, 'only the attached MemoryStorage detaches from its MemoryDisk');
    this.owner = null;
  }

  /** Makes a whole write durable. `plan` must own its buffers (the storage copies them at submit). */
  persist(owner: object, plan: WritePlan): void {
    this.checkOwner(owner);
    this.applySnapshotAndEntries(plan.snapshot, plan.entries);
    if (plan.hardState !== null) this.hardState = copyHardState(plan.hardState);
    this.completedWrites++;
  }

  /**
   * Makes a prefix of a write durable, as a crash in the middle of flushing it would: the first
   * `survivingSteps` of (snapshot if any, then each entry). The hard state is not written.
   */
  persistTorn(owner: object, plan: WritePlan, survivingSteps: number): void {
    this.checkOwner(owner);
    const snapshotSteps = plan.snapshot === null ? 0 : 1;
    assert(survivingSteps >= 0 && survivingSteps <= snapshotSteps + plan.entries.length, 'torn prefix inside the write');
    if (survivingSteps === 0) return;
    this.applySnapshotAndEntries(plan.snapshot, plan.entries.slice(0, survivingSteps - snapshotSteps));
    this.tornWrites++;
  }

  private checkOwner(owner: object): void {
    assert(this.owner === owner, 'only the attached MemoryStorage writes to its MemoryDisk');
  }

  private applySnapshotAndEntries(snapshotPlan: WritePlan['snapshot'], entries: readonly Entry[]): void {
    if (snapshotPlan !== null) {
      const { snapshot, keepsLaterEntries } = snapshotPlan;
      const index = snapshot.metadata.index;
      assert(
        keepsLaterEntries === (this.termAt(index) === snapshot.metadata.term),
        'the plan and the disk agree on whether the snapshot matches the log',
      );
      this.entries = keepsLaterEntries ? this.entries.filter((entry) => entry.index > index) : [];
      this.snapshot = snapshot;
    }
    const first = entries[0];
    if (first === undefined) return;
    const firstIndex = this.firstIndex();
    assert(first.index >= firstIndex, `disk append at ${first.index} is below the first index ${firstIndex}`);
    assert(first.index <= firstIndex + this.entries.length, `disk append at ${first.index} leaves a gap`);
    this.entries.length = first.index - firstIndex;
    for (const entry of entries) this.entries.push(entry);
  }

  private firstIndex(): number {
    return (this.snapshot?.metadata.index ?? 0) + 1;
  }

  private termAt(index: number): number | undefined {
    if (index === this.firstIndex() - 1) return this.snapshot?.metadata.term ?? 0;
    return this.entries[index - this.firstIndex()]?.term;
  }
}
