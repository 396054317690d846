import { describe, it, expect } from 'vitest';
import { Network, bytes } from './harness.js';

function elected(voters: string[], leader: string, options: { learners?: string[] } = {}): Network {
  const net = new Network({ voters, learners: options.learners ?? [] });
  net.campaign(leader);
  net.stabilize();
  expect(net.leaders()).toEqual([leader]);
  return net;
}

describe('leadership transfer (§3.10)', () => {
  it('hands leadership to a caught-up voter with MsgTimeoutNow, skipping PreVote and the lease', () => {
    const net = elected(['1', '2', '3'], '1');
    const start = net.trace.length;
    expect(net.node('1').transferLeadership('2')).toEqual({ ok: true });
    net.stabilize();
    expect(net.leaders()).toEqual(['2']);
    expect(net.node('2').status().term).toBe(2);
    const trace = net.trace.slice(start);
    expect(trace[0]).toBe('1->2 MsgTimeoutNow Term:1');
    expect(trace.some((line) => line.includes('MsgPreVote'))).toBe(false);
    expect(trace).toContain('2->3 MsgVote Term:2 Log:1/1 transfer');
  });

  it('catches a lagging transferee up before asking it to campaign', () => {
    const net = elected(['1', '2', '3'], '1');
    net.isolate('3');
    net.propose('1', 'a', 'b', 'c');
    net.stabilize();
    net.heal();
    net.node('1').transferLeadership('3');
    net.processAll();
    expect(net.queue.map((m) => m.type)).toEqual(['MsgApp']);
    net.stabilize();
    expect(net.leaders()).toEqual(['3']);
    expect(net.get('3').applied).toEqual(['a', 'b', 'c']);
  });

  it('refuses proposals while the transfer is under way, naming the reason', () => {
    const net = elected(['1', '2', '3'], '1');
    net.isolate('2');
    net.node('1').transferLeadership('2');
    expect(net.node('1').propose([bytes('x')])).toMatchObject({ ok: false, reason: 'transferring-leadership', leader: '1' });
  });

  it('abandons a transfer that does not finish within an election timeout', () => {
    const net = elected(['1', '2', '3'], '1');
    net.isolate('2');
    net.node('1').transferLeadership('2');
    net.tickAll(10);
    expect(net.node('1').status()).toMatchObject({ role: 'leader', leadTransferee: null });
    expect(net.node('1').propose([bytes('x')]).ok).toBe(true);
  });

  it('refuses a transferee that is not a voter', () => {
    const net = elected(['1', '2', '3'], '1', { learners: ['4'] });
    expect(net.node('1').transferLeadership('4')).toMatchObject({ ok: false, reason: 'invalid-transferee' });
    expect(net.node('1').transferLeadership('9')).toMatchObject({ ok: false, reason: 'invalid-transferee' });
    expect(net.node('1').transferLeadership('1')).toMatchObject({ ok: false, reason: 'invalid-transferee' });
  });

  it('a follower forwards the request to the leader', () => {
    const net = elected(['1', '2', '3'], '1');
    expect(net.node('3').transferLeadership('3')).toEqual({ ok: true });
    net.stabilize();
    expect(net.leaders()).toEqual(['3']);
  });

  it('a closing leader hands over and the cluster keeps committing without waiting for a timeout', () => {
    const net = elected(['1', '2', '3'], '1');
    net.node('1').transferLeadership('2');
    net.stabilize();
    net.isolate('1'); // the tab closed
    net.propose('2', 'after');
    net.stabilize();
    expect(net.get('3').applied).toEqual(['after']);
  });
});
