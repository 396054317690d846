import { assert } from '../../../src/errors/keeper-error.js';
import { hashString, mix32 } from '../lincheck/hash.js';
import { applyKv, type KvInput, type KvOutput, type RegisterValue } from '../lincheck/kv-model.js';

/** A replicated write: one client's request, tagged so that a duplicate applies once. */
export interface KvCommand {
  readonly clientId: number;
  readonly requestId: number;
  readonly input: Exclude<KvInput, { kind: 'read' }>;
}

/** What applying a command did. `stale`: an older request of that client, ignored. */
export type ApplyOutcome = { readonly kind: 'applied' | 'duplicate'; readonly output: KvOutput } | { readonly kind: 'stale' };

/** Bounds: the sim's keys and clients are few; more means a scenario bug. */
export const MAX_KV_KEYS = 64;
export const MAX_KV_CLIENTS = 256;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeCommand(command: KvCommand): Uint8Array {
  return encoder.encode(JSON.stringify(command));
}

export function decodeCommand(data: Uint8Array): KvCommand {
  const command = JSON.parse(decoder.decode(data)) as KvCommand;
  assert(Number.isInteger(command.clientId) && Number.isInteger(command.requestId), 'malformed kv command');
  assert(command.input.kind === 'write' || command.input.kind === 'cas', `kv command of kind ${command.input.kind}`);
  return command;
}

interface LastReply {
  readonly requestId: number;
  readonly output: KvOutput;
}

interface SnapshotImage {
  readonly kv: readonly (readonly [string, string])[];
  readonly clients: readonly (readonly [number, number, KvOutput])[];
}

const kvPart = (key: string, value: string) => mix32(hashString(key) ^ Math.imul(hashString(value), 0x9e3779b1));
const clientPart = (clientId: number, reply: LastReply) => mix32(Math.imul(clientId + 1, 0x85ebca6b) ^ hashString(`${reply.requestId}:${JSON.stringify(reply.output)}`));

/**
 * The simulation's state machine: a map of registers (the lincheck kv model's semantics) plus, per
 * client, the last request applied and its answer, so a request committed twice (a duplicated or
 * redirected proposal) takes effect once. Its digest is an order-independent sum kept up to date on
 * every change, cheap enough to compare after every applied index.
 */
export class KvStateMachine {
  private readonly values = new Map<string, string>();
  private readonly lastByClient = new Map<number, LastReply>();
  private digestSum = 0;

  get digest(): number {
    return this.digestSum;
  }

  read(key: string): RegisterValue {
    return this.values.get(key) ?? null;
  }

  /** The answer already given to `requestId` of `clientId`, if it was that client's last request applied. */
  lastReply(clientId: number): LastReply | undefined {
    return this.lastByClient.get(clientId);
  }

  apply(command: KvCommand): ApplyOutcome {
    const last = this.lastByClient.get(command.clientId);
    if (last !== undefined && command.requestId < last.requestId) return { kind: 'stale' };
    if (last !== undefined && command.requestId === last.requestId) return { kind: 'duplicate', output: last.output };
    const key = command.input.key;
    const before = this.read(key);
    const applied = applyKv(before, command.input);
    if (applied.value !== before) {
      assert(applied.value !== null, 'a write never clears a register');
      assert(this.values.has(key) || this.values.size < MAX_KV_KEYS, `more than ${MAX_KV_KEYS} keys`);
      if (before !== null) this.digestSum = (this.digestSum - kvPart(key, before)) >>> 0;
      this.values.set(key, applied.value);
      this.digestSum = (this.digestSum + kvPart(key, applied.value)) >>> 0;
    }
    assert(last !== undefined || this.lastByClient.size < MAX_KV_CLIENTS, `more than ${MAX_KV_CLIENTS} clients`);
    if (last !== undefined) this.digestSum = (this.digestSum - clientPart(command.clientId, last)) >>> 0;
    const reply: LastReply = { requestId: command.requestId, output: applied.output };
    this.lastByClient.set(command.clientId, reply);
    this.digestSum = (this.digestSum + clientPart(command.clientId, reply)) >>> 0;
    return { kind: 'applied', output: applied.output };
  }

  /** The whole state as snapshot bytes (sorted, so equal states encode equally). */
  encode(): Uint8Array {
    const image: SnapshotImage = {
      kv: [...this.values].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      clients: [...this.lastByClient].sort(([a], [b]) => a - b).map(([id, reply]) => [id, reply.requestId, reply.output] as const),
    };
    return encoder.encode(JSON.stringify(image));
  }

  static decode(data: Uint8Array): KvStateMachine {
    const image = JSON.parse(decoder.decode(data)) as SnapshotImage;
    const machine = new KvStateMachine();
    for (const [key, value] of image.kv) {
      machine.values.set(key, value);
      machine.digestSum = (machine.digestSum + kvPart(key, value)) >>> 0;
    }
    for (const [clientId, requestId, output] of image.clients) {
      const reply: LastReply = { requestId, output };
      machine.lastByClient.set(clientId, reply);
      machine.digestSum = (machine.digestSum + clientPart(clientId, reply)) >>> 0;
    }
    return machine;
  }
}
