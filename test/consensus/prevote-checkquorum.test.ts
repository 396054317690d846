import { describe, it, expect } from 'vitest';
import { LEADER_LEFT_GRACE_TICKS } from '../../src/consensus/raft.js';
import { Network } from './harness.js';

function elected(voters: string[], leader: string, config = {}): Network {
  const net = new Network({ voters, config });
  net.campaign(leader);
  net.stabilize();
  expect(net.leaders()).toEqual([leader]);
  return net;
}

const terms = (net: Network): number[] => [...net.replicas.keys()].map((id) => net.node(id).status().term);

describe('PreVote (§9.6)', () => {
  it('a partitioned replica does not raise its term while it cannot win', () => {
    const net = elected(['1', '2', '3'], '1');
    net.isolate('3');
    for (let i = 0; i < 100; i++) {
      net.tick('3');
      net.stabilize();
    }
    expect(net.node('3').status()).toMatchObject({ term: 1, role: 'pre-candidate' });
  });

  it('a partitioned replica rejoining does not disrupt the healthy leader', () => {
    const net = elected(['1', '2', '3'], '1');
    net.isolate('3');
    net.propose('1', 'while-away');
    net.tickAll(100);
    net.heal();
    net.tickAll(5);
    expect(net.leaders()).toEqual(['1']);
    expect(terms(net)).toEqual([1, 1, 1]);
    expect(net.get('3').applied).toEqual(['while-away']);
  });

  it('without PreVote and CheckQuorum the same rejoin deposes the leader (the contrast)', () => {
    const net = elected(['1', '2', '3'], '1', { preVote: false, checkQuorum: false });
    net.isolate('3');
    net.tickAll(100);
    expect(net.node('3').status().term).toBeGreaterThan(1);
    net.heal();
    net.tickAll(30);
    expect(net.node('1').status().term).toBeGreaterThan(1);
  });

  it('a replica cut off from the leader only cannot win votes from replicas that hear the leader', () => {
    const net = elected(['1', '2', '3'], '1');
    net.cutLink('1', '3');
    net.tickAll(100);
    expect(net.leaders()).toEqual(['1']);
    expect(net.node('2').status().term).toBe(1);
  });
});

describe('a leader that says it leaves', () => {
  it('the successor (smallest other voter id) campaigns a few ticks later and wins: the others stop honouring the lease', () => {
    const net = elected(['1', '2', '3'], '1');
    net.isolate('1');
    expect(net.node('3').leaderLeft('1')).toBe(false);
    expect(net.node('2').leaderLeft('1')).toBe(true);
    for (let i = 0; i < LEADER_LEFT_GRACE_TICKS; i++) {
      net.tick('2');
      net.tick('3');
      net.stabilize();
    }
    // Far below an election timeout (10 ticks here): without leaderLeft nobody would have campaigned.
    expect(net.leaders().filter((id) => id !== '1')).toEqual(['2']);
    expect(net.node('2').status().term).toBe(2);
  });

  it('without the bye, the same ticks elect nobody', () => {
    const net = elected(['1', '2', '3'], '1');
    net.isolate('1');
    for (let i = 0; i < LEADER_LEFT_GRACE_TICKS; i++) {
      net.tick('2');
      net.tick('3');
      net.stabilize();
    }
    expect(net.leaders().filter((id) => id !== '1')).toEqual([]);
  });

  it('the successor waits out its grace before it campaigns, and the next in line waits twice as long', () => {
    const net = elected(['1', '2', '3', '4'], '1');
    net.isolate('1');
    expect(net.node('2').leaderLeft('1')).toBe(true);
    expect(net.node('3').leaderLeft('1')).toBe(false);
    // Cut 2 off too: it is the first in line, and it is gone.
    net.isolate('2');
    const roles = () => [net.node('2').status().role, net.node('3').status().role];
    for (let i = 0; i < LEADER_LEFT_GRACE_TICKS - 1; i++) {
      net.tick('2');
      net.tick('3');
    }
    expect(roles()).toEqual(['follower', 'follower']);
    net.tick('2');
    net.tick('3');
    expect(roles()).toEqual(['pre-candidate', 'follower']);
    for (let i = 0; i < LEADER_LEFT_GRACE_TICKS; i++) net.tick('3');
    expect(net.node('3').status().role).toBe('pre-candidate');
  });

  it('a transfer the leaving leader started still wins: the successor does not campaign against it', () => {
    const net = elected(['1', '2', '3'], '1');
    // 1 hands over to 3 (not the successor 2) and leaves; 2 hears the bye first.
    expect(net.node('2').leaderLeft('1')).toBe(true);
    expect(net.node('1').transferLeadership('3').ok).toBe(true);
    net.stabilize();
    net.isolate('1');
    for (let i = 0; i < 2 * LEADER_LEFT_GRACE_TICKS; i++) {
      net.tick('2');
      net.tick('3');
      net.stabilize();
    }
    expect(net.leaders().filter((id) => id !== '1')).toEqual(['3']);
    expect(net.node('2').status()).toMatchObject({ role: 'follower', lead: '3', term: 2 });
  });

  it('a follower still inside the lease refuses the successor; the election then waits for a timeout as before', () => {
    const net = elected(['1', '2', '3'], '1');
    net.isolate('1');
    expect(net.node('2').leaderLeft('1')).toBe(true);
    for (let i = 0; i < LEADER_LEFT_GRACE_TICKS; i++) {
      net.tick('2');
      net.stabilize();
    }
    expect(net.leaders().filter((id) => id !== '1')).toEqual([]);
    net.tickAll(40);
    expect(net.leaders().filter((id) => id !== '1')).toHaveLength(1);
  });

  it('a bye from a replica that does not lead changes nothing, even for the replica first in line', () => {
    const net = elected(['1', '2', '3'], '3');
    // Had 2 led, 1 would be first in line.
    expect(net.node('1').leaderLeft('2')).toBe(false);
    expect(net.node('1').status()).toMatchObject({ role: 'follower', lead: '3', term: 1 });
  });
});

describe('CheckQuorum (§6.2)', () => {
  it('a leader that hears from no quorum for an election timeout steps down', () => {
    const net = elected(['1', '2', '3'], '1');
    net.isolate('1');
    // Activity is sampled once per election timeout, so the step-down comes within two of them.
    net.tick('1', 9);
    expect(net.node('1').status().role).toBe('leader');
    net.tick('1', 11);
    expect(net.node('1').status()).toMatchObject({ role: 'follower', lead: null, term: 1 });
  });

  it("a follower answering every heartbeat reads as recently active at every tick, even just after a round starts", () => {
    const net = elected(['1', '2', '3'], '1');
    for (let i = 0; i < 50; i++) {
      // Read between the leader's tick and the delivery of its heartbeats' answers: where a round
      // that just started has heard from no one yet.
      net.tick('1');
      const progress = net.node('1').status().progress;
      expect([progress.get('2')?.recentActive, progress.get('3')?.recentActive], `tick ${i}`).toEqual([true, true]);
      net.stabilize();
    }
  });

  it('a follower silent for two rounds no longer reads as recently active', () => {
    const net = elected(['1', '2', '3'], '1');
    net.cutLink('1', '3');
    net.tickAll(25);
    const progress = net.node('1').status().progress;
    expect([progress.get('2')?.recentActive, progress.get('3')?.recentActive]).toEqual([true, false]);
  });

  it('a leader with a live quorum stays leader indefinitely', () => {
    const net = elected(['1', '2', '3'], '1');
    net.isolate('3');
    net.tickAll(200);
    expect(net.node('1').status()).toMatchObject({ role: 'leader', term: 1 });
  });

  it('a stale leader learns the newer term from a follower it contacts and steps down', () => {
    const net = elected(['1', '2', '3'], '1', { checkQuorum: false });
    net.isolate('1');
    net.tickAll(60);
    const [newLeader] = net.leaders().filter((id) => id !== '1');
    expect(newLeader).toBeDefined();
    const newTerm = net.node(newLeader as string).status().term;
    expect(net.node('1').status()).toMatchObject({ role: 'leader', term: 1 });
    net.heal();
    net.tick('1');
    net.stabilize();
    expect(net.node('1').status()).toMatchObject({ role: 'follower', term: newTerm });
    net.tickAll(1);
    expect(net.node('1').status().lead).toBe(newLeader);
  });

  it('voters that heard from the leader within the election timeout ignore vote requests (leader lease)', () => {
    const net = elected(['1', '2', '3'], '1', { preVote: false });
    net.campaign('3'); // a real election at term 2, no PreVote
    net.stabilize();
    // 1 (leader) and 2 (follower that hears 1) ignore it: 3's term rose but nobody followed.
    expect(net.node('1').status()).toMatchObject({ role: 'leader', term: 1 });
    expect(net.node('2').status().term).toBe(1);
  });
});
