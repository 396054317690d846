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

/** Processes and delivers until the leader's first MsgSnap to `to` is queued (not delivered). */
function untilFirstChunk(net: Network, to: string): void {
  for (let round = 0; round < 10; round++) {
    net.processAll();
    if (snapChunks(net, to).length > 0) return;
    net.deliver();
  }
  throw new Error(`no MsgSnap to ${to}`);
}

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

  it('a follower holding part of an old leader\'s snapshot takes a newer leader\'s snapshot, even one with a lower index', () => {
    const net = new Network({ voters: ['1', '2', '3'], config: { snapshotChunkBytes: CHUNK, maxSnapshotChunksInFlight: 2 } });
    net.campaign('1');
    net.stabilize();
    net.isolate('3');
    for (let i = 0; i < 10; i++) net.propose('1', `entry-${i}`);
    net.stabilize();
    net.compact('2'); // 2 compacts less than 1 will
    for (let i = 10; i < 20; i++) net.propose('1', `entry-${i}`);
    net.stabilize();
    net.compact('1');
    net.processAll();
    const oldIndex = net.node('1').status().firstIndex - 1;
    const newIndex = net.node('2').status().firstIndex - 1;
    expect(newIndex).toBeLessThan(oldIndex);
    // 3 receives the first chunk of 1's snapshot, then 1 is cut off for good.
    net.heal();
    for (const replica of net.replicas.values()) replica.node.tick();
    untilFirstChunk(net, '3');
    net.deliver((m) => m.type === 'MsgSnap' && m.to === '3' && m.offset === 0);
    net.isolate('1');
    net.drop(() => true);
    // 2 wins the next term and streams its own (older) snapshot to 3, which takes it.
    net.tickAll(60);
    expect(net.leaders()).toContain('2');
    expect(net.trace.some((line) => line.startsWith(`2->3 MsgSnap`) && line.includes(`Snapshot:1/${newIndex} `))).toBe(true);
    expect(net.node('3').status().commit).toBe(net.node('2').status().commit);
    expect(net.get('3').applied).toEqual(net.get('2').applied);
  });

  it('a leader whose follower holds none of the snapshot being sent starts over with its latest snapshot', () => {
    const net = lagging();
    for (const replica of net.replicas.values()) replica.node.tick();
    untilFirstChunk(net, '3');
    net.deliver((m) => m.type === 'MsgSnap' && m.to === '3' && m.offset === 0);
    net.processAll();
    net.deliver((m) => m.to === '1'); // the first chunk's acknowledgement
    // The leader compacts further, and 3 restarts: it holds nothing of the snapshot at 21.
    net.isolate('3');
    for (let i = 0; i < 5; i++) net.propose('1', `later-${i}`);
    net.stabilize();
    net.compact('1');
    net.processAll();
    const latest = net.node('1').status().firstIndex - 1;
    expect(latest).toBeGreaterThan(21);
    net.restart('3');
    net.heal();
    net.tickAll(3);
    // 3 refused the old snapshot's next chunk (it must start at offset 0); the leader switched.
    const restored = net.get('3').readies.filter((r) => r.snapshot !== undefined).map((r) => r.snapshot?.metadata.index);
    expect(restored).toEqual([latest]);
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
  const leader = { leader: '1', term: 3 };

  it('reassembles in-order chunks and refuses a gap', () => {
    const receiver = new SnapshotReceiver(1000);
    expect(receiver.accept(leader, meta, 6, 0, new Uint8Array([1, 2]))).toEqual({ kind: 'accepted', receivedBytes: 2 });
    expect(receiver.accept(leader, meta, 6, 4, new Uint8Array([5, 6]))).toMatchObject({ kind: 'rejected', receivedBytes: 2 });
    expect(receiver.accept(leader, meta, 6, 2, new Uint8Array([3, 4]))).toEqual({ kind: 'accepted', receivedBytes: 4 });
    const done = receiver.accept(leader, meta, 6, 4, new Uint8Array([5, 6]));
    expect(done.kind === 'complete' && [...done.snapshot.data]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('from the same leader and term, a newer snapshot starts over; an older one is refused', () => {
    const receiver = new SnapshotReceiver(1000);
    receiver.accept(leader, meta, 4, 0, new Uint8Array([1, 2]));
    expect(receiver.accept(leader, { ...meta, index: 3 }, 4, 0, new Uint8Array([9]))).toMatchObject({ kind: 'rejected' });
    expect(receiver.accept(leader, { ...meta, index: 7 }, 2, 0, new Uint8Array([7]))).toEqual({ kind: 'accepted', receivedBytes: 1 });
    expect(receiver.snapshotIndex).toBe(7);
  });

  it('a chunk from a newer term or another leader discards the part held and starts over, whatever its index', () => {
    const receiver = new SnapshotReceiver(1000);
    expect(receiver.accept(leader, { ...meta, index: 9 }, 4, 0, new Uint8Array([1, 2]))).toEqual({ kind: 'accepted', receivedBytes: 2 });
    // The leader of term 4 sends an older snapshot: the old transfer is dead, so it is taken.
    expect(receiver.accept({ leader: '2', term: 4 }, meta, 3, 0, new Uint8Array([7]))).toEqual({ kind: 'accepted', receivedBytes: 1 });
    expect(receiver.snapshotIndex).toBe(5);
    // A chunk that is not the first still drops the dead part, and is refused until offset 0 comes.
    expect(receiver.accept({ leader: '3', term: 5 }, meta, 3, 1, new Uint8Array([8]))).toMatchObject({ kind: 'rejected', receivedBytes: 0 });
    expect(receiver.snapshotIndex).toBe(0);
    const done = receiver.accept({ leader: '3', term: 5 }, meta, 1, 0, new Uint8Array([6]));
    expect(done.kind === 'complete' && [...done.snapshot.data]).toEqual([6]);
  });

  it('an empty snapshot completes with its single empty chunk', () => {
    const receiver = new SnapshotReceiver(1000);
    expect(receiver.accept(leader, meta, 0, 0, new Uint8Array(0))).toMatchObject({ kind: 'complete' });
  });
});
