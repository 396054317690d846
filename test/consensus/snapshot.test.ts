import { describe, it, expect } from 'vitest';
import type { MsgSnap } from '../../src/consensus/message.js';
import { SnapshotReceiver } from '../../src/consensus/snapshot-receiver.js';
import { Network } from './harness.js';

const CHUNK = 32;

/** Leader 1 of {1,2,3}; 3 is cut off while 20 entries commit, then 1 compacts its log. */
function lagging(config: object = {}): Network {
  const net = new Network({ voters: ['1', '2', '3'], config: { snapshotChunkBytes: CHUNK, maxSnapshotChunksInFlight: 2, ...config } });
  net.campaign('1');
  net.stabilize();
  net.isolate('3');
  for (let i = 0; i < 20; i++) net.propose('1', `entry-${i}`);
  net.stabilize();
  net.compact('1');
  net.processAll();
  expect(net.node('1').status().firstIndex).toBe(22);
  net.heal();
  return net;
}

const snapChunks = (net: Network, to: string): MsgSnap[] => net.queue.filter((m): m is MsgSnap => m.type === 'MsgSnap' && m.to === to);

describe('snapshots and compaction', () => {
  it('the application snapshot compacts the log and is persisted through the Ready', () => {
    const net = lagging();
    const readies = net.get('1').readies;
    const last = readies[readies.length - 1];
    expect(last?.localSnapshot?.metadata).toEqual({ index: 21, term: 1, confState: { voters: ['1', '2', '3'], learners: [] } });
    expect(net.get('1').durable.snapshot?.metadata.index).toBe(21);
    expect(net.get('1').durable.entries).toEqual([]);
  });

  it('refuses a snapshot beyond the applied index', () => {
    const net = lagging();
    const status = net.node('1').status();
    expect(net.node('1').compact(status.applied + 1, new Uint8Array(1))).toMatchObject({ ok: false, reason: 'invalid-snapshot' });
  });

  it('a lagging follower receives the snapshot in bounded chunks and restores from it', () => {
    const net = lagging();
    net.tickAll(1);
    const total = JSON.stringify(net.get('1').applied).length;
    expect(total).toBeGreaterThan(4 * CHUNK);
    expect(net.node('3').status()).toMatchObject({ commit: 21, applied: 21, firstIndex: 22 });
    expect(net.get('3').applied).toEqual(net.get('1').applied);
    const chunkLines = net.trace.filter((line) => line.startsWith('1->3 MsgSnap'));
    expect(chunkLines).toHaveLength(Math.ceil(total / CHUNK));
    const emitted = net.get('3').readies.filter((r) => r.snapshot !== undefined);
    expect(emitted).toHaveLength(1);
    expect(emitted[0]?.snapshot?.data.byteLength).toBe(total);
    // Then replication resumes with entries after the snapshot.
    net.propose('1', 'after');
    net.stabilize();
    expect(net.get('3').applied.at(-1)).toBe('after');
    expect(net.node('1').status().progress.get('3')).toMatchObject({ state: 'replicate', match: 22 });
  });

  it('keeps at most maxSnapshotChunksInFlight chunks unacknowledged', () => {
    const net = lagging();
    for (const replica of net.replicas.values()) replica.node.tick();
    for (let round = 0; round < 20; round++) {
      net.processAll();
      const chunks = snapChunks(net, '3');
      expect(chunks.length).toBeLessThanOrEqual(2);
      for (const chunk of chunks) expect(chunk.chunk.byteLength).toBeLessThanOrEqual(CHUNK);
      net.deliver();
    }
    expect(net.node('3').status().applied).toBe(21);
  });

  it('a lost chunk is resent after the next heartbeat answer', () => {
    const net = lagging();
    for (const replica of net.replicas.values()) replica.node.tick();
    // Heartbeat answer, probe, rejection: then the leader finds the entries compacted.
    for (let round = 0; round < 10; round++) {
      net.processAll();
      if (snapChunks(net, '3').length > 0) break;
      net.deliver();
    }
    const first = snapChunks(net, '3')[0];
    expect(first?.offset).toBe(0);
    net.drop((m) => m === first);
    net.stabilize();
    expect(net.node('3').status().applied).toBe(1); // stalled: later chunks refused
    net.tickAll(1);
    expect(net.node('3').status().applied).toBe(21);
    expect(net.get('3').applied).toEqual(net.get('1').applied);
  });

  it('a follower that restarts mid-transfer gets the snapshot again from the start', () => {
    const net = lagging();
    for (const replica of net.replicas.values()) replica.node.tick();
    for (let i = 0; i < 3; i++) {
      net.processAll();
      net.deliver();
    }
    net.restart('3');
    net.tickAll(2);
    expect(net.node('3').status().applied).toBe(21);
    expect(net.get('3').applied).toEqual(net.get('1').applied);
  });

  it('a replica restarts from its snapshot and the entries after it', () => {
    const net = lagging();
    net.tickAll(1);
    net.propose('1', 'x', 'y');
    net.stabilize();
    net.restart('3');
    expect(net.node('3').status()).toMatchObject({ firstIndex: 22, lastIndex: 23, applied: 21 });
    net.tickAll(1);
    expect(net.get('3').applied).toEqual(net.get('1').applied);
  });

  it('a learner added after compaction learns the configuration from the snapshot', () => {
    const net = new Network({ voters: ['1', '2', '3'], bootstrap: 'log', config: { snapshotChunkBytes: CHUNK } });
    net.campaign('1');
    net.stabilize();
    net.propose('1', 'a');
    net.stabilize();
    net.compact('1');
    net.add('4');
    const result = net.node('1').proposeConfChange({ type: 'add-learner', replicaId: '4' });
    expect(result.ok).toBe(true);
    net.stabilize();
    net.tickAll(2);
    expect(net.node('4').status().confState).toEqual({ voters: ['1', '2', '3'], learners: ['4'] });
    expect(net.get('4').applied).toEqual(['a']);
  });

  it('a snapshot larger than maxSnapshotBytes is refused by the follower', () => {
    const net = lagging({ maxSnapshotBytes: 100 });
    net.tickAll(3);
    expect(net.node('3').status().applied).toBe(1);
    expect(net.trace.some((line) => line.startsWith('3->1 MsgSnapResp') && line.endsWith('Rejected'))).toBe(true);
  });
});

describe('snapshot receiver', () => {
  const meta = { index: 5, term: 2, confState: { voters: ['1'], learners: [] } };

  it('reassembles in-order chunks and refuses a gap', () => {
    const receiver = new SnapshotReceiver(1000);
    expect(receiver.accept(meta, 6, 0, new Uint8Array([1, 2]))).toEqual({ kind: 'accepted', receivedBytes: 2 });
    expect(receiver.accept(meta, 6, 4, new Uint8Array([5, 6]))).toMatchObject({ kind: 'rejected', receivedBytes: 2 });
    expect(receiver.accept(meta, 6, 2, new Uint8Array([3, 4]))).toEqual({ kind: 'accepted', receivedBytes: 4 });
    const done = receiver.accept(meta, 6, 4, new Uint8Array([5, 6]));
    expect(done.kind === 'complete' && [...done.snapshot.data]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('a newer snapshot starts over; an older one is refused', () => {
    const receiver = new SnapshotReceiver(1000);
    receiver.accept(meta, 4, 0, new Uint8Array([1, 2]));
    expect(receiver.accept({ ...meta, index: 3 }, 4, 0, new Uint8Array([9]))).toMatchObject({ kind: 'rejected' });
    expect(receiver.accept({ ...meta, index: 7 }, 2, 0, new Uint8Array([7]))).toEqual({ kind: 'accepted', receivedBytes: 1 });
    expect(receiver.snapshotIndex).toBe(7);
  });

  it('an empty snapshot completes with its single empty chunk', () => {
    const receiver = new SnapshotReceiver(1000);
    expect(receiver.accept(meta, 0, 0, new Uint8Array(0))).toMatchObject({ kind: 'complete' });
  });
});
