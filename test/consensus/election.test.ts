import { describe, it, expect } from 'vitest';
import { bootstrapState } from '../../src/consensus/bootstrap.js';
import { RaftNode } from '../../src/consensus/raft-node.js';
import { readyToWriteBatch } from '../../src/consensus/ready.js';
import { EntryType } from '../../src/consensus/types.js';
import { MemoryDisk } from '../../src/storage/memory-disk.js';
import { MemoryStorage } from '../../src/storage/memory-storage.js';
import { createPrng, type Prng } from '../../src/util/prng.js';
import { Network } from './harness.js';

function elected(voters: string[], leader: string, config = {}): Network {
  const net = new Network({ voters, config });
  net.campaign(leader);
  net.stabilize();
  expect(net.leaders()).toEqual([leader]);
  return net;
}

describe('leader election', () => {
  it('a campaign with PreVote wins a quorum and every replica learns the leader', () => {
    const net = new Network({ voters: ['1', '2', '3'] });
    net.campaign('1');
    net.stabilize();
    expect(net.trace.slice(0, 8)).toEqual([
      '1->2 MsgPreVote Term:1 Log:0/0',
      '1->3 MsgPreVote Term:1 Log:0/0',
      '2->1 MsgPreVoteResp Term:1',
      '3->1 MsgPreVoteResp Term:1',
      '1->2 MsgVote Term:1 Log:0/0',
      '1->3 MsgVote Term:1 Log:0/0',
      '2->1 MsgVoteResp Term:1',
      '3->1 MsgVoteResp Term:1',
    ]);
    for (const id of ['1', '2', '3']) {
      const status = net.node(id).status();
      expect(status.term).toBe(1);
      expect(status.lead).toBe('1');
    }
    // The new leader's empty entry commits everywhere.
    expect(net.node('3').status().commit).toBe(1);
  });

  it('a replica that cannot reach a quorum does not become leader', () => {
    const net = new Network({ voters: ['1', '2', '3'], config: { preVote: false } });
    net.isolate('1');
    net.campaign('1');
    net.stabilize();
    expect(net.node('1').status().role).toBe('candidate');
    expect(net.leaders()).toEqual([]);
  });

  it('a voter grants one vote per term', () => {
    const net = new Network({ voters: ['1', '2', '3'], config: { preVote: false } });
    net.campaign('1');
    net.campaign('2');
    // 3 hears 1's request first, then 2's, in the same term.
    net.processAll();
    net.deliver((m) => m.to === '3' && m.from === '1');
    net.deliver((m) => m.to === '3' && m.from === '2');
    net.processAll();
    const answers = net.queue.filter((m) => m.from === '3' && m.type === 'MsgVoteResp');
    expect(answers.map((m) => [m.to, m.type === 'MsgVoteResp' && m.reject])).toEqual([
      ['1', false],
      ['2', true],
    ]);
  });

  it('election timeouts are drawn from [electionTicks, 2*electionTicks) by the seeded PRNG', () => {
    const ticksToCampaign = (seed: number): number => {
      const node = new RaftNode(
        { id: '1', electionTicks: 10, preVote: false },
        { hardState: { term: 0, vote: null, commit: 0 }, confState: { voters: ['1', '2'], learners: [] }, snapshot: null, entries: [] },
        createPrng(seed),
      );
      for (let ticks = 1; ticks <= 100; ticks++) {
        node.tick();
        if (node.status().role === 'candidate') return ticks;
      }
      return -1;
    };
    const samples = Array.from({ length: 40 }, (_, seed) => ticksToCampaign(seed));
    for (const ticks of samples) {
      expect(ticks).toBeGreaterThanOrEqual(10);
      expect(ticks).toBeLessThan(20);
    }
    expect(new Set(samples).size).toBeGreaterThan(3);
    expect(ticksToCampaign(7)).toBe(ticksToCampaign(7));
  });

  it('a single voter elects itself and commits alone', () => {
    const net = new Network({ voters: ['1'] });
    net.tickAll(20);
    expect(net.leaders()).toEqual(['1']);
    net.propose('1', 'x');
    net.stabilize();
    expect(net.get('1').applied).toEqual(['x']);
  });

  it('followers elect a new leader by ticking after the leader is cut off', () => {
    const net = elected(['1', '2', '3'], '1');
    net.isolate('1');
    net.tickAll(40);
    const leaders = net.leaders().filter((id) => id !== '1');
    expect(leaders).toHaveLength(1);
    expect(net.node(leaders[0] as string).status().term).toBeGreaterThan(1);
  });
});

describe('durability ordering', () => {
  it('a vote is answered only after the vote is in the durable hard state', () => {
    const net = new Network({ voters: ['1', '2', '3'], config: { preVote: false } });
    net.campaign('1');
    net.processAll();
    net.deliver((m) => m.to === '2');
    const ready = net.node('2').ready();
    expect(ready.messages.filter((m) => m.type === 'MsgVoteResp')).toEqual([]);
    expect(ready.messagesAfterDurable.map((m) => m.type)).toEqual(['MsgVoteResp']);
    expect(ready.hardState).toEqual({ term: 1, vote: '1', commit: 0 });
    expect(ready.mustSync).toBe(true);
  });

  it('a replica that crashes before its vote is durable has not voted', () => {
    const net = new Network({ voters: ['1', '2', '3'], config: { preVote: false } });
    net.campaign('1');
    net.processAll();
    net.deliver((m) => m.to === '2');
    net.node('2').ready(); // never persisted, never sent
    net.restart('2');
    expect(net.node('2').status()).toMatchObject({ term: 0, vote: null });
  });

  it('a candidate asks for votes only after its new term and self-vote are durable', () => {
    const net = new Network({ voters: ['1', '2', '3'], config: { preVote: false } });
    net.campaign('1');
    const ready = net.node('1').ready();
    expect(ready.messages).toEqual([]);
    expect(ready.messagesAfterDurable.map((m) => m.type)).toEqual(['MsgVote', 'MsgVote']);
    expect(ready.hardState).toEqual({ term: 1, vote: '1', commit: 0 });
  });

  it('entries are acknowledged only after they are durable', () => {
    const net = elected(['1', '2', '3'], '1');
    net.propose('1', 'a');
    net.processAll();
    net.deliver((m) => m.to === '2');
    const ready = net.node('2').ready();
    expect(ready.entries.map((e) => e.index)).toEqual([2]);
    expect(ready.messages.filter((m) => m.type === 'MsgAppResp')).toEqual([]);
    expect(ready.messagesAfterDurable.map((m) => m.type)).toEqual(['MsgAppResp']);
  });

  it('a leader counts its own entry toward commit only once it is durable', () => {
    const net = elected(['1', '2', '3'], '1');
    net.propose('1', 'a');
    const leaderReady = net.node('1').ready(); // entry 2 handed out, not yet advanced
    expect(leaderReady.entries.map((e) => e.index)).toEqual([2]);
    net.queue.push(...leaderReady.messages);
    net.deliver((m) => m.to === '2');
    net.process('2');
    net.deliver((m) => m.to === '1'); // 2 acknowledges entry 2
    expect(net.node('1').status().commit).toBe(1); // 1 of 3 durable + an undurable leader: no commit
    net.node('1').advance();
    expect(net.node('1').status().commit).toBe(2);
  });
});

describe('restart', () => {
  it('a restarted replica keeps its term, vote and log, and catches up', () => {
    const net = elected(['1', '2', '3'], '1');
    net.propose('1', 'a', 'b');
    net.stabilize();
    const before = net.node('2').status();
    net.restart('2');
    const after = net.node('2').status();
    expect(after).toMatchObject({ term: before.term, vote: before.vote, lastIndex: before.lastIndex, commit: before.commit, applied: 0 });
    net.stabilize();
    expect(net.get('2').applied).toEqual(['a', 'b']);
    net.propose('1', 'c');
    net.tickAll(1);
    expect(net.get('2').applied).toEqual(['a', 'b', 'c']);
  });

  it('a whole cluster restarts and elects again without losing committed entries', () => {
    const net = elected(['1', '2', '3'], '1');
    net.propose('1', 'a', 'b');
    net.stabilize();
    for (const id of ['1', '2', '3']) net.restart(id);
    net.tickAll(40);
    const [leader] = net.leaders();
    expect(leader).toBeDefined();
    net.propose(leader as string, 'c');
    net.stabilize();
    for (const id of ['1', '2', '3']) expect(net.get(id).applied).toEqual(['a', 'b', 'c']);
  });
});

/** A founding replica of {r1, r2, r3} on a MemoryDisk, started from its bootstrap log (term 1, commit 6). */
function founderOnDisk(id: string): { node: RaftNode; storage: MemoryStorage; disk: MemoryDisk } {
  const disk = new MemoryDisk();
  const storage = new MemoryStorage(disk);
  storage.openSync();
  storage.submit(bootstrapState({ voters: ['r1', 'r2', 'r3'], learners: [] }).batch);
  storage.completeAll();
  return { node: new RaftNode({ id, electionTicks: 10 }, disk.recover(), createPrng(1)), storage, disk };
}

/** A PRNG whose integer draws are all `value`: MemoryStorage.crash keeps that many steps of the write. */
function keepSteps(value: number): Prng {
  return { ...createPrng(7), nextInt: () => value };
}

describe('restart from a torn write', () => {
  it('a replica whose torn write kept a newer term\'s entry but lost the hard state adopts the log\'s term, with no vote', () => {
    const { node, storage, disk } = founderOnDisk('r2');
    // r2 votes for r1 in term 2, durably.
    node.step({ type: 'MsgVote', from: 'r1', to: 'r2', term: 2, index: 6, logTerm: 1, transfer: false });
    storage.submit(readyToWriteBatch(node.ready())!);
    storage.completeAll();
    node.advance();
    // r3 leads term 3: r2 takes term 3 and r3's first entry in one write, and crashes mid-flush.
    node.step({ type: 'MsgApp', from: 'r3', to: 'r2', term: 3, index: 6, logTerm: 1, entries: [{ term: 3, index: 7, type: EntryType.Normal, data: new Uint8Array(0) }], commit: 6 });
    const ready = node.ready();
    expect(ready.messagesAfterDurable.map((m) => m.type)).toEqual(['MsgAppResp']); // never sent
    storage.submit(readyToWriteBatch(ready)!);
    storage.crash({ torn: keepSteps(1) });
    const recovered = new MemoryStorage(disk).openSync();
    expect(recovered.hardState).toEqual({ term: 2, vote: 'r1', commit: 6 });
    expect(recovered.entries.at(-1)).toMatchObject({ term: 3, index: 7 });

    const restarted = new RaftNode({ id: 'r2', electionTicks: 10 }, recovered, createPrng(2));
    // No hard state of term 3 was ever durable, so r2 cast no vote in term 3.
    expect(restarted.status()).toMatchObject({ term: 3, vote: null, lastIndex: 7, commit: 6 });
    const first = restarted.ready();
    expect(first.hardState).toEqual({ term: 3, vote: null, commit: 6 });
    expect(first.mustSync).toBe(true);
    restarted.advance();
    // It votes at most once in term 3, on the merits.
    restarted.step({ type: 'MsgVote', from: 'r1', to: 'r2', term: 3, index: 7, logTerm: 3, transfer: false });
    restarted.step({ type: 'MsgVote', from: 'r3', to: 'r2', term: 3, index: 7, logTerm: 3, transfer: false });
    const answers = restarted.ready().messagesAfterDurable.filter((m) => m.type === 'MsgVoteResp');
    expect(answers.map((m) => `${m.to}:${m.type === 'MsgVoteResp' && m.reject ? 'no' : 'yes'}`)).toEqual(['r1:yes', 'r3:no']);
  });

  it('a replica whose torn write kept a newer term\'s snapshot but lost the hard state adopts the snapshot\'s term', () => {
    const { node, storage, disk } = founderOnDisk('r2');
    const confState = { voters: ['r1', 'r2', 'r3'], learners: [] };
    node.step({ type: 'MsgSnap', from: 'r3', to: 'r2', term: 4, metadata: { index: 40, term: 4, confState }, totalBytes: 2, offset: 0, chunk: new Uint8Array(2) });
    const ready = node.ready();
    expect(ready.snapshot?.metadata.index).toBe(40);
    storage.submit(readyToWriteBatch(ready)!);
    storage.crash({ torn: keepSteps(1) });
    const recovered = new MemoryStorage(disk).openSync();
    expect(recovered.hardState.term).toBe(1);
    const restarted = new RaftNode({ id: 'r2', electionTicks: 10 }, recovered, createPrng(2));
    expect(restarted.status()).toMatchObject({ term: 4, vote: null, commit: 40, lastIndex: 40 });
  });

  it('a recovered commit beyond the recovered log is refused: the storage lost entries it had made durable', () => {
    const entries = [1, 2, 3].map((index) => ({ term: 1, index, type: EntryType.Normal, data: new Uint8Array(0) }));
    const recovered = { hardState: { term: 1, vote: null, commit: 9 }, confState: { voters: ['1', '2', '3'], learners: [] }, snapshot: null, entries };
    expect(() => new RaftNode({ id: '1' }, recovered, createPrng(1))).toThrow('recovered commit 9 is outside the log');
    // A commit below the recovered snapshot (the hard state of the write that carried it was lost) is raised to it.
    const snapshot = { metadata: { index: 5, term: 1, confState: { voters: ['1', '2', '3'], learners: [] } }, data: new Uint8Array(0) };
    const node = new RaftNode({ id: '1' }, { ...recovered, hardState: { term: 1, vote: null, commit: 2 }, snapshot, entries: [] }, createPrng(1));
    expect(node.status()).toMatchObject({ commit: 5, lastIndex: 5 });
  });
});
