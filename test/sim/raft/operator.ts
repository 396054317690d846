import type { ConfChange } from '../../../src/consensus/conf-change.js';
import type { ConfState } from '../../../src/consensus/types.js';
import type { Prng } from '../../../src/util/prng.js';
import type { Outbox, SimNode } from '../cluster.js';
import type { NodeId } from '../network.js';
import type { TickSource } from '../sim-time.js';
import type { AdminAction, RaftSimMessage } from './messages.js';

export interface OperatorOptions {
  readonly replicaIds: readonly NodeId[];
  readonly membershipChanges: boolean;
  readonly leaderTransfers: boolean;
  /** Ticks between two actions, drawn uniformly. */
  readonly minIntervalTicks: number;
  readonly maxIntervalTicks: number;
  /** Voter counts the operator keeps within (so a quorum can always be healed). */
  readonly minVoters: number;
  readonly maxVoters: number;
  /** Ticks to wait for an answer before acting again. */
  readonly answerTimeoutTicks: number;
  /**
   * Steer clear of the membership sequences that deadlock while the core's learners refuse to vote
   * (see the scenario option `learnerVoteWorkaround`): promote no learner while the configuration
   * has a single voter, remove no voter while it has two, and change nothing while some voter does
   * not yet hold the latest configuration.
   */
  readonly learnerVoteWorkaround: boolean;
}

/** Who the operator believes leads, and the configuration in force there. */
export interface OperatorView {
  readonly leader: NodeId;
  readonly conf: ConfState;
  /** Every voter of `conf` holds all the leader committed (the latest configuration included). */
  readonly votersAware: boolean;
}

export interface OperatorCounters {
  sent: number;
  accepted: number;
  refused: number;
  confChangesAccepted: number;
  transfersAccepted: number;
}

/**
 * The cluster's administrator during the safety phase: every so often it asks the leader for one
 * membership change (add a learner, promote a learner, remove a voter or a learner, the leader
 * itself included) or a leadership transfer. Its requests travel over the faulty network like a
 * client's; refusals (not the leader any more, a change still pending) are simply counted.
 */
export class Operator implements SimNode<RaftSimMessage> {
  readonly counters: OperatorCounters = { sent: 0, accepted: 0, refused: 0, confChangesAccepted: 0, transfersAccepted: 0 };
  active = true;
  private nextActionAt: number;
  private nextRequestId = 1;
  private outstanding: { readonly requestId: number; readonly sentAt: number; readonly action: AdminAction } | null = null;

  constructor(
    private readonly options: OperatorOptions,
    private readonly prng: Prng,
    private readonly view: () => OperatorView | null,
    private readonly time: TickSource,
    private readonly trace: (line: string) => void,
  ) {
    this.nextActionAt = this.time.now + this.interval();
  }

  tick(out: Outbox<RaftSimMessage>): void {
    const now = this.time.now;
    if (!this.active || (!this.options.membershipChanges && !this.options.leaderTransfers)) return;
    if (this.outstanding !== null && now - this.outstanding.sentAt < this.options.answerTimeoutTicks) return;
    this.outstanding = null;
    if (now < this.nextActionAt) return;
    this.nextActionAt = now + this.interval();
    const view = this.view();
    if (view === null) return;
    const action = this.choose(view);
    if (action === null) return;
    const requestId = this.nextRequestId++;
    this.outstanding = { requestId, sentAt: now, action };
    this.counters.sent += 1;
    this.trace(`operator: asks ${view.leader} to ${describeAction(action)}`);
    out.send(view.leader, { kind: 'admin', requestId, action });
  }

  receive(from: NodeId, message: RaftSimMessage): void {
    if (message.kind !== 'admin-reply' || this.outstanding?.requestId !== message.requestId) return;
    const action = this.outstanding.action;
    this.outstanding = null;
    if (!message.accepted) {
      this.counters.refused += 1;
      this.trace(`operator: ${from} refused (${message.detail})`);
      return;
    }
    this.counters.accepted += 1;
    if (action.kind === 'transfer') this.counters.transfersAccepted += 1;
    else this.counters.confChangesAccepted += 1;
    this.trace(`operator: ${from} accepted`);
  }

  crash(): void {}

  restart(): void {}

  private interval(): number {
    return this.prng.nextIntBetween(this.options.minIntervalTicks, this.options.maxIntervalTicks);
  }

  private choose(view: OperatorView): AdminAction | null {
    const { voters, learners } = view.conf;
    const transferTo = voters.filter((id) => id !== view.leader);
    const wantsTransfer = this.options.leaderTransfers && transferTo.length > 0 && (!this.options.membershipChanges || this.prng.chance(0.3));
    if (wantsTransfer) return { kind: 'transfer', to: this.pick(transferTo) };
    if (!this.options.membershipChanges) return null;
    if (this.options.learnerVoteWorkaround && !view.votersAware) return null;
    const outsiders = this.options.replicaIds.filter((id) => !voters.includes(id) && !learners.includes(id));
    const choices: ConfChange[] = [];
    for (const id of outsiders) choices.push({ type: 'add-learner', replicaId: id });
    const mayPromote = voters.length < this.options.maxVoters && (voters.length > 1 || !this.options.learnerVoteWorkaround);
    if (mayPromote) for (const id of learners) choices.push({ type: 'promote-learner', replicaId: id });
    for (const id of learners) choices.push({ type: 'remove-node', replicaId: id });
    const mayRemoveVoter = voters.length > this.options.minVoters && (voters.length > 2 || !this.options.learnerVoteWorkaround);
    if (mayRemoveVoter) for (const id of voters) choices.push({ type: 'remove-node', replicaId: id }, { type: 'demote-voter', replicaId: id });
    return choices.length === 0 ? null : { kind: 'conf-change', change: this.pick(choices) };
  }

  private pick<T>(items: readonly T[]): T {
    return items[this.prng.nextInt(items.length)]!;
  }
}

export function describeAction(action: AdminAction): string {
  return action.kind === 'transfer' ? `transfer leadership to ${action.to}` : `${action.change.type} ${action.change.replicaId}`;
}
