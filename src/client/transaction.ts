import type { MultiOp } from '../tree/op.js';
import { Op, type MultiResult } from './multi.js';
import type { CreateOptions, Data } from './requests.js';

/** What a Transaction commits through: the client's multi. */
export interface MultiRunner {
  /** Runs the ops as one multi. */
  multi(ops: readonly MultiOp[]): Promise<MultiResult[]>;
}

/**
 * A multi built op by op (ZooKeeper's Transaction): `client.transaction().create(...).delete(...)
 * .setData(...).check(...).commit()`. Nothing is sent before `commit`; all ops apply or none.
 */
export class Transaction {
  private readonly ops: MultiOp[] = [];

  constructor(private readonly runner: MultiRunner) {}

  /** Adds a create (options as `create`). */
  create(path: string, data?: Data, options: CreateOptions = {}): this {
    this.ops.push(Op.create(path, data, options));
    return this;
  }

  /** Adds a delete of `path` at `version` (-1: any). */
  delete(path: string, version = -1): this {
    this.ops.push(Op.delete(path, version));
    return this;
  }

  /** Adds a setData of `path` at `version` (-1: any). */
  setData(path: string, data: Data, version = -1): this {
    this.ops.push(Op.setData(path, data, version));
    return this;
  }

  /** Adds a check that `path` has version `version`. */
  check(path: string, version: number): this {
    this.ops.push(Op.check(path, version));
    return this;
  }

  /** The ops added so far. */
  get size(): number {
    return this.ops.length;
  }

  /** Sends the ops as one multi; resolves with their results or rejects with a KeeperMultiError. */
  commit(): Promise<MultiResult[]> {
    return this.runner.multi([...this.ops]);
  }
}
