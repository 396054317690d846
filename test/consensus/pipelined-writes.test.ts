import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/consensus/message.js';
import { RaftLog, type PersistToken } from '../../src/consensus/raft-log.js';
import { readyToWriteBatch } from '../../src/consensus/ready.js';
import { EntryType, type Entry } from '../../src/consensus/types.js';
import type { WriteBatch } from '../../src/storage/durable-storage.js';
import { bytes, Network, text } from './harness.js';

// RaftNode.accept/persisted: a driver hands a Ready on without waiting for its write (as the replica
// core does), and reports the write durable later. What must wait for the write still waits.

interface InFlight {
  readonly batch: WriteBatch | null;
  readonly token: PersistToken | null;
  readonly afterDurable: readonly Message[];
}

/** Drives `id` pipelined: every Ready is accepted at once; its write and acknowledgements wait in `inFlight`. */
class PipelinedDriver {
  readonly inFlight: InFlight[] = [];

  constructor(
    private readonly net: Network,
    private readonly id: string,
  ) {}

  acceptAll(): void {
    const replica = this.net.get(this.id);
    while (replica.node.hasReady()) {
      const ready = replica.node.ready();
      this.net.queue.push(...ready.messages);
      for (const entry of ready.committedEntries) {
        if (entry.type === EntryType.Normal && entry.data.byteLength > 0) replica.applied.push(text(entry.data));
      }
      const token = replica.node.accept();
      this.inFlight.push({ batch: readyToWriteBatch(ready), token, afterDurable: ready.messagesAfterDurable });
    }
  }

  /** The oldest write becomes durable: it reaches the disk, its acknowledgements leave. */
  persistOldest(): void {
    const write = this.inFlight.shift();
    if (write === undefined) throw new Error('no write in flight');
    const replica = this.net.get(this.id);
    if (write.batch !== null) replica.durable.write(write.batch);
    this.net.queue.push(...write.afterDurable);
    if (write.token !== null) replica.node.persisted(write.token);
  }

  persistAll(): void {
    while (this.inFlight.length > 0) this.persistOldest();
  }
}

/** Delivers and processes everything except on `held`, which is driven by hand. */
function settleOthers(net: Network, held: string): void {
  for (let round = 0; round < 100; round++) {
    let moved = net.deliver() > 0;
    for (const id of net.replicas.keys()) if (id !== held) while (net.process(id)) moved = true;
    if (!moved) return;
  }
  throw new Error('did not settle');
}

function threeVoters(): Network {
  const net = new Network({ voters: ['r1', 'r2', 'r3'] });
  net.campaign('r1');
  net.stabilize();
  return net;
}

describe('pipelined writes', () => {
  it('a leader commits on its followers’ acknowledgements while its own write is in flight, and counts itself once it is durable', () => {
    const net = threeVoters();
    const leader = new PipelinedDriver(net, 'r1');
    net.propose('r1', 'x');
    leader.acceptAll();
    const index = net.node('r1').status().lastIndex;
    settleOthers(net, 'r1');
    leader.acceptAll();
    expect(net.get('r1').applied).toEqual(['x']);
    expect(net.node('r1').status().commit).toBe(index);
    // The leader's own copy is not durable yet: its progress does not say it holds the entry.
    expect(net.node('r1').status().progress.get('r1')?.match).toBeLessThan(index);
    expect(net.get('r1').durable.entries.some((e) => e.index === index)).toBe(false);
    leader.persistAll();
    expect(net.node('r1').status().progress.get('r1')?.match).toBe(index);
  });

  it('a follower acknowledges entries only once its write is durable, but applies what the leader says is committed', () => {
    const net = threeVoters();
    const follower = new PipelinedDriver(net, 'r2');
    // r3 does not answer: the entry commits only with r2's acknowledgement.
    net.cutLink('r1', 'r3');
    net.propose('r1', 'y');
    settleOthers(net, 'r2');
    follower.acceptAll();
    settleOthers(net, 'r2');
    expect(net.node('r1').status().commit).toBeLessThan(net.node('r1').status().lastIndex);
    expect(net.queue.filter((m) => m.from === 'r2' && m.type === 'MsgAppResp')).toEqual([]);
    follower.persistAll();
    settleOthers(net, 'r2');
    expect(net.get('r1').applied).toEqual(['y']);
    // Now a second entry, acknowledged by r3 (healed): r2 applies it before its own copy is durable.
    net.heal();
    net.propose('r1', 'z');
    settleOthers(net, 'r2');
    follower.acceptAll();
    settleOthers(net, 'r2');
    follower.acceptAll();
    expect(net.get('r2').applied).toEqual(['y', 'z']);
    expect(follower.inFlight.length).toBeGreaterThan(0);
    expect(net.get('r2').durable.entries.map((e) => text(e.data))).not.toContain('z');
  });

  it('a Ready that carries a snapshot cannot be accepted: its write must be durable first', () => {
    const net = threeVoters();
    net.propose('r1', 'a');
    net.stabilize();
    net.compact('r1');
    const node = net.node('r1');
    expect(node.ready().localSnapshot).toBeDefined();
    expect(() => node.accept()).toThrow(/snapshot/);
  });
});

describe('RaftLog writes in progress', () => {
  const entry = (index: number, term: number): Entry => ({ index, term, type: EntryType.Normal, data: bytes(`${term}/${index}`) });

  it('a truncation of entries in flight lowers what their write makes stable', () => {
    const log = new RaftLog(0, 0, [entry(1, 1), entry(2, 1)], 2);
    log.append([entry(3, 2), entry(4, 2)]);
    const token = log.handOut(4);
    expect(log.unstableEntries()).toEqual([]);
    // A new leader replaces entries 3 and 4 while their write is in flight.
    log.append([entry(3, 3)]);
    expect(log.unstableEntries().map((e) => `${e.term}/${e.index}`)).toEqual(['3/3']);
    log.persisted(token);
    expect(log.stableIndex).toBe(2);
    const next = log.handOut(3);
    log.persisted(next);
    expect(log.stableIndex).toBe(3);
  });

  it('persisting a write settles every write handed out before it', () => {
    const log = new RaftLog(0, 0, [], 0);
    log.append([entry(1, 1)]);
    log.handOut(1);
    log.append([entry(2, 1)]);
    const second = log.handOut(2);
    expect(log.writesInProgress).toBe(2);
    log.persisted(second);
    expect([log.writesInProgress, log.stableIndex]).toEqual([0, 2]);
    expect(() => log.persisted(second)).toThrow(/not in progress/);
  });
});
