import type { ConnectionId } from '../../../src/server/core-effects.js';
import type { Prng } from '../../../src/util/prng.js';
import type { ReplicaFrame } from '../../../src/wire/client-message.js';
import type { SimCluster, SimNode } from '../cluster.js';
import type { HistoryRecorder } from '../lincheck/recorder.js';
import type { ZnodeInput, ZnodeOutput } from '../lincheck/znode-model.js';
import type { NodeId, SimNetwork } from '../network.js';
import type { SimTime } from '../sim-time.js';
import type { DelayProfile } from '../delay-profile.js';
import { ClientLinks, type ClientLinkOptions, type ToReplica } from './client-links.js';
import { PeerLinks, type LinkWorld, type PeerLinkOptions } from './peer-links.js';
import { CommitTap } from './commit-tap.js';
import { appliedRecords, linearizableRecords } from './outcomes.js';
import { coreState, ReplicaProbe } from './replica-probe.js';
import type { ReplicaCore } from '../../../src/server/replica-core.js';
import { createsSequential } from './workload.js';
import type { ReplicaGlue, ReplicaNode } from './replica-node.js';
import { SequentialNames } from './sequential-names.js';
import type { PlantedBug } from './settings.js';
import type { ClientWorld, SimClient, UnknownOutcome } from './sim-client.js';
import { Violations } from './violations.js';

/** The checker's client id for writes whose outcome their own client never saw. */
export const UNSEEN_OUTCOME_CLIENT = 1_000_000;

export interface WorldOptions {
  readonly time: SimTime;
  /** Carries no traffic: it holds the partitions and one-way cuts the fault schedule applies. */
  readonly network: SimNetwork<never>;
  readonly replicaIds: readonly NodeId[];
  readonly peerLinks: PeerLinkOptions;
  readonly clientLinks: ClientLinkOptions;
  readonly connectionResetChance: number;
  readonly recorder: HistoryRecorder<ZnodeInput, ZnodeOutput>;
  readonly maxHistoryOperations: number;
  readonly prng: Prng;
  readonly log: (line: string) => void;
  readonly tracing: boolean;
  readonly plantedBug: PlantedBug;
}

/**
 * Everything between the replicas and the clients: the peer links, the client connections, the
 * checks' shared state (violations, sequential names, the replica probe). It is itself a SimNode
 * ('!fabric', ticked first, once per global tick, on the global clock): each tick it updates the
 * links, tells replicas of link changes, delivers what is due, lets clients act, completes due
 * writes, and ends every replica's turn.
 */
export class ReplicaWorld implements SimNode<never>, ClientWorld, ReplicaGlue, LinkWorld {
  readonly violations: Violations;
  readonly sequential: SequentialNames;
  readonly probe: ReplicaProbe;
  readonly tap: CommitTap;
  readonly peers: PeerLinks;
  readonly links: ClientLinks;
  readonly recorder: HistoryRecorder<ZnodeInput, ZnodeOutput>;
  readonly replicaIds: readonly NodeId[];
  readonly nodes = new Map<NodeId, ReplicaNode>();
  readonly clients: SimClient[] = [];
  healed = false;
  readonly tracing: boolean;
  private cluster: SimCluster<never> | null = null;
  private sessionNumbers = 0;
  private readonly unknownOutcomes: UnknownOutcome[] = [];
  private resetChance: number;

  constructor(private readonly options: WorldOptions) {
    this.replicaIds = options.replicaIds;
    this.tracing = options.tracing;
    this.resetChance = options.connectionResetChance;
    this.recorder = options.recorder;
    this.violations = new Violations(() => this.now, options.log);
    this.sequential = new SequentialNames(this.violations);
    this.probe = new ReplicaProbe(this.violations);
    this.tap = new CommitTap(this.violations, () => this.now);
    this.peers = new PeerLinks(options.replicaIds, options.peerLinks, options.prng.fork(), this);
    this.links = new ClientLinks(options.clientLinks, options.prng.fork(), this, (replica, id, item) => this.toReplica(replica, id, item));
  }

  /**
   * Phase two: faults are over and the network calms down: no link breaks from loss, no long
   * delay tail (on ordered links one slow frame holds up all behind it), no connection resets.
   */
  heal(): void {
    this.healed = true;
    const delay = calmDelay(this.options.peerLinks.delay);
    this.peers.reconfigure({ ...this.options.peerLinks, delay, breakChancePerMessage: 0 });
    this.links.reconfigure({ ...this.options.clientLinks, delay: calmDelay(this.options.clientLinks.delay) });
    this.resetChance = 0;
    for (const client of this.clients) client.markHealed();
  }

  attach(cluster: SimCluster<never>): void {
    this.cluster = cluster;
  }

  get now(): number {
    return this.options.time.now;
  }

  get historyRoom(): boolean {
    return this.recorder.size < this.options.maxHistoryOperations;
  }

  isUp(id: NodeId): boolean {
    return this.cluster!.isUp(id);
  }

  isRunning(id: NodeId): boolean {
    return this.cluster!.isRunning(id);
  }

  isPaused(id: NodeId): boolean {
    return this.cluster!.isPaused(id);
  }

  isBlocked(from: NodeId, to: NodeId): boolean {
    return this.options.network.isBlocked(from, to);
  }

  nextSessionNumber(): number {
    return this.sessionNumbers++;
  }

  log(line: string): void {
    this.options.log(line);
  }

  // ---------------------------------------------------------------- the fabric's tick

  tick(): void {
    this.peers.update();
    for (const [id, node] of this.nodes) {
      if (this.isRunning(id)) this.peers.reconcile(id, (peer, up) => node.linkChanged(peer, up));
    }
    for (const [id, node] of this.nodes) this.peers.deliver(id, (from, bytes) => node.peerFrame(from, bytes));
    if (this.resetChance > 0 && this.options.prng.chance(this.resetChance)) this.links.resetRandom();
    this.links.deliver();
    for (const client of this.clients) client.tick();
    for (const [id, node] of this.nodes) {
      if (!this.isRunning(id)) continue;
      node.completeDueWrites();
      node.flush();
    }
  }

  receive(): void {
    throw new Error('meshkeeper assertion failed: the fabric receives nothing from the cluster network');
  }

  crash(): void {
    throw new Error('meshkeeper assertion failed: the fabric never crashes');
  }

  restart(): void {
    throw new Error('meshkeeper assertion failed: the fabric never restarts');
  }

  // ---------------------------------------------------------------- ReplicaGlue

  sendPeer(from: NodeId, to: NodeId, bytes: Uint8Array): void {
    this.peers.send(from, to, bytes);
  }

  sendClient(from: NodeId, connectionId: ConnectionId, frame: ReplicaFrame): void {
    this.links.fromReplica(from, connectionId, frame);
  }

  closeClient(from: NodeId, connectionId: ConnectionId, reason: string): void {
    this.links.closedByReplica(from, connectionId, reason);
  }

  crashed(id: NodeId): void {
    this.links.replicaCrashed(id);
    this.probe.forget(id);
    for (const client of this.clients) if (client.home === id) client.homeCrashed();
  }

  restarted(id: NodeId): void {
    this.peers.forget(id);
    this.probe.forget(id);
    for (const client of this.clients) if (client.home === id) client.homeRestarted();
  }

  coreStarted(id: NodeId, core: ReplicaCore): void {
    const planted = this.options.plantedBug === 'replica-skips-an-entry' && id === this.replicaIds.at(-1);
    this.tap.install(id, core, planted ? 20 : undefined);
  }

  observe(node: ReplicaNode): void {
    const core = node.core;
    if (core !== null) this.probe.observe(node.id, core);
  }

  // ---------------------------------------------------------------- outcomes

  outcomeUnknown(outcome: UnknownOutcome): void {
    this.unknownOutcomes.push(outcome);
  }

  /**
   * After the run: each write whose reply never came enters the history with the outcome the log
   * gave it, returning when it was first applied — or not at all if it was never applied. Answers
   * how many were applied and how many never were.
   */
  resolveUnknownOutcomes(mode: 'from-log' | 'pending'): { applied: number; dropped: number } {
    let applied = 0;
    let dropped = 0;
    for (const { sessionNumber, sessionId, xid, op, callTime } of this.unknownOutcomes) {
      if (mode === 'pending') {
        for (const { input } of linearizableRecords(op, null)) this.recorder.invoke(sessionNumber, input, callTime);
        continue;
      }
      const txn = this.tap.applied(sessionId, xid);
      if (txn === undefined) {
        dropped += 1;
        continue;
      }
      applied += 1;
      for (const { input, output } of appliedRecords(op, txn.txn)) {
        // Its client never learned the outcome: its own later plain reads may not reflect it, so
        // the operation is recorded as a client no read belongs to.
        const handle = this.recorder.invoke(UNSEEN_OUTCOME_CLIENT, input, callTime);
        if (output !== undefined) this.recorder.complete(handle, output, Math.max(callTime, txn.appliedAt));
      }
      if (op.kind === 'create' && createsSequential(op) && txn.txn.type === 'create') this.sequential.record(op.path, txn.txn.path, txn.zxid);
    }
    return { applied, dropped };
  }

  // ---------------------------------------------------------------- questions

  sessionLiveAt(sessionId: bigint): NodeId | null {
    let newest: { id: NodeId; zxid: bigint; has: boolean } | null = null;
    for (const [id, node] of this.nodes) {
      const core = node.core;
      if (core === null) continue;
      const state = coreState(core);
      const zxid = state.tree.lastZxid;
      if (newest === null || zxid > newest.zxid) newest = { id, zxid, has: state.sessions.has(sessionId) };
    }
    return newest !== null && newest.has ? newest.id : null;
  }

  /** Phase two is over when every client is done, every replica applied the same zxid, and every session that must end is gone. */
  converged(): boolean {
    if (!this.clients.every((client) => client.done)) return false;
    let zxid: bigint | null = null;
    for (const node of this.nodes.values()) {
      const core = node.core;
      if (core === null) return false;
      const last = coreState(core).tree.lastZxid;
      if (zxid !== null && last !== zxid) return false;
      zxid = last;
      if (this.probe.lingering(core).length > 0) return false;
    }
    return true;
  }

  /** Why phase two did not converge, for the failure report. */
  describeLaggards(): string {
    const lines: string[] = [];
    for (const client of this.clients) if (!client.done) lines.push(`  ${client.describe()}`);
    for (const [id, node] of this.nodes) {
      const core = node.core;
      if (core === null) {
        lines.push(`  ${id}: crashed`);
        continue;
      }
      const status = core.status();
      const lingering = this.probe.lingering(core).map((sessionId) => `0x${sessionId.toString(16)} (${this.probe.mustEnd.get(sessionId)})`);
      lines.push(
        `  ${id}: ${status.role}, term ${status.term}, leader ${status.leader ?? '-'}, lastZxid 0x${status.lastZxid.toString(16)}, applied ${status.appliedIndex}/${status.commitIndex}/${status.lastIndex}, ${status.connections.length} connections${lingering.length > 0 ? `, sessions that should have ended: ${lingering.join(', ')}` : ''}`,
      );
    }
    return lines.join('\n');
  }

  private toReplica(replica: NodeId, connectionId: ConnectionId, item: ToReplica): void {
    this.nodes.get(replica)!.clientItem(connectionId, item);
  }
}

function calmDelay(profile: DelayProfile): DelayProfile {
  return profile.kind === 'long-tail' ? profile.base : profile;
}
