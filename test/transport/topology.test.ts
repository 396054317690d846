import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { plannedLinks, shouldLink, type RosterMember, type RosterRole } from '../../src/transport/topology.js';

/** A room of `tabs` replicas, the first `voters` of them voters, spread over `devices` devices. */
function room(voters: number, tabs: number, devices = 4): RosterMember[] {
  return Array.from({ length: tabs }, (_, index) => ({
    id: `r${String(index).padStart(2, '0')}`,
    role: index < voters ? 'voter' : index % 7 === 6 ? 'joining' : 'observer',
    deviceId: `d${index % devices}`,
  }));
}

const peersOf = (roster: RosterMember[], member: RosterMember) => plannedLinks(roster, member).map((link) => link.peer);

describe('topology', () => {
  for (const voters of [3, 5, 7]) {
    it(`${voters} voters, 1 to 60 tabs: symmetric, every replica reaches every voter, observers hold one link per voter`, () => {
      for (let tabs = 1; tabs <= 60; tabs += 1) {
        const roster = room(voters, tabs);
        const wants = new Map(roster.map((member) => [member.id, new Set(peersOf(roster, member))]));
        const voterIds = roster.filter((member) => member.role === 'voter').map((member) => member.id);
        for (const member of roster) {
          const mine = wants.get(member.id) ?? new Set();
          for (const peer of mine) expect(wants.get(peer)?.has(member.id), `${peer} accepts ${member.id}`).toBe(true);
          for (const voter of voterIds) if (voter !== member.id) expect(mine.has(voter)).toBe(true);
          if (member.role === 'voter') expect(mine.size).toBe(tabs - 1);
          else expect(mine.size).toBe(voterIds.length);
        }
      }
    });
  }

  it('a room of 50 tabs with 5 voters: 5 links per observer tab', () => {
    const roster = room(5, 50);
    const observer = roster[21] as RosterMember;
    expect(observer.role).toBe('observer');
    expect(plannedLinks(roster, observer)).toHaveLength(5);
  });

  it('observers never link to each other', () => {
    const roster = room(3, 30);
    for (const member of roster.filter((candidate) => candidate.role !== 'voter')) {
      for (const peer of peersOf(roster, member)) expect(roster.find((candidate) => candidate.id === peer)?.role).toBe('voter');
    }
  });

  it('tabs on one device use BroadcastChannel, others a data channel', () => {
    const roster = room(3, 8, 2);
    const links = plannedLinks(roster, roster[0] as RosterMember);
    for (const link of links) {
      const peer = roster.find((member) => member.id === link.peer) as RosterMember;
      expect(link.medium).toBe(peer.deviceId === roster[0]?.deviceId ? 'broadcast' : 'webrtc');
    }
  });

  it('before the first configuration (no voter) joining replicas link to each other', () => {
    const roster: RosterMember[] = ['a', 'b', 'c'].map((id) => ({ id, role: 'joining', deviceId: id }));
    expect(peersOf(roster, roster[0] as RosterMember)).toEqual(['b', 'c']);
  });

  it('a tab not in the roster yet links to the voters as a joining replica', () => {
    const roster = room(3, 10);
    const newcomer: RosterMember = { id: 'zz', role: 'joining', deviceId: 'd9' };
    expect(peersOf(roster, newcomer)).toEqual(['r00', 'r01', 'r02']);
  });

  it('links come sorted by peer id', () => {
    const roster = [...room(5, 20)].reverse();
    const peers = peersOf(roster, roster[0] as RosterMember);
    expect(peers).toEqual([...peers].sort());
  });

  it('a roster naming a replica twice is a programmer error', () => {
    const member: RosterMember = { id: 'a', role: 'voter', deviceId: 'd' };
    expect(() => plannedLinks([member, member], { id: 'b', role: 'observer', deviceId: 'd' })).toThrow(/twice/);
  });

  it('the rule is symmetric for any roster', () => {
    const role = fc.constantFrom<RosterRole>('voter', 'observer', 'joining');
    fc.assert(
      fc.property(fc.array(fc.tuple(role, fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 30 }), (entries) => {
        const roster: RosterMember[] = entries.map(([memberRole, device], index) => ({ id: `m${index}`, role: memberRole, deviceId: `d${device}` }));
        const hasVoter = roster.some((member) => member.role === 'voter');
        for (const first of roster) {
          for (const second of roster) expect(shouldLink(first, second, hasVoter)).toBe(shouldLink(second, first, hasVoter));
          const mine = peersOf(roster, first);
          for (const peer of mine) expect(peersOf(roster, roster.find((member) => member.id === peer) as RosterMember)).toContain(first.id);
        }
      }),
      { numRuns: 200 },
    );
  });
});
