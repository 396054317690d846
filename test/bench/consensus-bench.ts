/**
 * Consensus benchmark: RaftNodes in one process over a memory transport without delay.
 * - committed entries per second with batching (100-byte entries), 3 and 5 voters;
 * - ticks until a new leader is elected after the leader crashes, p50/p99 over 1,000 seeds;
 * - ticks until a new leader after the leader removes itself by a membership change.
 * Run: `npm run bench -- consensus`.
 */
import type { RaftConfigInput } from '../../src/consensus/config.js';
import type { Message } from '../../src/consensus/message.js';
import { RaftNode } from '../../src/consensus/raft-node.js';
import type { ReplicaId } from '../../src/consensus/types.js';
import { createPrng } from '../../src/util/prng.js';
import type { BenchRecord } from './run.js';


const ENTRY_BYTES = 100;

/** A cluster whose messages are delivered instantly; `down` replicas neither send nor receive. */
class MemoryCluster {
  readonly nodes = new Map<ReplicaId, RaftNode>();
  readonly down = new Set<ReplicaId>();
  appliedOnLeader = 0;
  private queue: Message[] = [];

  constructor(voters: number, seed: number, config: Partial<RaftConfigInput> = {}) {
    const ids = Array.from({ length: voters }, (_, i) => `r${i + 1}`);
    const prng = createPrng(seed);
    for (const id of ids) {
      const recovered = { hardState: { term: 0, vote: null, commit: 0 }, confState: { voters: ids, learners: [] }, snapshot: null, entries: [] };
      this.nodes.set(id, new RaftNode({ ...config, id }, recovered, prng.fork()));
    }
  }

  leader(): ReplicaId | null {
    for (const [id, node] of this.nodes) if (!this.down.has(id) && node.status().role === 'leader') return id;
    return null;
  }

  /** One round: every live replica hands out its Ready (persisted at once), then all messages land. */
  round(): boolean {
    let moved = false;
    for (const [id, node] of this.nodes) {
      if (this.down.has(id) || !node.hasReady()) continue;
      moved = true;
      const ready = node.ready();
      for (const m of ready.messages) this.queue.push(m);
      for (const m of ready.messagesAfterDurable) this.queue.push(m);
      if (ready.softState?.role === 'leader' || node.status().role === 'leader') this.appliedOnLeader += ready.committedEntries.length;
      node.advance();
    }
    const queue = this.queue;
    this.queue = [];
    for (const m of queue) {
      if (this.down.has(m.to) || this.down.has(m.from)) continue;
      this.nodes.get(m.to)?.step(m);
      moved = true;
    }
    return moved;
  }

  settle(maxRounds = 1000): void {
    for (let i = 0; i < maxRounds && this.round(); i++);
  }

  tickLive(): void {
    for (const [id, node] of this.nodes) if (!this.down.has(id)) node.tick();
  }

  /** Ticks (and settles after each) until a live leader exists; returns the ticks spent. */
  ticksUntilLeader(maxTicks = 10_000): number {
    for (let ticks = 0; ticks <= maxTicks; ticks++) {
      if (this.leader() !== null) return ticks;
      this.tickLive();
      this.settle();
    }
    throw new Error('no leader elected');
  }
}

function throughput(voters: number, totalEntries: number, batch: number): number {
  const cluster = new MemoryCluster(voters, 1, { maxUncommittedBytes: 64 * 1024 * 1024, maxProposalBatch: batch });
  cluster.ticksUntilLeader();
  const leaderId = cluster.leader() as ReplicaId;
  const leader = cluster.nodes.get(leaderId) as RaftNode;
  const payload = Array.from({ length: batch }, () => new Uint8Array(ENTRY_BYTES).fill(7));
  cluster.settle();
  cluster.appliedOnLeader = 0;
  let proposed = 0;
  const start = performance.now();
  while (cluster.appliedOnLeader < totalEntries) {
    // Keep a few batches in the pipeline; the leader refuses more than maxUncommittedBytes anyway.
    if (proposed - cluster.appliedOnLeader < batch * 4 && proposed < totalEntries) {
      const result = leader.propose(payload);
      if (result.ok) proposed += batch;
    }
    cluster.round();
  }
  const seconds = (performance.now() - start) / 1000;
  return totalEntries / seconds;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

function electionAfterCrash(voters: number, seeds: number): { p50: number; p99: number; max: number } {
  const samples: number[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const cluster = new MemoryCluster(voters, seed);
    cluster.ticksUntilLeader();
    // Let the followers hear a few heartbeats, as in steady state.
    for (let i = 0; i < 3; i++) {
      cluster.tickLive();
      cluster.settle();
    }
    cluster.down.add(cluster.leader() as ReplicaId);
    samples.push(cluster.ticksUntilLeader());
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), max: samples[samples.length - 1] ?? 0 };
}

function electionAfterSelfRemoval(voters: number, seeds: number): { p50: number; p99: number } {
  const samples: number[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const cluster = new MemoryCluster(voters, seed);
    cluster.ticksUntilLeader();
    cluster.settle();
    const leaderId = cluster.leader() as ReplicaId;
    const result = (cluster.nodes.get(leaderId) as RaftNode).proposeConfChange({ type: 'remove-node', replicaId: leaderId });
    if (!result.ok) throw new Error(result.message);
    cluster.settle();
    cluster.down.add(leaderId);
    samples.push(cluster.ticksUntilLeader());
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

export async function runConsensusBench(): Promise<BenchRecord[]> {
  const records: BenchRecord[] = [];
  for (const voters of [3, 5]) {
    throughput(voters, 50_000, 1000); // warm-up
    const rate = throughput(voters, 1_000_000, 1000);
    records.push({ name: `committed entries/s, ${voters} voters, 100 B, batches of 1000`, value: rate, unit: 'entries/s', target: { atLeast: 200_000 } });
  }
  for (const voters of [3, 5]) {
    const crash = electionAfterCrash(voters, 1000);
    records.push({ name: `ticks to elect after leader crash, ${voters} voters, p50 (electionTicks 10)`, value: crash.p50, unit: 'ticks' });
    records.push({ name: `ticks to elect after leader crash, ${voters} voters, p99`, value: crash.p99, unit: 'ticks' });
    records.push({ name: `ticks to elect after leader crash, ${voters} voters, max`, value: crash.max, unit: 'ticks' });
  }
  const removal = electionAfterSelfRemoval(3, 200);
  records.push({ name: 'ticks to elect after leader removes itself (TimeoutNow handover), 3 voters, p99', value: removal.p99, unit: 'ticks' });
  return records;
}

