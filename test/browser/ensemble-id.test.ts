import { describe, expect, it } from 'vitest';
import { ensembleIdKey, foundsEnsemble, freshEnsembleId, storeEnsembleId, storedEnsembleId } from '../../src/browser/ensemble-id.js';

const memoryStorage = () => {
  const map = new Map<string, string>();
  return { getItem: (key: string) => map.get(key) ?? null, setItem: (key: string, value: string) => void map.set(key, value), map };
};

describe('ensemble id', () => {
  it('is kept per room and device; anything but 32 hex digits reads as none', () => {
    const storage = memoryStorage();
    expect(storedEnsembleId(storage, 'r')).toBeNull();
    const id = freshEnsembleId();
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    storeEnsembleId(storage, 'r', id);
    expect(storedEnsembleId(storage, 'r')).toBe(id);
    expect(storedEnsembleId(storage, 'other')).toBeNull();
    storage.map.set(ensembleIdKey('r'), 'garbage');
    expect(storedEnsembleId(storage, 'r')).toBeNull();
  });

  it('a tab founds only with a fresh id the room now names: founder, or its own proposal seen on a rejoin', () => {
    expect(foundsEnsemble(true, { founder: true, ownProposal: true })).toBe(true);
    expect(foundsEnsemble(true, { founder: false, ownProposal: true })).toBe(true);
    expect(foundsEnsemble(true, { founder: false, ownProposal: false })).toBe(false);
    // Re-founding a lost record with a known id: that ensemble exists, this tab joins it.
    expect(foundsEnsemble(false, { founder: true, ownProposal: true })).toBe(false);
  });
});
