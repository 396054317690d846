import type { Outbox, SimNode } from '../cluster.js';
import { applyKv, type KvOutput, type RegisterValue } from '../lincheck/kv-model.js';
import type { NodeId } from '../network.js';
import type { ToyMessage } from './messages.js';

/** How often the primary re-sends its whole state to the backups (they may have lost updates). */
export const ANTI_ENTROPY_TICKS = 25;
/** The most clients the primary remembers a last reply for. */
export const MAX_CLIENTS = 1024;

/**
 * The primary of a toy primary-copy register map: it alone executes operations, one at a time, so
 * its history is linearizable. It remembers each client's last request and reply, so a duplicated
 * or retried request is answered again without executing twice. Its state is durable: a crash only
 * stops it for a while. It streams changes to its backups, which correct variants never read.
 */
export class ToyPrimary implements SimNode<ToyMessage> {
  private readonly values = new Map<string, RegisterValue>();
  private readonly versions = new Map<string, number>();
  private readonly lastReplyByClient = new Map<number, { readonly requestId: number; readonly output: KvOutput }>();
  private sequence = 0;
  private ticks = 0;

  constructor(private readonly backups: readonly NodeId[]) {}

  tick(out: Outbox<ToyMessage>): void {
    this.ticks += 1;
    if (this.ticks % ANTI_ENTROPY_TICKS !== 0) return;
    for (const [key, value] of this.values) this.replicate(out, key, value, this.versions.get(key)!);
  }

  receive(from: NodeId, message: ToyMessage, out: Outbox<ToyMessage>): void {
    if (message.kind !== 'request') return;
    const last = this.lastReplyByClient.get(message.clientId);
    if (last !== undefined && message.requestId < last.requestId) return; // an abandoned request: never executed
    if (last !== undefined && message.requestId === last.requestId) {
      out.send(from, { kind: 'reply', requestId: message.requestId, output: last.output });
      return;
    }
    const key = message.input.key;
    const before = this.values.get(key) ?? null;
    const applied = applyKv(before, message.input);
    if (applied.value !== before) {
      this.sequence += 1;
      this.values.set(key, applied.value);
      this.versions.set(key, this.sequence);
    }
    if (this.lastReplyByClient.size >= MAX_CLIENTS && last === undefined) throw new Error(`toy primary: more than ${MAX_CLIENTS} clients`);
    this.lastReplyByClient.set(message.clientId, { requestId: message.requestId, output: applied.output });
    out.send(from, { kind: 'reply', requestId: message.requestId, output: applied.output });
    if (applied.value !== before) this.replicate(out, key, applied.value, this.sequence);
  }

  crash(): void {}

  restart(): void {}

  private replicate(out: Outbox<ToyMessage>, key: string, value: RegisterValue, sequence: number): void {
    for (const backup of this.backups) out.send(backup, { kind: 'replicate', sequence, key, value });
  }
}
