import { combineHashes, hashString } from './hash.js';

/** What one path holds at one moment. */
export interface NodeVersion {
  readonly exists: boolean;
  readonly data: string;
  readonly version: number;
}

export const ABSENT: NodeVersion = { exists: false, data: '', version: 0 };

/**
 * Every value a path has held, as a persistent list (newest first, sharing its tail with the states
 * it grew from): appending, hashing and comparing shared tails cost O(1), which matters because the
 * checker creates a state per step.
 */
export interface ValueHistory {
  readonly value: NodeVersion;
  /** Position from the oldest value (0). */
  readonly index: number;
  readonly previous: ValueHistory | null;
  readonly hash: number;
}

function hashNodeVersion(node: NodeVersion): number {
  return node.exists ? combineHashes(hashString(node.data), node.version + 1) : 0;
}

export function sameNodeVersion(a: NodeVersion, b: NodeVersion): boolean {
  return a.exists === b.exists && a.version === b.version && a.data === b.data;
}

export function historyOf(value: NodeVersion): ValueHistory {
  return { value, index: 0, previous: null, hash: combineHashes(0, hashNodeVersion(value)) };
}

export function appendValue(history: ValueHistory, value: NodeVersion): ValueHistory {
  return { value, index: history.index + 1, previous: history, hash: combineHashes(history.hash, hashNodeVersion(value)) };
}

export function sameHistory(a: ValueHistory | null, b: ValueHistory | null): boolean {
  for (; a !== b; a = a.previous, b = b!.previous) {
    if (a === null || b === null || a.index !== b.index || a.hash !== b.hash || !sameNodeVersion(a.value, b.value)) return false;
  }
  return true;
}

/** The smallest index >= `fromIndex` whose value satisfies `matches`, or -1. */
export function oldestMatchFrom(history: ValueHistory, fromIndex: number, matches: (value: NodeVersion) => boolean): number {
  let found = -1;
  for (let entry: ValueHistory | null = history; entry !== null && entry.index >= fromIndex; entry = entry.previous) {
    if (matches(entry.value)) found = entry.index;
  }
  return found;
}

/** The values oldest first. */
export function valuesOf(history: ValueHistory): NodeVersion[] {
  const values: NodeVersion[] = [];
  for (let entry: ValueHistory | null = history; entry !== null; entry = entry.previous) values.push(entry.value);
  return values.reverse();
}
