import { EntryType, type Entry, type EntryTypeNumber } from '../consensus/types.js';
import { assert } from '../errors/keeper-error.js';

/**
 * Contiguous entries packed column-wise into a few typed arrays: one IndexedDB value that the
 * structured clone copies as five buffers instead of hundreds of small objects. Entry k has index
 * firstIndex + k, term terms[k], type types[k] and data bytes[ends[k - 1] ?? 0, ends[k]).
 */
export interface EntryChunkRecord {
  readonly firstIndex: number;
  readonly terms: Float64Array;
  readonly types: Uint8Array;
  readonly ends: Uint32Array;
  readonly bytes: Uint8Array;
}

/** Packs contiguous entries, copying their data (the record owns its buffers). */
export function packEntries(entries: readonly Entry[]): EntryChunkRecord {
  const first = entries[0];
  assert(first !== undefined, 'an entry chunk holds at least one entry');
  const terms = new Float64Array(entries.length);
  const types = new Uint8Array(entries.length);
  const ends = new Uint32Array(entries.length);
  let total = 0;
  entries.forEach((entry, offset) => {
    assert(entry.index === first.index + offset, 'packed entries are contiguous');
    terms[offset] = entry.term;
    types[offset] = entry.type;
    total += entry.data.byteLength;
    ends[offset] = total;
  });
  assert(total <= 0xffffffff, 'an entry chunk holds less than 4 GiB');
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const entry of entries) {
    bytes.set(entry.data, offset);
    offset += entry.data.byteLength;
  }
  return { firstIndex: first.index, terms, types, ends, bytes };
}

/** Why `value` is not a well-formed chunk record, or null when it is. */
export function entryChunkProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return 'not an object';
  const record = value as Partial<Record<keyof EntryChunkRecord, unknown>>;
  const { firstIndex, terms, types, ends, bytes } = record;
  if (!(typeof firstIndex === 'number' && Number.isSafeInteger(firstIndex) && firstIndex > 0)) return 'bad first index';
  if (!(terms instanceof Float64Array && types instanceof Uint8Array && ends instanceof Uint32Array && bytes instanceof Uint8Array)) {
    return 'columns of the wrong type';
  }
  const count = terms.length;
  if (count === 0 || types.length !== count || ends.length !== count) return 'columns of different lengths';
  let previousEnd = 0;
  let previousTerm = 0;
  for (let offset = 0; offset < count; offset++) {
    const term = terms[offset] ?? -1;
    const type = types[offset];
    const end = ends[offset] ?? -1;
    if (!(Number.isSafeInteger(term) && term >= previousTerm)) return `entry ${firstIndex + offset} has a bad term`;
    if (type !== EntryType.Normal && type !== EntryType.ConfChange) return `entry ${firstIndex + offset} has a bad type`;
    if (end < previousEnd) return `entry ${firstIndex + offset} has a bad data length`;
    previousEnd = end;
    previousTerm = term;
  }
  if (previousEnd !== bytes.byteLength) return 'data lengths do not add up';
  return null;
}

/** The entries of a well-formed record; their data are views into the record's bytes. */
export function unpackEntries(record: EntryChunkRecord): Entry[] {
  const entries: Entry[] = [];
  let start = 0;
  for (let offset = 0; offset < record.terms.length; offset++) {
    const end = record.ends[offset] ?? start;
    entries.push({
      term: record.terms[offset] ?? 0,
      index: record.firstIndex + offset,
      type: (record.types[offset] ?? EntryType.Normal) as EntryTypeNumber,
      data: record.bytes.subarray(start, end),
    });
    start = end;
  }
  return entries;
}

export function entryChunkLength(record: EntryChunkRecord): number {
  return record.terms.length;
}
