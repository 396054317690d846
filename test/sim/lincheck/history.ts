import { assert } from '../../../src/errors/keeper-error.js';

/**
 * One operation of a concurrent history, as a client saw it: what it asked (`input`), what it was
 * told (`output`), when it asked (`callTime`) and when it was told (`returnTime`).
 *
 * An operation that never returned (a timeout, a lost connection, a crashed client) is *pending*:
 * `returnTime` is absent, undefined or Infinity and `output` is absent. It may or may not have taken
 * effect, at any moment after its call.
 *
 * Real-time order: A precedes B when `A.returnTime < B.callTime`; equal times count as overlapping.
 */
export interface Operation<Input, Output> {
  readonly clientId: number;
  readonly input: Input;
  readonly output?: Output | undefined;
  readonly callTime: number;
  readonly returnTime?: number | undefined;
}

/** A history is bounded so that a check's memory (bitsets, cache) stays bounded too. */
export const MAX_HISTORY_OPERATIONS = 200_000;

export function isPending(operation: Operation<unknown, unknown>): boolean {
  return operation.returnTime === undefined || operation.returnTime === Infinity;
}

/** The return time used for ordering: Infinity for a pending operation. */
export function returnTimeOf(operation: Operation<unknown, unknown>): number {
  return operation.returnTime ?? Infinity;
}

/** Throws when the history cannot be a record of real calls (a programmer error in the recorder). */
export function validateHistory(history: readonly Operation<unknown, unknown>[]): void {
  assert(history.length <= MAX_HISTORY_OPERATIONS, `a history holds at most ${MAX_HISTORY_OPERATIONS} operations, got ${history.length}`);
  history.forEach((operation, index) => {
    assert(Number.isFinite(operation.callTime), `operation ${index}: callTime must be a finite number, got ${operation.callTime}`);
    const returnTime = returnTimeOf(operation);
    assert(!Number.isNaN(returnTime), `operation ${index}: returnTime is NaN`);
    assert(returnTime >= operation.callTime, `operation ${index}: returns (${returnTime}) before its call (${operation.callTime})`);
    assert(Number.isInteger(operation.clientId), `operation ${index}: clientId must be an integer, got ${operation.clientId}`);
  });
}
