import { describe, it, expect } from 'vitest';
import { Network, bytes, text } from './harness.js';

function elected(voters: string[], leader: string, config = {}): Network {
  const net = new Network({ voters, config });
  net.campaign(leader);
  net.stabilize();
  expect(net.leaders()).toEqual([leader]);
  return net;
}

const reads = (net: Network, id: string) => net.get(id).readStates.map((s) => [s.index, text(s.requestContext)]);

describe('ReadIndex (§6.4)', () => {
  it('the leader answers with its commit index after a heartbeat round confirms it still leads', () => {
    const net = elected(['1', '2', '3'], '1');
    net.propose('1', 'a');
    net.stabilize();
    expect(net.node('1').readIndex(bytes('r1'))).toEqual({ ok: true });
    net.processAll();
    expect(reads(net, '1')).toEqual([]);
    expect(net.queue.filter((m) => m.type === 'MsgHeartbeat').length).toBe(2);
    net.stabilize();
    expect(reads(net, '1')).toEqual([[2, 'r1']]);
  });

  it('one acknowledgement makes a majority of three with the leader', () => {
    const net = elected(['1', '2', '3'], '1');
    net.isolate('3');
    net.node('1').readIndex(bytes('r'));
    net.stabilize();
    expect(reads(net, '1')).toEqual([[1, 'r']]);
  });

  it('a leader cut off from its quorum never answers', () => {
    const net = elected(['1', '2', '3'], '1');
    net.isolate('1');
    net.node('1').readIndex(bytes('r'));
    net.tick('1', 5);
    net.stabilize();
    expect(reads(net, '1')).toEqual([]);
  });

  it('a follower forwards the request and gets the leader read index', () => {
    const net = elected(['1', '2', '3'], '1');
    net.propose('1', 'a', 'b');
    net.stabilize();
    expect(net.node('3').readIndex(bytes('f'))).toEqual({ ok: true });
    net.stabilize();
    expect(reads(net, '3')).toEqual([[3, 'f']]);
    expect(reads(net, '1')).toEqual([]);
  });

  it('a new leader answers only after it committed an entry of its term', () => {
    const net = new Network({ voters: ['1', '2', '3'] });
    net.campaign('1');
    // Deliver the election, but hold the acknowledgements of the leader's first entry.
    for (let i = 0; i < 4; i++) {
      net.processAll();
      net.deliver((m) => m.type !== 'MsgAppResp');
    }
    expect(net.node('1').status()).toMatchObject({ role: 'leader', commit: 0 });
    net.node('1').readIndex(bytes('early'));
    net.processAll();
    net.deliver((m) => m.type !== 'MsgAppResp');
    net.processAll();
    expect(reads(net, '1')).toEqual([]);
    net.stabilize();
    expect(reads(net, '1')).toEqual([[1, 'early']]);
  });

  it('without a known leader the request is refused, not dropped', () => {
    const net = new Network({ voters: ['1', '2', '3'] });
    expect(net.node('2').readIndex(bytes('x'))).toMatchObject({ ok: false, reason: 'no-leader', leader: null });
    expect(net.node('2').readIndex(new Uint8Array(4097))).toMatchObject({ ok: false, reason: 'context-too-large' });
  });

  it('a single voter answers at once', () => {
    const net = new Network({ voters: ['1'] });
    net.campaign('1');
    net.stabilize();
    net.node('1').readIndex(bytes('solo'));
    net.stabilize();
    expect(reads(net, '1')).toEqual([[1, 'solo']]);
  });

  it('pending reads are bounded', () => {
    const net = elected(['1', '2', '3'], '1', { maxPendingReads: 2 });
    net.isolate('1');
    expect(net.node('1').readIndex(bytes('a')).ok).toBe(true);
    expect(net.node('1').readIndex(bytes('b')).ok).toBe(true);
    expect(net.node('1').readIndex(bytes('c'))).toMatchObject({ ok: false, reason: 'too-many-pending-reads' });
  });

  it('several pending reads are released together, in order', () => {
    const net = elected(['1', '2', '3'], '1');
    net.node('1').readIndex(bytes('x'));
    net.propose('1', 'a');
    net.stabilize(); // the proposal's commit follows; the read kept its arrival index
    net.node('1').readIndex(bytes('y'));
    net.node('1').readIndex(bytes('z'));
    net.stabilize();
    expect(reads(net, '1')).toEqual([
      [1, 'x'],
      [2, 'y'],
      [2, 'z'],
    ]);
  });
});
