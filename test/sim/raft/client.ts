import type { Prng } from '../../../src/util/prng.js';
import type { Outbox, SimNode } from '../cluster.js';
import type { KvInput, KvOutput } from '../lincheck/kv-model.js';
import type { HistoryRecorder } from '../lincheck/recorder.js';
import type { NodeId } from '../network.js';
import type { TickSource } from '../sim-time.js';
import type { RaftSimMessage } from './messages.js';

export interface RaftClientOptions {
  readonly clientId: number;
  readonly replicaIds: readonly NodeId[];
  readonly keys: readonly string[];
  /** Chance per tick, when idle, of starting an operation. */
  readonly startChance: number;
  /** Ticks without an answer before the same request goes to another replica. */
  readonly resendTicks: number;
  /** Ticks after which an unanswered operation is given up (it stays pending) and retried as a new one. */
  readonly operationTimeoutTicks: number;
  /** Ticks to wait after a refusal that named no other leader. */
  readonly refusalBackoffTicks: number;
  /** Chance a read goes to a random replica (a follower read through ReadIndex) instead of the leader. */
  readonly followerReadChance: number;
}

interface Outstanding {
  readonly requestId: number;
  readonly handle: number;
  readonly input: KvInput;
  readonly startedAt: number;
  target: NodeId;
  sentAt: number;
  /** When set, the request goes (again) to `target` at this tick. */
  sendAt: number | null;
  /** Sends since the last answer (from anyone). */
  silentSends: number;
}

/**
 * A client of the replicated KV map with one operation at a time. Writes go to the replica it
 * believes leads; a refusal redirects the same request (same request id, so it applies at most
 * once) to the leader named, or to another replica; silence resends it elsewhere. An operation not
 * answered in time is given up: it stays pending in the history (it may or may not take effect),
 * and the client retries the same intent as a new operation. The history's clock is global time.
 */
export class RaftClient implements SimNode<RaftSimMessage> {
  private outstanding: Outstanding | null = null;
  private nextRequestId = 1;
  private leaderGuess: NodeId;
  private retryIntent: KvInput | null = null;
  private readonly lastRead = new Map<string, string | null>();
  /** When each replica last said it knows no leader (a removed or cut-off replica: its hints are stale). */
  private readonly knowsNoLeaderAt = new Map<NodeId, number>();
  /** Where the round-robin over the replicas stands. */
  private rotation = 0;
  completed = 0;
  abandoned = 0;
  redirects = 0;
  /** Whether the client starts new operations (retries of given-up ones included). */
  issuing = true;

  constructor(
    private readonly options: RaftClientOptions,
    private readonly prng: Prng,
    private readonly recorder: HistoryRecorder<KvInput, KvOutput>,
    private readonly time: TickSource,
    private readonly trace: ((line: string) => void) | null = null,
  ) {
    this.leaderGuess = this.randomReplica();
  }

  get isIdle(): boolean {
    return this.outstanding === null;
  }

  tick(out: Outbox<RaftSimMessage>): void {
    const now = this.time.now;
    const op = this.outstanding;
    if (op !== null) {
      if (now - op.startedAt >= this.options.operationTimeoutTicks) {
        this.outstanding = null;
        this.abandoned += 1;
        this.retryIntent = op.input;
        // Whoever it was talking to did not get it done: start the retry elsewhere.
        this.leaderGuess = this.otherReplica(op.target);
      } else if (op.sendAt !== null && now >= op.sendAt) {
        this.send(op, out);
      } else if (op.sendAt === null && now - op.sentAt >= this.options.resendTicks) {
        // Silence: a lost message is likelier than a dead replica; try the same one once more.
        if (op.silentSends >= 2) {
          op.target = this.otherReplica(op.target);
          op.silentSends = 0;
        }
        this.send(op, out);
      }
      return;
    }
    if (!this.issuing || !this.recorder.hasRoom) return;
    if (this.retryIntent !== null) {
      const intent = this.retryIntent;
      this.retryIntent = null;
      this.start(this.freshAttempt(intent), out);
    } else if (this.prng.chance(this.options.startChance)) {
      this.start(this.randomInput(), out);
    }
  }

  receive(from: NodeId, message: RaftSimMessage, out: Outbox<RaftSimMessage>): void {
    const op = this.outstanding;
    if (message.kind !== 'reply') return;
    this.trace?.(`client${this.options.clientId} <- ${from} reply ${message.requestId} ${JSON.stringify(message.outcome)}`);
    if (op === null || message.requestId !== op.requestId) return;
    const outcome = message.outcome;
    if (outcome.kind === 'done') {
      if (op.input.kind === 'read' && outcome.output.kind === 'read') this.lastRead.set(op.input.key, outcome.output.value);
      if (op.input.kind !== 'read') this.leaderGuess = from;
      this.recorder.complete(op.handle, outcome.output, this.time.now);
      this.outstanding = null;
      this.completed += 1;
      return;
    }
    this.redirects += 1;
    op.silentSends = 0;
    if (outcome.leader === null) this.knowsNoLeaderAt.set(from, this.time.now);
    if (outcome.leader !== null && outcome.leader !== from && this.isPlausibleLeader(outcome.leader)) {
      this.leaderGuess = outcome.leader;
      op.target = outcome.leader;
      this.send(op, out);
    } else {
      op.target = outcome.leader === from ? from : this.otherReplica(from);
      op.sendAt = this.time.now + this.options.refusalBackoffTicks;
    }
  }

  /** Clients are outside the fault plan: they never crash. */
  crash(): void {}

  restart(): void {}

  private start(input: KvInput, out: Outbox<RaftSimMessage>): void {
    const requestId = this.nextRequestId++;
    const now = this.time.now;
    const handle = this.recorder.invoke(this.options.clientId, input, now);
    const followerRead = input.kind === 'read' && this.prng.chance(this.options.followerReadChance);
    const target = followerRead ? this.randomReplica() : this.leaderGuess;
    const op: Outstanding = { requestId, handle, input, startedAt: now, target, sentAt: now, sendAt: null, silentSends: 0 };
    this.outstanding = op;
    this.send(op, out);
  }

  private send(op: Outstanding, out: Outbox<RaftSimMessage>): void {
    op.silentSends += 1;
    op.sentAt = this.time.now;
    op.sendAt = null;
    out.send(op.target, { kind: 'request', clientId: this.options.clientId, requestId: op.requestId, input: op.input });
  }

  /** The same intent as a given-up operation, as a new operation (a write gets a fresh value). */
  private freshAttempt(intent: KvInput): KvInput {
    switch (intent.kind) {
      case 'read':
        return intent;
      case 'write':
        return { kind: 'write', key: intent.key, value: this.freshValue() };
      case 'cas':
        return { kind: 'cas', key: intent.key, expected: intent.expected, value: this.freshValue() };
    }
  }

  private randomInput(): KvInput {
    const key = this.options.keys[this.prng.nextInt(this.options.keys.length)]!;
    const roll = this.prng.nextInt(10);
    if (roll < 4) return { kind: 'read', key };
    if (roll < 8) return { kind: 'write', key, value: this.freshValue() };
    // Read-modify-write: expect what this client last read there; it fails if someone wrote since.
    return { kind: 'cas', key, expected: this.lastRead.get(key) ?? null, value: this.freshValue() };
  }

  private freshValue(): string {
    return `c${this.options.clientId}-${this.nextRequestId}`;
  }

  private randomReplica(): NodeId {
    return this.options.replicaIds[this.prng.nextInt(this.options.replicaIds.length)]!;
  }

  /**
   * A hint is followed unless the replica it names said lately that it knows no leader: a removed
   * replica keeps naming the leader it last heard of, and that one may be removed too.
   */
  private isPlausibleLeader(id: NodeId): boolean {
    if (!this.options.replicaIds.includes(id)) return false;
    const at = this.knowsNoLeaderAt.get(id);
    return at === undefined || this.time.now - at > this.options.resendTicks;
  }

  /**
   * The next replica in round-robin order other than `not` (so every replica gets its turn),
   * skipping those that said lately they know no leader while others remain.
   */
  private otherReplica(not: NodeId): NodeId {
    const ids = this.options.replicaIds;
    let fallback: NodeId | null = null;
    for (let i = 0; i < ids.length; i++) {
      this.rotation = (this.rotation + 1) % ids.length;
      const candidate = ids[this.rotation]!;
      if (candidate === not && ids.length > 1) continue;
      if (this.isPlausibleLeader(candidate)) return candidate;
      fallback ??= candidate;
    }
    return fallback ?? ids[0]!;
  }
}
