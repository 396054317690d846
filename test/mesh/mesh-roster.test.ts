import { describe, expect, it } from 'vitest';
import { deviceOfReplica, meshRoster, wantedLinks, type RosterInputs } from '../../src/mesh/mesh-roster.js';
import type { PresenceState } from '../../src/transport/room-presence.js';

const presence = (replicaId: string, role: PresenceState['role'], deviceId = deviceOfReplica(replicaId)): PresenceState => ({
  replicaId,
  deviceId,
  role,
  term: 1,
  appliedZxid: '0',
  leaderId: null,
});

function inputs(self: string, overrides: Partial<RosterInputs> = {}): RosterInputs {
  return { self, selfDeviceId: deviceOfReplica(self), heardOf: [], voters: [], learners: [], leader: null, presence: new Map(), ...overrides };
}

describe('mesh roster', () => {
  it('a replica id names its device: the part before the slot', () => {
    expect(deviceOfReplica('abc-0')).toBe('abc');
    expect(deviceOfReplica('a-b-12')).toBe('a-b');
    expect(deviceOfReplica('no-slot-x')).toBe('no-slot-x');
    expect(deviceOfReplica('plain')).toBe('plain');
  });

  it('a replica that knows no voter yet links to every replica it heard of', () => {
    const wanted = wantedLinks(inputs('a-1', { heardOf: ['a-0', 'b-0', 'b-1', 'a-1'] }));
    expect(wanted).toEqual({ broadcast: ['a-0'], webrtc: ['b-0', 'b-1'] });
  });

  it('once the voters are known, an observer links to the voters only and a voter links to everyone', () => {
    const known = { heardOf: ['a-0', 'a-1', 'a-2', 'b-0', 'b-1'], voters: ['a-0', 'b-0', 'a-1'], learners: ['a-2', 'b-1'] };
    expect(wantedLinks(inputs('b-1', known))).toEqual({ broadcast: ['b-0'], webrtc: ['a-0', 'a-1'] });
    expect(wantedLinks(inputs('a-0', known))).toEqual({ broadcast: ['a-1', 'a-2'], webrtc: ['b-0', 'b-1'] });
  });

  it('roles come from the configuration first, then from what peers announce', () => {
    const { roster, self } = meshRoster(
      inputs('c-0', { heardOf: ['a-0', 'b-0'], voters: ['a-0'], presence: new Map([['b-0', presence('b-0', 'voter')], ['a-0', presence('a-0', 'observer')]]) }),
    );
    expect(self).toEqual({ id: 'c-0', role: 'joining', deviceId: 'c' });
    expect(roster.sort((x, y) => (x.id < y.id ? -1 : 1))).toEqual([
      { id: 'a-0', role: 'voter', deviceId: 'a' },
      { id: 'b-0', role: 'voter', deviceId: 'b' },
    ]);
  });

  it('the device a peer announces decides the medium', () => {
    const wanted = wantedLinks(inputs('a-0', { heardOf: ['x-0'], presence: new Map([['x-0', presence('x-0', 'joining', 'a')]]) }));
    expect(wanted).toEqual({ broadcast: ['x-0'], webrtc: [] });
  });

  it('the known leader is always wanted, even by an observer whose configuration lags', () => {
    const wanted = wantedLinks(inputs('a-2', { heardOf: ['a-0', 'b-5'], voters: ['a-0'], learners: ['a-2'], leader: 'b-5' }));
    expect(wanted).toEqual({ broadcast: ['a-0'], webrtc: ['b-5'] });
  });
});
