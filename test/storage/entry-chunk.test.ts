import { describe, expect, it } from 'vitest';
import { entryChunkProblem, packEntries, unpackEntries } from '../../src/storage/entry-chunk.js';
import { makeEntries } from './reference-log.js';

describe('entry chunk records', () => {
  it('packing then unpacking gives back the same entries', () => {
    const entries = [...makeEntries(7, 5, 2), ...makeEntries(12, 3, 4)];
    entries.push({ term: 4, index: 15, type: 1, data: new Uint8Array(0) });
    const record = packEntries(entries);
    expect(entryChunkProblem(record)).toBeNull();
    const unpacked = unpackEntries(record);
    expect(unpacked.map((entry) => [entry.index, entry.term, entry.type, [...entry.data]])).toEqual(
      entries.map((entry) => [entry.index, entry.term, entry.type, [...entry.data]]),
    );
  });

  it('packing copies the data into one buffer of its own', () => {
    const backing = new Uint8Array(1000).fill(5);
    const record = packEntries([
      { term: 1, index: 1, type: 0, data: backing.subarray(0, 2) },
      { term: 1, index: 2, type: 0, data: backing.subarray(10, 13) },
    ]);
    backing.fill(0);
    expect(record.bytes.buffer.byteLength).toBe(5);
    expect([...record.bytes]).toEqual([5, 5, 5, 5, 5]);
  });

  it('packing non-contiguous entries is an assertion', () => {
    expect(() => packEntries([...makeEntries(1, 1, 1), ...makeEntries(3, 1, 1)])).toThrow(/assertion failed/);
    expect(() => packEntries([])).toThrow(/assertion failed/);
  });

  it('a damaged record is named, not unpacked', () => {
    const record = packEntries(makeEntries(1, 3, 2));
    expect(entryChunkProblem(null)).toBe('not an object');
    expect(entryChunkProblem({ ...record, firstIndex: 0 })).toBe('bad first index');
    expect(entryChunkProblem({ ...record, terms: [2, 2, 2] })).toBe('columns of the wrong type');
    expect(entryChunkProblem({ ...record, types: new Uint8Array(2) })).toBe('columns of different lengths');
    expect(entryChunkProblem({ ...record, terms: new Float64Array([2, 1, 2]) })).toMatch(/bad term/);
    expect(entryChunkProblem({ ...record, types: new Uint8Array([0, 9, 0]) })).toMatch(/bad type/);
    expect(entryChunkProblem({ ...record, ends: new Uint32Array([8, 4, 24]) })).toMatch(/bad data length/);
    expect(entryChunkProblem({ ...record, bytes: new Uint8Array(3) })).toBe('data lengths do not add up');
  });
});
