import type { Acl } from './acl.js';
import { assert } from '../errors/keeper-error.js';
import type { CreateModeFlag } from './create-mode.js';
import type { DataTree } from './data-tree.js';
import type { NodeView } from './znode.js';

/** A node as a not-yet-applied txn will leave it (ZooKeeper's ChangeRecord stat + childCount + acl). */
export class PendingNode implements NodeView {
  constructor(
    readonly acl: readonly Acl[],
    readonly mode: CreateModeFlag,
    readonly ttlMs: number,
    readonly ephemeralOwner: bigint,
    readonly mtime: number,
    readonly version: number,
    readonly creates: number,
    readonly aversion: number,
    readonly childCount: number,
  ) {}

  /** `node` with one more child (ZooKeeper's ChangeRecord.duplicate + childCount++ + setCversion). */
  static withChildCreated(node: NodeView, creates: number): PendingNode {
    const n = node;
    return new PendingNode(n.acl, n.mode, n.ttlMs, n.ephemeralOwner, n.mtime, n.version, creates, n.aversion, n.childCount + 1);
  }

  /** `node` with one child less. */
  static withChildDeleted(node: NodeView): PendingNode {
    const n = node;
    return new PendingNode(n.acl, n.mode, n.ttlMs, n.ephemeralOwner, n.mtime, n.version, n.creates, n.aversion, n.childCount - 1);
  }

  /** `node` after a setData. */
  static withData(node: NodeView, version: number, mtime: number): PendingNode {
    const n = node;
    return new PendingNode(n.acl, n.mode, n.ttlMs, n.ephemeralOwner, mtime, version, n.creates, n.aversion, n.childCount);
  }

  /** `node` after a setACL. */
  static withAcl(node: NodeView, acl: readonly Acl[], aversion: number): PendingNode {
    const n = node;
    return new PendingNode(acl, n.mode, n.ttlMs, n.ephemeralOwner, n.mtime, n.version, n.creates, aversion, n.childCount);
  }
}

/** One pending change: what `path` will be once the txn at `zxid` is applied; null = deleted. */
export interface ChangeRecord {
  readonly zxid: bigint;
  readonly path: string;
  readonly node: NodeView | null;
}

export interface PendingChangesOptions {
  /** The most records held at once; prep answers THROTTLEDOP beyond it. Default 1,000,000. */
  readonly maxRecords?: number;
}

const DEFAULT_MAX_RECORDS = 1_000_000;
const COMPACT_AFTER = 4_096;

/**
 * ZooKeeper's outstandingChanges / outstandingChangesForPath: the leader's overlay over its tree of
 * every change prepped but not yet applied, so requests pipelined before earlier ones commit are
 * checked against the state those earlier ones will leave. Records are kept in zxid order; `applied`
 * drops the ones the tree has caught up with, `clear` drops all (when leadership changes).
 */
export class PendingChanges {
  readonly tree: DataTree;
  readonly maxRecords: number;
  private queue: (ChangeRecord | undefined)[] = [];
  private head = 0;
  private readonly byPath = new Map<string, ChangeRecord>();
  /** While a prep is under way: the queue length and each overwritten path entry, to roll back. */
  private undoFrom = -1;
  private readonly undoPaths: (string | undefined)[] = [];
  private readonly undoRecords: (ChangeRecord | undefined)[] = [];
  private undoCount = 0;

  constructor(tree: DataTree, options: PendingChangesOptions = {}) {
    this.tree = tree;
    this.maxRecords = options.maxRecords ?? DEFAULT_MAX_RECORDS;
    assert(Number.isInteger(this.maxRecords) && this.maxRecords > 0, 'maxRecords must be a positive integer');
  }

  /** How many records are pending. */
  get size(): number {
    return this.queue.length - this.head;
  }

  get isFull(): boolean {
    return this.size >= this.maxRecords;
  }

  /** The node at `path` once every pending change is applied; null when there will be none. */
  lookup(path: string): NodeView | null {
    const record = this.byPath.get(path);
    if (record !== undefined) return record.node;
    return this.tree.nodeView(path) ?? null;
  }

  /**
   * True when `path` was a valid node path once: a node of the tree or of a pending record (a pending
   * delete too). Prep skips re-validating such paths.
   */
  knows(path: string): boolean {
    return this.byPath.has(path) || this.tree.nodeView(path) !== undefined;
  }

  /** The pending records in zxid order (oldest first). */
  *records(): IterableIterator<ChangeRecord> {
    for (let i = this.head; i < this.queue.length; i++) {
      const record = this.queue[i];
      if (record !== undefined) yield record;
    }
  }

  add(zxid: bigint, path: string, node: NodeView | null): void {
    const record: ChangeRecord = { zxid, path, node };
    if (this.undoFrom >= 0) {
      this.undoPaths[this.undoCount] = path;
      this.undoRecords[this.undoCount] = this.byPath.get(path);
      this.undoCount++;
    }
    this.queue.push(record);
    this.byPath.set(path, record);
  }

  /** Starts a prep: records added until `commit` can be taken back by `rollback`. */
  begin(): void {
    assert(this.undoFrom < 0, 'PendingChanges.begin while a prep is under way');
    this.undoFrom = this.queue.length;
    this.forgetUndo();
  }

  commit(): void {
    assert(this.undoFrom >= 0, 'PendingChanges.commit without begin');
    this.undoFrom = -1;
    this.forgetUndo();
  }

  /** Takes back every record added since `begin` (a failed op or multi leaves nothing behind). */
  rollback(): void {
    assert(this.undoFrom >= 0, 'PendingChanges.rollback without begin');
    for (let i = this.undoCount - 1; i >= 0; i--) {
      const path = this.undoPaths[i] as string;
      const previous = this.undoRecords[i];
      if (previous === undefined) this.byPath.delete(path);
      else this.byPath.set(path, previous);
    }
    this.queue.length = this.undoFrom;
    this.undoFrom = -1;
    this.forgetUndo();
  }

  /** Empties the undo log, keeping its arrays' capacity (resizing an array is a runtime call). */
  private forgetUndo(): void {
    for (let i = 0; i < this.undoCount; i++) {
      this.undoPaths[i] = undefined;
      this.undoRecords[i] = undefined;
    }
    this.undoCount = 0;
  }

  /** The tree has applied every txn up to `zxid`: their records are no longer needed. */
  applied(zxid: bigint): void {
    assert(this.undoFrom < 0, 'PendingChanges.applied while a prep is under way');
    const queue = this.queue;
    while (this.head < queue.length) {
      const record = queue[this.head];
      if (record === undefined || record.zxid > zxid) break;
      queue[this.head] = undefined;
      this.head++;
      if (this.byPath.get(record.path) === record) this.byPath.delete(record.path);
    }
    if (this.head === queue.length) {
      queue.length = 0;
      this.head = 0;
    } else if (this.head >= COMPACT_AFTER && this.head * 2 >= queue.length) {
      this.queue = queue.slice(this.head);
      this.head = 0;
    }
  }

  /** Drops every record (a new leader starts from its applied tree). */
  clear(): void {
    assert(this.undoFrom < 0, 'PendingChanges.clear while a prep is under way');
    this.queue = [];
    this.head = 0;
    this.byPath.clear();
  }
}
