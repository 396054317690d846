import { describe, it, expect } from 'vitest';
import type { ConfChange } from '../../src/consensus/conf-change.js';
import { Network, bytes } from './harness.js';

function elected(voters: string[], leader: string, options: { learners?: string[]; config?: object } = {}): Network {
  const net = new Network({ voters, learners: options.learners ?? [], config: options.config ?? {} });
  net.campaign(leader);
  net.stabilize();
  expect(net.leaders()).toEqual([leader]);
  return net;
}

function change(net: Network, leader: string, conf: ConfChange): void {
  const result = net.node(leader).proposeConfChange(conf);
  if (!result.ok) throw new Error(`${result.reason}: ${result.message}`);
  net.stabilize();
}

describe('learners (ZooKeeper observers)', () => {
  it('a learner receives and applies committed entries', () => {
    const net = elected(['1', '2', '3'], '1', { learners: ['4'] });
    net.propose('1', 'a', 'b');
    net.stabilize();
    expect(net.get('4').applied).toEqual(['a', 'b']);
    expect(net.node('1').status().progress.get('4')).toMatchObject({ isLearner: true, match: 3 });
  });

  it('a learner never campaigns', () => {
    const net = new Network({ voters: ['1', '2', '3'], learners: ['4'] });
    net.isolate('1');
    net.isolate('2');
    net.isolate('3');
    net.tick('4', 200);
    net.campaign('4');
    net.stabilize();
    expect(net.node('4').status()).toMatchObject({ role: 'follower', term: 0 });
  });

  it('a learner answers a vote request on its merits (the candidate\'s configuration decides whether it counts)', () => {
    const net = elected(['1', '2', '3'], '1', { learners: ['4'] });
    net.tick('4', 21); // past the leader's lease
    const ask = (term: number, logTerm: number): unknown => {
      net.node('4').step({ type: 'MsgVote', from: '2', to: '4', term, index: 99, logTerm, transfer: false });
      net.processAll();
      return net.queue.find((m) => m.from === '4' && m.type === 'MsgVoteResp' && m.term === term);
    };
    // A log older than the learner's own is refused, a current one granted.
    expect(ask(5, 0)).toMatchObject({ reject: true });
    expect(ask(6, 6)).toMatchObject({ reject: false });
  });

  it('a vote from a replica that is not a voter of the candidate\'s configuration does not count', () => {
    const net = new Network({ voters: ['1', '2', '3'], learners: ['4'], config: { preVote: false } });
    net.isolate('2');
    net.isolate('3');
    net.campaign('1');
    net.processAll();
    const term = net.node('1').status().term;
    net.node('1').step({ type: 'MsgVoteResp', from: '4', to: '1', term, reject: false });
    expect(net.node('1').status().role).toBe('candidate');
    net.node('1').step({ type: 'MsgVoteResp', from: '2', to: '1', term, reject: false });
    expect(net.node('1').status().role).toBe('leader');
  });

  it('a learner promoted by an entry it has not received votes, so the configuration that needs it elects a leader', () => {
    const net = elected(['1'], '1', { learners: ['2'] });
    net.cutLink('1', '2');
    expect(net.node('1').proposeConfChange({ type: 'promote-learner', replicaId: '2' }).ok).toBe(true);
    net.stabilize();
    expect(net.node('1').status().confState.voters).toEqual(['1', '2']);
    expect(net.node('2').status().confState.voters).toEqual(['1']);
    // The leader restarts: its log holds the promotion, so it needs 2's vote, and 2's log says learner.
    net.restart('1');
    net.heal();
    net.tickAll(60);
    expect(net.leaders()).toEqual(['1']);
    expect(net.node('2').status().confState).toEqual({ voters: ['1', '2'], learners: [] });
    expect(net.node('2').status().commit).toBe(net.node('1').status().lastIndex);
  });

  it('a learner does not count toward commit', () => {
    const net = elected(['1', '2', '3'], '1', { learners: ['4'] });
    net.isolate('2');
    net.isolate('3');
    net.propose('1', 'x');
    net.stabilize();
    expect(net.node('1').status().progress.get('4')?.match).toBe(2);
    expect(net.node('1').status().commit).toBe(1);
  });
});

describe('membership changes, one server at a time (§4.1)', () => {
  it('adds a learner to a cluster bootstrapped through its log; it starts empty and learns every member', () => {
    const net = new Network({ voters: ['1', '2', '3'], bootstrap: 'log' });
    expect(net.node('1').status()).toMatchObject({ term: 1, commit: 6, confState: { voters: ['1', '2', '3'], learners: [] } });
    net.campaign('1');
    net.stabilize();
    expect(net.node('1').status()).toMatchObject({ role: 'leader', term: 2 });
    net.propose('1', 'before');
    net.stabilize();
    net.add('4');
    change(net, '1', { type: 'add-learner', replicaId: '4' });
    net.tickAll(2);
    expect(net.node('4').status().confState).toEqual({ voters: ['1', '2', '3'], learners: ['4'] });
    expect(net.get('4').applied).toEqual(['before']);
    change(net, '1', { type: 'promote-learner', replicaId: '4' });
    expect(net.node('4').status().confState.voters).toEqual(['1', '2', '3', '4']);
  });

  it('adds a learner that catches up from the start of the log', () => {
    const net = elected(['1', '2', '3'], '1');
    net.propose('1', 'before');
    net.stabilize();
    net.add('4');
    change(net, '1', { type: 'add-learner', replicaId: '4' });
    net.tickAll(2);
    expect(net.node('4').status().confState).toEqual({ voters: ['1', '2', '3'], learners: ['4'] });
    expect(net.get('4').applied).toEqual(['before']);
  });

  it('promotes a learner: it then counts in the majority', () => {
    const net = elected(['1', '2', '3'], '1', { learners: ['4'] });
    change(net, '1', { type: 'promote-learner', replicaId: '4' });
    for (const id of ['1', '2', '3', '4']) expect(net.node(id).status().confState).toEqual({ voters: ['1', '2', '3', '4'], learners: [] });
    // Four voters: 1 + 4 are not a majority.
    net.isolate('2');
    net.isolate('3');
    net.propose('1', 'x');
    net.stabilize();
    expect(net.node('1').status().commit).toBe(2);
    net.heal();
    net.stabilize();
    net.tickAll(1);
    expect(net.node('1').status().commit).toBe(3);
  });

  it('removes a voter: the remaining two commit without it', () => {
    const net = elected(['1', '2', '3'], '1');
    change(net, '1', { type: 'remove-node', replicaId: '3' });
    expect(net.node('1').status().confState).toEqual({ voters: ['1', '2'], learners: [] });
    net.isolate('3');
    net.propose('1', 'x');
    net.stabilize();
    expect(net.get('2').applied).toEqual(['x']);
    expect(net.node('1').status().progress.has('3')).toBe(false);
  });

  it('demotes a voter: it keeps receiving the log as a learner and no longer counts in the majority', () => {
    const net = elected(['1', '2', '3'], '1');
    change(net, '1', { type: 'demote-voter', replicaId: '3' });
    for (const id of ['1', '2', '3']) expect(net.node(id).status().confState).toEqual({ voters: ['1', '2'], learners: ['3'] });
    expect(net.node('1').status().progress.get('3')).toMatchObject({ isLearner: true });
    net.propose('1', 'x');
    net.stabilize();
    expect(net.get('3').applied).toEqual(['x']);
    // 1 and 2 are the majority now: without 2 nothing commits, whatever 3 acknowledges.
    net.isolate('2');
    net.propose('1', 'y');
    net.stabilize();
    expect(net.get('3').applied).toEqual(['x']);
    // The demoted replica never campaigns.
    net.isolate('1');
    for (let i = 0; i < 50; i++) net.tick('3');
    expect(net.node('3').status().role).toBe('follower');
  });

  it('a demoted leader steps down once the change commits and hands over at once, staying a learner', () => {
    const net = elected(['1', '2', '3'], '1');
    change(net, '1', { type: 'demote-voter', replicaId: '1' });
    const leaders = net.leaders();
    expect(leaders).toHaveLength(1);
    expect(leaders[0]).not.toBe('1');
    net.propose(leaders[0] as string, 'after');
    net.stabilize();
    expect(net.get('1').applied).toContain('after');
    expect(net.node('1').status()).toMatchObject({ role: 'follower', confState: { voters: ['2', '3'], learners: ['1'] } });
  });

  it('removes a learner', () => {
    const net = elected(['1', '2', '3'], '1', { learners: ['4'] });
    change(net, '1', { type: 'remove-node', replicaId: '4' });
    expect(net.node('1').status().confState).toEqual({ voters: ['1', '2', '3'], learners: [] });
    net.propose('1', 'x');
    net.stabilize();
    expect(net.get('4').applied).toEqual([]);
  });

  it('a removed leader steps down once the change commits and hands over at once (§4.2.2)', () => {
    const net = elected(['1', '2', '3'], '1');
    change(net, '1', { type: 'remove-node', replicaId: '1' });
    expect(net.node('1').status().role).toBe('follower');
    const leaders = net.leaders();
    expect(leaders).toHaveLength(1);
    expect(leaders[0]).not.toBe('1');
    net.tickAll(50);
    expect(net.node('1').status().role).toBe('follower');
    expect(net.node(leaders[0] as string).status().confState.voters).toEqual(['2', '3']);
  });

  it('a leader that appended its own removal and lost leadership before it committed campaigns without counting its own vote (§4.2.2)', () => {
    // Two voters; the leader 2 removes itself, 1 never receives the entry, and 2 restarts.
    const net = elected(['1', '2'], '2');
    net.cutLink('1', '2');
    expect(net.node('2').proposeConfChange({ type: 'remove-node', replicaId: '2' }).ok).toBe(true);
    net.stabilize();
    net.restart('2');
    net.heal();
    // 1 uses {1, 2} and needs 2's vote, which 2 refuses (its log is longer): only 2 can win, with
    // 1's vote alone in {1}. It then commits its removal, hands leadership to 1 and stops campaigning.
    net.tickAll(100);
    expect(net.leaders()).toEqual(['1']);
    for (const id of ['1', '2']) expect(net.node(id).status().confState).toEqual({ voters: ['1'], learners: [] });
    const term = net.node('2').status().term;
    net.isolate('2');
    net.tick('2', 100);
    net.campaign('2');
    net.processAll();
    expect(net.node('2').status()).toMatchObject({ role: 'follower', term });
  });

  it('a removed leader that knows its removal is committed never campaigns again', () => {
    const net = elected(['1', '2', '3'], '1');
    change(net, '1', { type: 'remove-node', replicaId: '1' });
    expect(net.node('1').status().commit).toBe(net.node('1').status().lastIndex);
    net.isolate('1');
    const term = net.node('1').status().term;
    net.tick('1', 100);
    net.campaign('1');
    net.processAll();
    expect(net.node('1').status()).toMatchObject({ role: 'follower', term });
  });

  it('a leader manages a change that removes it without counting itself (§4.2.2)', () => {
    const net = elected(['1', '2', '3'], '1');
    const result = net.node('1').proposeConfChange({ type: 'remove-node', replicaId: '1' });
    expect(result.ok).toBe(true);
    // Its own durable copy alone is not enough: in the new configuration {2, 3} it needs both.
    net.isolate('3');
    net.stabilize();
    expect(net.node('1').status()).toMatchObject({ role: 'leader', commit: 1 });
  });

  it('only one change may be pending at a time', () => {
    const net = elected(['1', '2', '3'], '1', { learners: ['4'] });
    net.isolate('2');
    net.isolate('3');
    expect(net.node('1').proposeConfChange({ type: 'promote-learner', replicaId: '4' }).ok).toBe(true);
    expect(net.node('1').proposeConfChange({ type: 'remove-node', replicaId: '3' })).toMatchObject({
      ok: false,
      reason: 'conf-change-pending',
    });
  });

  it('a new leader proposes no change before it has committed an entry of its term', () => {
    const net = new Network({ voters: ['1', '2', '3'] });
    net.campaign('1');
    for (let i = 0; i < 4; i++) {
      net.processAll();
      net.deliver((m) => m.type !== 'MsgAppResp');
    }
    expect(net.node('1').status().role).toBe('leader');
    expect(net.node('1').proposeConfChange({ type: 'add-learner', replicaId: '9' })).toMatchObject({ ok: false, reason: 'leader-not-ready' });
  });

  it('invalid changes are refused with the reason', () => {
    const net = elected(['1'], '1', { learners: ['4'] });
    const node = net.node('1');
    expect(node.proposeConfChange({ type: 'add-learner', replicaId: '4' })).toMatchObject({ reason: 'invalid-conf-change', message: '4 is already a member' });
    expect(node.proposeConfChange({ type: 'promote-learner', replicaId: '9' })).toMatchObject({ reason: 'invalid-conf-change', message: '9 is not a learner' });
    expect(node.proposeConfChange({ type: 'remove-node', replicaId: '1' })).toMatchObject({ reason: 'invalid-conf-change', message: 'cannot remove the last voter' });
    expect(node.proposeConfChange({ type: 'add-learner', replicaId: '' })).toMatchObject({ reason: 'invalid-conf-change' });
    expect(net.node('2' in {} ? '2' : '1').status().lastIndex).toBe(1);
  });

  it('a configuration takes effect when appended, before it commits', () => {
    const net = elected(['1', '2', '3'], '1');
    net.add('4');
    net.isolate('2');
    net.isolate('3');
    net.node('1').proposeConfChange({ type: 'add-learner', replicaId: '4' });
    net.stabilize();
    expect(net.node('1').status().commit).toBe(1);
    expect(net.node('1').status().confState.learners).toEqual(['4']);
    // The leader already replicates to the new learner.
    expect(net.node('4').status().lastIndex).toBe(2);
    const readies = net.get('1').readies;
    expect(readies.some((r) => r.confState?.learners.includes('4'))).toBe(true);
  });

  it('a follower whose uncommitted configuration entry is overwritten returns to the previous configuration', () => {
    const net = elected(['1', '2', '3', '4', '5'], '1', { learners: ['6'] });
    net.node('1').proposeConfChange({ type: 'promote-learner', replicaId: '6' });
    net.processAll();
    net.deliver((m) => m.to === '2');
    net.drop(() => true);
    net.processAll();
    net.drop(() => true);
    expect(net.node('2').status().confState.voters).toContain('6');
    net.partition(['1', '2'], ['3', '4', '5', '6']);
    net.tick('4', 20);
    net.tick('5', 20);
    net.processAll();
    net.drop(() => true); // their own pre-campaigns, so 3's is the only one
    net.campaign('3');
    net.stabilize();
    expect(net.node('3').status().role).toBe('leader');
    net.propose('3', 'new');
    net.stabilize();
    net.heal();
    net.tickAll(3);
    expect(net.node('2').status().confState).toEqual({ voters: ['1', '2', '3', '4', '5'], learners: ['6'] });
    expect(net.get('2').applied).toEqual(['new']);
  });

  it('a restarted replica rebuilds its configuration from its log', () => {
    const net = elected(['1', '2', '3'], '1', { learners: ['4'] });
    change(net, '1', { type: 'promote-learner', replicaId: '4' });
    net.restart('2');
    expect(net.node('2').status().confState).toEqual({ voters: ['1', '2', '3', '4'], learners: [] });
    void bytes;
  });
});
