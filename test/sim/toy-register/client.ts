import type { Prng } from '../../../src/util/prng.js';
import type { Outbox, SimNode } from '../cluster.js';
import type { KvInput, KvOutput } from '../lincheck/kv-model.js';
import type { HistoryRecorder } from '../lincheck/recorder.js';
import type { NodeId } from '../network.js';
import type { TickSource } from '../sim-time.js';
import type { ToyMessage } from './messages.js';

export interface ToyClientOptions {
  readonly clientId: number;
  /** Where writes and CAS go. */
  readonly primary: NodeId;
  /** Where reads go (the primary, unless the variant is broken). */
  readonly readFrom: NodeId;
  readonly keys: readonly string[];
  /** Chance per tick, when idle, of starting an operation. */
  readonly startChance: number;
  /** Ticks before a request is sent again (same request id). */
  readonly retryTicks: number;
  /** Sends of one request before the client gives up on it (it stays pending in the history). */
  readonly maxAttempts: number;
}

interface Outstanding {
  readonly requestId: number;
  readonly handle: number;
  readonly target: NodeId;
  readonly message: ToyMessage;
  attempts: number;
  ticksSinceSend: number;
}

/**
 * A client with one operation at a time: it records the call in the history, sends it, retries it
 * a few times, and records the reply, or leaves the call pending when it gives up. Its clock for
 * the history is global time: the history is what an outside observer would see.
 */
export class ToyClient implements SimNode<ToyMessage> {
  private outstanding: Outstanding | null = null;
  private nextRequestId = 1;
  private written = 0;
  /** The last value this client read per key: what its CAS expects. */
  private readonly lastRead = new Map<string, string | null>();
  /** Operations answered, and given up on. */
  completed = 0;
  abandoned = 0;
  /** Whether the client starts new operations. */
  issuing = true;

  constructor(
    private readonly options: ToyClientOptions,
    private readonly prng: Prng,
    private readonly recorder: HistoryRecorder<KvInput, KvOutput>,
    private readonly time: TickSource,
  ) {}

  get isIdle(): boolean {
    return this.outstanding === null;
  }

  tick(out: Outbox<ToyMessage>): void {
    const outstanding = this.outstanding;
    if (outstanding !== null) {
      outstanding.ticksSinceSend += 1;
      if (outstanding.ticksSinceSend < this.options.retryTicks) return;
      if (outstanding.attempts >= this.options.maxAttempts) {
        this.outstanding = null;
        this.abandoned += 1;
      } else {
        outstanding.attempts += 1;
        outstanding.ticksSinceSend = 0;
        out.send(outstanding.target, outstanding.message);
      }
      return;
    }
    if (!this.issuing || !this.recorder.hasRoom || !this.prng.chance(this.options.startChance)) return;
    const input = this.randomInput();
    const requestId = this.nextRequestId++;
    const message: ToyMessage = { kind: 'request', clientId: this.options.clientId, requestId, input };
    const target = input.kind === 'read' ? this.options.readFrom : this.options.primary;
    const handle = this.recorder.invoke(this.options.clientId, input, this.time.now);
    this.outstanding = { requestId, handle, target, message, attempts: 1, ticksSinceSend: 0 };
    out.send(target, message);
  }

  receive(_from: NodeId, message: ToyMessage): void {
    if (message.kind !== 'reply' || this.outstanding === null || message.requestId !== this.outstanding.requestId) return;
    const input = this.outstanding.message.kind === 'request' ? this.outstanding.message.input : null;
    if (input?.kind === 'read' && message.output.kind === 'read') this.lastRead.set(input.key, message.output.value);
    this.recorder.complete(this.outstanding.handle, message.output, this.time.now);
    this.outstanding = null;
    this.completed += 1;
  }

  crash(): void {
    this.outstanding = null;
  }

  restart(): void {}

  private randomInput(): KvInput {
    const key = this.options.keys[this.prng.nextInt(this.options.keys.length)]!;
    const roll = this.prng.nextInt(10);
    if (roll < 5) return { kind: 'read', key };
    this.written += 1;
    const value = `c${this.options.clientId}-${this.written}`;
    if (roll < 8) return { kind: 'write', key, value };
    // Read-modify-write: expect what this client last read there; it fails if someone wrote since.
    return { kind: 'cas', key, expected: this.lastRead.get(key) ?? null, value };
  }
}
