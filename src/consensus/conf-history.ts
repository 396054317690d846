import { assert } from '../errors/keeper-error.js';
import { applyConfChange, decodeConfChange } from './conf-change.js';
import { EntryType, type ConfState, type Entry } from './types.js';

/**
 * The configuration as a function of the log. meshkeeper follows the dissertation (§4.1): a replica
 * uses the latest configuration in its log, committed or not, from the moment the entry is appended.
 * So this keeps the configuration at the compaction point (the snapshot's) and one item per
 * ConfChange entry after it; a truncated log drops its items (reverting to the earlier configuration)
 * and compaction folds them into the base.
 */
export class ConfHistory {
  private baseIndex: number;
  private base: ConfState;
  private readonly changes: { index: number; conf: ConfState }[] = [];

  constructor(baseIndex: number, base: ConfState) {
    this.baseIndex = baseIndex;
    this.base = base;
  }

  /** The configuration in force: the latest one in the log. */
  current(): ConfState {
    return this.changes.length > 0 ? (this.changes[this.changes.length - 1] as { conf: ConfState }).conf : this.base;
  }

  /** The configuration before the latest ConfChange entry (the base when there is none after it). */
  previous(): ConfState {
    const n = this.changes.length;
    return n > 1 ? (this.changes[n - 2] as { conf: ConfState }).conf : this.base;
  }

  /** The index of the latest ConfChange entry in the log (0 when there is none after the base). */
  lastChangeIndex(): number {
    return this.changes.length > 0 ? (this.changes[this.changes.length - 1] as { index: number }).index : 0;
  }

  /** The configuration as of `index` (>= the compaction point). */
  at(index: number): ConfState {
    assert(index >= this.baseIndex, `configuration at ${index} is compacted (base ${this.baseIndex})`);
    let conf = this.base;
    for (const change of this.changes) {
      if (change.index > index) break;
      conf = change.conf;
    }
    return conf;
  }

  /** Entries were appended to the log (after any truncation was reported). */
  appended(entries: readonly Entry[]): boolean {
    let changed = false;
    for (const entry of entries) {
      if (entry.type !== EntryType.ConfChange) continue;
      assert(entry.index > this.lastChangeIndex() && entry.index > this.baseIndex, 'configuration entries must be appended in order');
      this.changes.push({ index: entry.index, conf: applyConfChange(this.current(), decodeConfChange(entry.data)) });
      changed = true;
    }
    return changed;
  }

  /** The log lost its entries from `index` on. Returns whether the configuration reverted. */
  truncatedFrom(index: number): boolean {
    let changed = false;
    while (this.changes.length > 0 && (this.changes[this.changes.length - 1] as { index: number }).index >= index) {
      this.changes.pop();
      changed = true;
    }
    return changed;
  }

  /** The log prefix up to `index` became a snapshot. */
  compactedTo(index: number): void {
    if (index <= this.baseIndex) return;
    this.base = this.at(index);
    this.baseIndex = index;
    while (this.changes.length > 0 && (this.changes[0] as { index: number }).index <= index) this.changes.shift();
  }

  /** The whole log was replaced by a snapshot carrying `conf`. */
  reset(index: number, conf: ConfState): void {
    this.baseIndex = index;
    this.base = conf;
    this.changes.length = 0;
  }
}
