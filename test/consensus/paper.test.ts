/**
 * Tests that cite the sentence of Ongaro's dissertation ("Consensus: Bridging Theory and Practice",
 * 2014) or the Raft paper they check.
 */
import { describe, it, expect } from 'vitest';
import type { MsgApp } from '../../src/consensus/message.js';
import { RaftNode } from '../../src/consensus/raft-node.js';
import type { Entry } from '../../src/consensus/types.js';
import { createPrng } from '../../src/util/prng.js';
import { Network, bytes, text } from './harness.js';

const basic = { preVote: false, checkQuorum: false };

describe('§3.4 leader election', () => {
  it('"A candidate wins an election if it receives votes from a majority of the servers in the full cluster for the same term"', () => {
    const cases: { voters: number; grants: number; role: string }[] = [
      { voters: 3, grants: 1, role: 'leader' },
      { voters: 3, grants: 0, role: 'candidate' },
      { voters: 5, grants: 2, role: 'leader' },
      { voters: 5, grants: 1, role: 'candidate' },
      { voters: 4, grants: 1, role: 'candidate' },
      { voters: 4, grants: 2, role: 'leader' },
    ];
    for (const { voters, grants, role } of cases) {
      const ids = Array.from({ length: voters }, (_, i) => String(i + 1));
      const net = new Network({ voters: ids, config: basic });
      net.campaign('1');
      net.processAll();
      let granted = 0;
      net.deliver((m) => m.type === 'MsgVote' && granted++ < grants);
      net.processAll();
      net.deliver((m) => m.type === 'MsgVoteResp');
      expect(net.node('1').status().role, `${grants} grants of ${voters}`).toBe(role);
    }
  });

  it('"each server will vote for at most one candidate in a given term, on a first-come-first-served basis"', () => {
    const net = new Network({ voters: ['1', '2', '3'], config: basic });
    net.campaign('2');
    net.campaign('3');
    net.processAll();
    net.deliver((m) => m.to === '1' && m.from === '3');
    net.deliver((m) => m.to === '1' && m.from === '2');
    net.processAll();
    const answers = net.queue.filter((m) => m.from === '1' && m.type === 'MsgVoteResp');
    expect(answers.map((m) => `${m.to}:${m.type === 'MsgVoteResp' && m.reject ? 'no' : 'yes'}`)).toEqual(['3:yes', '2:no']);
  });

  it('"If a follower receives no communication over a period of time called the election timeout, then it ... begins an election"', () => {
    const net = new Network({ voters: ['1', '2', '3'], config: basic });
    net.tick('2', 19);
    expect(net.node('2').status().role).toBe('candidate');
  });

  it('"If a candidate or leader discovers that its term is out of date, it immediately reverts to follower state"', () => {
    const net = new Network({ voters: ['1', '2', '3'], config: basic });
    net.campaign('1');
    net.stabilize();
    net.node('1').step({ type: 'MsgHeartbeat', from: '2', to: '1', term: 9, commit: 0, readSeq: 0 });
    expect(net.node('1').status()).toMatchObject({ role: 'follower', term: 9, lead: '2' });
  });

  it('§3.6.1 "the voter denies its vote if its own log is more up-to-date than that of the candidate"', () => {
    const node = new RaftNode(
      { id: '1', ...basic },
      {
        hardState: { term: 2, vote: null, commit: 0 },
        confState: { voters: ['1', '2', '3'], learners: [] },
        snapshot: null,
        entries: [entry(1, 1), entry(2, 2)],
      },
      createPrng(1),
    );
    let term = 2;
    const ask = (index: number, logTerm: number): boolean => {
      term += 1; // a fresh term each time, so the vote is free
      node.step({ type: 'MsgVote', from: '2', to: '1', term, index, logTerm, transfer: false });
      const ready = node.ready();
      node.advance();
      const resp = ready.messagesAfterDurable.find((m) => m.type === 'MsgVoteResp');
      return resp !== undefined && resp.type === 'MsgVoteResp' && !resp.reject;
    };
    expect(ask(1, 1)).toBe(false); // older last term
    expect(ask(5, 1)).toBe(false); // longer, but older last term
    expect(ask(1, 2)).toBe(false); // same last term, shorter
    expect(ask(2, 2)).toBe(true); // same last term and length
    expect(ask(1, 3)).toBe(true); // newer last term
  });
});

describe('§3.5 log replication', () => {
  it('"If the follower does not find an entry in its log with the same index and term, then it refuses the new entries"', () => {
    const node = follower([entry(1, 1), entry(2, 1)]);
    node.step(append(2, 2, [entry(3, 2)]));
    node.step(append(3, 1, [entry(4, 2)]));
    const ready = node.ready();
    const responses = ready.messagesAfterDurable.filter((m) => m.type === 'MsgAppResp');
    expect(responses.map((m) => m.type === 'MsgAppResp' && m.reject)).toEqual([true, true]);
    expect(ready.entries).toEqual([]);
  });

  it('"if an existing entry conflicts with a new one (same index but different terms), delete the existing entry and all that follow it"', () => {
    const node = follower([entry(1, 1), entry(2, 1), entry(3, 1)]);
    node.step(append(1, 1, [entry(2, 2)]));
    const ready = node.ready();
    expect(ready.entries.map((e) => `${e.term}/${e.index}`)).toEqual(['2/2']);
    expect(node.status().lastIndex).toBe(2);
  });

  it('"the follower ... appends any new entries not already in the log" and ignores ones it has (idempotent)', () => {
    const node = follower([entry(1, 1), entry(2, 1)]);
    node.step(append(0, 0, [entry(1, 1), entry(2, 1)]));
    expect(node.hasReady()).toBe(true);
    const ready = node.ready();
    expect(ready.entries).toEqual([]);
    expect(node.status().lastIndex).toBe(2);
  });
});

describe('§3.6.1 / Figure 3.7: commitment', () => {
  it('"Raft never commits log entries from previous terms by counting replicas" (the Figure 8 scenario)', () => {
    const net = new Network({ voters: ['1', '2', '3', '4', '5'], config: { ...basic, maxEntriesPerMsg: 1 } });
    net.campaign('1');
    net.stabilize(); // term 1: index 1 committed everywhere

    // (a) S1 leads term 1 and replicates index 2 only to S2.
    net.partition(['1', '2'], ['3'], ['4'], ['5']);
    net.propose('1', 'x');
    net.stabilize();
    expect(net.node('1').status().commit).toBe(1);

    // (b) S1 crashes; S5 is elected in term 2 by S3, S4 and itself and accepts a different index 2.
    net.restart('1');
    net.heal();
    net.partition(['1'], ['2'], ['3', '4', '5']);
    net.campaign('5');
    for (let i = 0; i < 2; i++) {
      net.processAll();
      net.deliver((m) => m.type !== 'MsgApp');
    }
    net.processAll(); // S5 persists its entry at index 2; nobody receives it
    net.drop((m) => m.type === 'MsgApp');
    expect(net.node('5').status()).toMatchObject({ role: 'leader', term: 2, lastIndex: 2 });

    // (c) S5 crashes; S1 restarts, is elected in term 3 and replicates index 2 (term 1) to S3.
    net.restart('5');
    net.heal();
    net.partition(['1', '2', '3'], ['4'], ['5']);
    net.campaign('1'); // term 2: S3 already voted for S5
    net.stabilize();
    net.campaign('1'); // term 3
    for (let round = 0; round < 20; round++) {
      net.processAll();
      // Once S3 holds index 2, keep index 3 (the new leader's own entry) from it.
      const s3HasIndex2 = termAt(net, '3', 2) !== undefined;
      net.drop((m) => s3HasIndex2 && m.type === 'MsgApp' && m.to === '3' && m.entries.some((e) => e.index === 3));
      net.deliver();
    }
    expect(net.node('1').status()).toMatchObject({ role: 'leader', term: 3 });
    for (const id of ['1', '2', '3']) expect(termAt(net, id, 2), `S${id}`).toBe(1);
    const progress = net.node('1').status().progress;
    expect([progress.get('1')?.match, progress.get('2')?.match, progress.get('3')?.match]).toEqual([3, 3, 2]);
    // Index 2 is on a majority, but it is from term 1: not committed.
    expect(net.node('1').status().commit).toBe(1);

    // (d) Had it been committed, this would lose it: S1 crashes, S5 wins term 4 (with S3 and S4, its
    // last term 2 beats their term 1) and overwrites index 2.
    net.restart('1');
    net.heal();
    net.partition(['1'], ['2'], ['3', '4', '5']);
    net.campaign('5'); // term 3: S3 already voted for S1
    net.stabilize();
    net.campaign('5');
    net.stabilize();
    expect(net.node('5').status()).toMatchObject({ role: 'leader', term: 4 });
    expect(termAt(net, '3', 2)).toBe(2);
    for (const id of ['1', '2', '3', '4', '5']) expect(net.get(id).applied).not.toContain('x');
  });

  it('"once an entry from the current term has been committed ... all prior entries are committed indirectly" (Figure 8 e)', () => {
    const net = new Network({ voters: ['1', '2', '3', '4', '5'], config: { ...basic, maxEntriesPerMsg: 1 } });
    net.campaign('1');
    net.stabilize();
    net.partition(['1', '2'], ['3'], ['4'], ['5']);
    net.propose('1', 'x');
    net.stabilize();
    net.restart('1');
    net.heal();
    net.partition(['1', '2', '3'], ['4'], ['5']);
    net.campaign('1');
    net.stabilize();
    expect(net.node('1').status().role).toBe('leader');
    expect(net.node('1').status().commit).toBe(3);
    expect(net.get('3').applied).toEqual(['x']);
  });
});

describe('§4.2.3 disruptive servers', () => {
  it('"servers ignore RequestVote RPCs when they believe a current leader exists" so a removed server cannot disrupt', () => {
    const net = new Network({ voters: ['1', '2', '3'] });
    net.campaign('1');
    net.stabilize();
    net.isolate('3'); // 3 never learns it was removed
    const result = net.node('1').proposeConfChange({ type: 'remove-node', replicaId: '3' });
    expect(result.ok).toBe(true);
    net.stabilize();
    net.heal();
    for (let i = 0; i < 60; i++) {
      net.tick('3');
      net.tickAll(1);
    }
    expect(net.node('1').status()).toMatchObject({ role: 'leader', term: 1 });
    expect(net.node('2').status().term).toBe(1);
  });
});

describe('§6.4 processing read-only queries', () => {
  it('a deposed leader in a minority cannot serve a read; the new leader serves it at an index covering every commit', () => {
    const net = new Network({ voters: ['1', '2', '3'] });
    net.campaign('1');
    net.stabilize();
    net.isolate('1');
    net.tickAll(40);
    const newLeader = net.leaders().find((id) => id !== '1') as string;
    net.propose(newLeader, 'w');
    net.stabilize();
    net.node('1').readIndex(bytes('old'));
    net.node(newLeader).readIndex(bytes('new'));
    net.stabilize();
    expect(net.get('1').readStates).toEqual([]);
    const [state] = net.get(newLeader).readStates;
    expect(text(state?.requestContext ?? new Uint8Array())).toBe('new');
    expect(state?.index).toBe(net.node(newLeader).status().commit);
  });
});

describe('safety under random faults (§3.4 election safety, §3.5 log matching, §3.6 state machine safety)', () => {
  it('holds for random partitions, losses, reorderings, restarts and compactions', () => {
    for (let seed = 1; seed <= 16; seed++) runRandom(seed);
  });
});

function runRandom(seed: number): void {
  const ids = ['1', '2', '3', '4', '5'];
  // Odd seeds run basic Raft (more elections), even seeds PreVote + CheckQuorum.
  const config = seed % 2 === 1 ? { ...basic, electionTicks: 4, heartbeatTicks: 1 } : { electionTicks: 4, heartbeatTicks: 1 };
  const net = new Network({ voters: ids, seed, config });
  const prng = createPrng(seed * 7919);
  const leaderOfTerm = new Map<number, string>();
  let proposals = 0;
  for (let step = 0; step < 1500; step++) {
    const action = prng.nextInt(100);
    const id = ids[prng.nextInt(ids.length)] as string;
    if (action < 35) net.tick(id);
    else if (action < 75) {
      net.processAll();
      net.deliver(() => prng.chance(0.7));
      net.drop(() => prng.chance(0.05));
    } else if (action < 85) {
      const status = net.node(id).status();
      if (status.role === 'leader') net.node(id).propose([bytes(`s${seed}-p${proposals++}`)]);
    } else if (action < 90) {
      // Cut off the leader most of the time, so leadership keeps changing.
      net.heal();
      const cut = prng.chance(0.7) ? (net.leaders()[0] ?? id) : id;
      if (prng.chance(0.6)) net.isolate(cut);
    } else if (action < 92) {
      net.processAll();
      net.restart(id);
    } else if (action < 94) {
      const status = net.node(id).status();
      if (status.applied > status.firstIndex + 3) net.compact(id);
    } else net.processAll();
    for (const other of ids) {
      const status = net.node(other).status();
      if (status.role !== 'leader') continue;
      const known = leaderOfTerm.get(status.term);
      expect(known === undefined || known === other, `seed ${seed}: two leaders in term ${status.term}`).toBe(true);
      leaderOfTerm.set(status.term, other);
    }
  }
  net.heal();
  net.tickAll(60);
  const logs = ids.map((id) => net.get(id).durable.entries);
  for (let a = 0; a < logs.length; a++) {
    for (let b = a + 1; b < logs.length; b++) checkLogMatching(logs[a] as Entry[], logs[b] as Entry[], seed);
  }
  const applied = ids.map((id) => net.get(id).applied);
  const longest = applied.reduce((x, y) => (y.length > x.length ? y : x));
  for (const list of applied) expect(longest.slice(0, list.length), `seed ${seed}: applied sequences diverge`).toEqual(list);
  expect(net.leaders(), `seed ${seed}: no leader after healing`).toHaveLength(1);
}

function checkLogMatching(a: readonly Entry[], b: readonly Entry[], seed: number): void {
  const byIndex = new Map(b.map((e) => [e.index, e]));
  for (let i = a.length - 1; i >= 0; i--) {
    const mine = a[i] as Entry;
    const theirs = byIndex.get(mine.index);
    if (theirs === undefined || theirs.term !== mine.term) continue;
    // Same index and term: every entry up to here is identical.
    for (let j = 0; j <= i; j++) {
      const x = a[j] as Entry;
      const y = byIndex.get(x.index);
      if (y === undefined) continue;
      expect(`${y.term}:${text(y.data)}`, `seed ${seed}: log matching broken at ${x.index}`).toBe(`${x.term}:${text(x.data)}`);
    }
    return;
  }
}

function entry(index: number, term: number): Entry {
  return { index, term, type: 0, data: bytes(`${term}/${index}`) };
}

function follower(entries: Entry[]): RaftNode {
  const term = entries.at(-1)?.term ?? 0;
  return new RaftNode(
    { id: '2', ...basic },
    { hardState: { term, vote: null, commit: 0 }, confState: { voters: ['1', '2', '3'], learners: [] }, snapshot: null, entries },
    createPrng(1),
  );
}

function append(index: number, logTerm: number, entries: Entry[]): MsgApp {
  return { type: 'MsgApp', from: '1', to: '2', term: 2, index, logTerm, entries, commit: 0 };
}

function termAt(net: Network, id: string, index: number): number | undefined {
  return net.get(id).durable.entries.find((e) => e.index === index)?.term;
}
