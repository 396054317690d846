import { afterEach, describe, expect, it } from 'vitest';
import { RoomPresence, type PresenceState } from '../../src/transport/room-presence.js';

const state = (replicaId: string, overrides: Partial<PresenceState> = {}): PresenceState => ({
  replicaId,
  deviceId: `device-${replicaId}`,
  role: 'observer',
  term: 0,
  appliedZxid: '0',
  leaderId: null,
  ...overrides,
});

const made: RoomPresence[] = [];
const presence = (s: PresenceState) => {
  const p = new RoomPresence(s);
  made.push(p);
  return p;
};
afterEach(() => made.splice(0).forEach((p) => p.destroy()));

describe('room presence (y-protocols awareness)', () => {
  it('peers learn each other from updates', () => {
    const a = presence(state('a'));
    const b = presence(state('b', { role: 'voter', term: 3 }));
    a.apply(b.encodeLocal(), 'b');
    b.apply(a.encodeAll(), 'a');
    expect(a.peers().get('b')).toMatchObject({ role: 'voter', term: 3 });
    expect([...b.peers().keys()]).toEqual(['a']);
  });

  it('changes propagate and listeners hear them', () => {
    const a = presence(state('a'));
    const b = presence(state('b'));
    const seen: string[] = [];
    a.onChange((peers) => seen.push(peers.get('b')?.role ?? 'none'));
    a.apply(b.encodeLocal(), 'b');
    a.apply(b.update({ role: 'voter', term: 2, appliedZxid: '200000001', leaderId: 'b' }), 'b');
    expect(a.peers().get('b')).toMatchObject({ role: 'voter', appliedZxid: '200000001', leaderId: 'b' });
    expect(seen).toContain('voter');
  });

  it('a leaving replica disappears from the others', () => {
    const a = presence(state('a'));
    const b = new RoomPresence(state('b'));
    a.apply(b.encodeLocal(), 'b');
    a.apply(b.leave(), 'b');
    expect(a.peers().has('b')).toBe(false);
  });

  it('a malformed or oversized update is MARSHALLINGERROR and changes nothing', () => {
    const a = presence(state('a'));
    expect(() => a.apply(new Uint8Array([1, 200, 200, 200, 200, 200]), 'x')).toThrow(/MARSHALLINGERROR/);
    expect(() => a.apply(new Uint8Array(70_000), 'x')).toThrow(/MARSHALLINGERROR/);
    expect(a.peers().size).toBe(0);
  });

  it('a state of the wrong shape from a peer is dropped', () => {
    const a = presence(state('a'));
    const hostile = presence(state('h'));
    // Bypass the local validation to forge what a hostile peer could send.
    (hostile as unknown as { awareness: { setLocalState(s: unknown): void } }).awareness.setLocalState({ replicaId: 'h', role: 'king' });
    a.apply(hostile.encodeLocal(), 'h');
    expect(a.peers().size).toBe(0);
  });

  it('invalid local states are refused', () => {
    expect(() => new RoomPresence(state(''))).toThrow(/BADARGUMENTS/);
    const a = presence(state('a'));
    expect(() => a.update({ appliedZxid: 'not-hex' })).toThrow(/BADARGUMENTS/);
  });
});
