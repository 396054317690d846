import { describe, it, expect } from 'vitest';
import type { MsgApp } from '../../src/consensus/message.js';
import { Network, bytes } from './harness.js';

function elected(voters: string[], leader: string, config = {}): Network {
  const net = new Network({ voters, config });
  net.campaign(leader);
  net.stabilize();
  expect(net.leaders()).toEqual([leader]);
  return net;
}

const rejections = (net: Network, from: string): string[] =>
  net.trace.filter((line) => line.startsWith(`${from}->`) && line.includes('MsgAppResp') && line.includes('Rejected'));

describe('log replication', () => {
  it('committed entries reach every replica in order', () => {
    const net = elected(['1', '2', '3'], '1');
    net.propose('1', 'a', 'b');
    net.propose('1', 'c');
    net.stabilize();
    for (const id of ['1', '2', '3']) expect(net.get(id).applied).toEqual(['a', 'b', 'c']);
    expect(net.node('1').status().progress.get('2')).toMatchObject({ match: 4, next: 5, state: 'replicate', inflight: 0 });
  });

  it('a follower refuses a proposal and names the leader', () => {
    const net = elected(['1', '2', '3'], '1');
    const result = net.node('2').propose([bytes('x')]);
    expect(result).toEqual({ ok: false, reason: 'not-leader', leader: '1', message: 'the leader is 1' });
  });

  it('proposals beyond the limits are refused with a reason and change nothing', () => {
    const net = elected(['1', '2', '3'], '1', { maxProposalBatch: 2, maxSizePerMsg: 100, maxUncommittedBytes: 150 });
    const node = net.node('1');
    const lastIndex = node.status().lastIndex;
    expect(node.propose([])).toMatchObject({ ok: false, reason: 'empty-batch' });
    expect(node.propose([bytes('a'), bytes('b'), bytes('c')])).toMatchObject({ ok: false, reason: 'batch-too-large' });
    expect(node.propose([new Uint8Array(200)])).toMatchObject({ ok: false, reason: 'entry-too-large' });
    expect(node.propose([new Uint8Array(80)])).toMatchObject({ ok: true, firstIndex: lastIndex + 1 });
    expect(node.propose([new Uint8Array(80)])).toMatchObject({ ok: false, reason: 'too-many-uncommitted-bytes' });
    net.stabilize();
    expect(node.propose([new Uint8Array(80)])).toMatchObject({ ok: true, firstIndex: lastIndex + 2 });
  });

  it('a follower in replicate state is pipelined up to the in-flight window', () => {
    const net = elected(['1', '2', '3'], '1', { maxInflightMsgs: 3, maxEntriesPerMsg: 1 });
    for (let i = 0; i < 10; i++) net.propose('1', `e${i}`);
    net.processAll();
    const appsTo2 = net.queue.filter((m): m is MsgApp => m.type === 'MsgApp' && m.to === '2');
    expect(appsTo2.map((m) => m.entries.map((e) => e.index))).toEqual([[2], [3], [4]]);
    expect(net.node('1').status().progress.get('2')).toMatchObject({ state: 'replicate', inflight: 3 });
    net.stabilize();
    for (const id of ['1', '2', '3']) expect(net.get(id).applied).toHaveLength(10);
  });

  it('MsgApp respects maxEntriesPerMsg and maxSizePerMsg', () => {
    const net = elected(['1', '2', '3'], '1', { maxEntriesPerMsg: 4, maxSizePerMsg: 1000 });
    net.propose('1', ...Array.from({ length: 10 }, (_, i) => `e${i}`));
    net.processAll();
    const sizes = net.queue.filter((m): m is MsgApp => m.type === 'MsgApp' && m.to === '2').map((m) => m.entries.length);
    expect(sizes).toEqual([4, 4, 2]);
    net.stabilize();
    net.propose('1', ...Array.from({ length: 3 }, () => 'x'.repeat(400)));
    net.processAll();
    const big = net.queue.filter((m): m is MsgApp => m.type === 'MsgApp' && m.to === '2').map((m) => m.entries.length);
    expect(big).toEqual([2, 1]);
  });

  it('a probing leader sends one MsgApp at a time until the follower answers', () => {
    const net = elected(['1', '2', '3'], '1');
    net.isolate('3');
    net.propose('1', 'a');
    net.stabilize();
    net.tickAll(1); // heartbeat answers are dropped, 3 stays where it was
    net.heal();
    // A lost MsgApp was never answered: the heartbeat answer makes the leader probe 3 again.
    net.tickAll(1);
    expect(net.get('3').applied).toEqual(['a']);
  });
});

describe('conflicts and fast backtracking', () => {
  /**
   * 1 leads term 1 and appends `stale` entries nobody else gets; 2 then leads and commits `fresh`,
   * and hands leadership to 3, whose fresh progress for 1 starts at its last index (so the probe
   * has the whole divergent tail to backtrack over).
   */
  function divergentLogs(stale: number, fresh: number): Network {
    const net = elected(['1', '2', '3'], '1');
    net.isolate('1');
    for (let i = 0; i < stale; i++) net.propose('1', `stale${i}`);
    net.stabilize();
    // 3 must stop hearing from 1 for an election timeout before it grants 2 a vote (leader lease).
    net.tick('3', 10);
    net.campaign('2');
    net.stabilize();
    expect(net.leaders()).toContain('2');
    for (let i = 0; i < fresh; i++) net.propose('2', `fresh${i}`);
    net.stabilize();
    expect(net.node('2').transferLeadership('3')).toEqual({ ok: true });
    net.stabilize();
    expect(net.node('3').status().role).toBe('leader');
    net.heal();
    return net;
  }

  it('a follower with conflicting uncommitted entries is overwritten by the leader', () => {
    const net = divergentLogs(5, 3);
    net.tickAll(3);
    expect(net.leaders()).toEqual(['3']);
    for (const id of ['1', '2', '3']) expect(net.get(id).applied).toEqual(['fresh0', 'fresh1', 'fresh2']);
    const leaderLog = net.node('3').status();
    expect(net.node('1').status()).toMatchObject({ lastIndex: leaderLog.lastIndex, commit: leaderLog.commit });
  });

  it('the reject hint skips a whole conflicting term in one round trip', () => {
    const net = divergentLogs(50, 60);
    net.tickAll(3);
    expect(rejections(net, '1')).toHaveLength(1);
    expect(net.get('1').applied).toHaveLength(60);
  });

  it('a follower that is merely behind is found by its last index in one round trip', () => {
    const net = elected(['1', '2', '3'], '1');
    net.isolate('3');
    for (let i = 0; i < 40; i++) net.propose('1', `e${i}`);
    net.stabilize();
    net.heal();
    net.tickAll(2);
    expect(rejections(net, '3').length).toBeLessThanOrEqual(1);
    expect(net.get('3').applied).toHaveLength(40);
  });

  it('the hint names the largest index whose term is not above the probed term', () => {
    const net = divergentLogs(10, 1);
    // 3 probes 1 at its last index (term 3): 1 answers with the last entry of its term-1 tail.
    net.tickAll(1);
    const reject = net.trace.find((line) => line.startsWith('1->3 MsgAppResp') && line.includes('Rejected'));
    expect(reject).toBeDefined();
    expect(reject).toMatch(/Hint:1\/\d+/);
  });
});
