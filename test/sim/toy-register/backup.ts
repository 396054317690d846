import type { Outbox, SimNode } from '../cluster.js';
import { applyKv, type RegisterValue } from '../lincheck/kv-model.js';
import type { NodeId } from '../network.js';
import type { ToyMessage } from './messages.js';

/**
 * A backup of the toy register: it applies the primary's updates when they arrive (newest wins)
 * and, wrongly, answers reads from its copy, which lags behind the primary. Only the deliberately
 * broken variant sends reads here. Its copy is volatile: a crash empties it until the primary's
 * next anti-entropy round.
 */
export class ToyBackup implements SimNode<ToyMessage> {
  private values = new Map<string, { readonly value: RegisterValue; readonly sequence: number }>();

  tick(): void {}

  receive(from: NodeId, message: ToyMessage, out: Outbox<ToyMessage>): void {
    if (message.kind === 'replicate') {
      const current = this.values.get(message.key);
      if (current === undefined || current.sequence < message.sequence) this.values.set(message.key, { value: message.value, sequence: message.sequence });
      return;
    }
    if (message.kind === 'request' && message.input.kind === 'read') {
      const value = this.values.get(message.input.key)?.value ?? null;
      out.send(from, { kind: 'reply', requestId: message.requestId, output: applyKv(value, message.input).output });
    }
  }

  crash(): void {
    this.values = new Map();
  }

  restart(): void {}
}
