import { expect } from 'vitest';
import { KeeperError } from '../../src/errors/keeper-error.js';

/** Runs `step`, demands a KeeperError MARSHALLINGERROR, and returns its message. */
export function expectMarshalling(step: () => unknown, messagePart?: string | RegExp): string {
  let caught: unknown;
  try {
    step();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(KeeperError);
  const error = caught as KeeperError;
  expect(error.codeName).toBe('MARSHALLINGERROR');
  if (messagePart !== undefined) expect(error.message).toMatch(messagePart);
  return error.message;
}

/** Bytes from a list of numbers and byte arrays. */
export function concat(...parts: (number | Uint8Array | readonly number[])[]): Uint8Array {
  const flat: number[] = [];
  for (const part of parts) {
    if (typeof part === 'number') flat.push(part);
    else flat.push(...part);
  }
  return Uint8Array.from(flat);
}

/** lib0's varUint of `value`. */
export function varUint(value: number): number[] {
  const out: number[] = [];
  while (value > 0x7f) {
    out.push(0x80 | (value % 128));
    value = Math.floor(value / 128);
  }
  out.push(value);
  return out;
}
