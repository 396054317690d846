import type { ConfChange } from '../../../src/consensus/conf-change.js';
import type { Message } from '../../../src/consensus/message.js';
import type { KvInput, KvOutput } from '../lincheck/kv-model.js';
import type { NodeId } from '../network.js';

/** What an operator asks a replica to do: a membership change, or a leadership transfer. */
export type AdminAction = { readonly kind: 'conf-change'; readonly change: ConfChange } | { readonly kind: 'transfer'; readonly to: NodeId };

/** How a replica answers a client: the result, or "not me" with the leader it knows of. */
export type ClientOutcome = { readonly kind: 'done'; readonly output: KvOutput } | { readonly kind: 'refused'; readonly leader: NodeId | null };

/**
 * The simulated wire between replicas, clients and the operator. Raft messages travel as they are
 * (the network delivers by reference; nobody mutates them).
 */
export type RaftSimMessage =
  | { readonly kind: 'raft'; readonly message: Message }
  | { readonly kind: 'request'; readonly clientId: number; readonly requestId: number; readonly input: KvInput }
  | { readonly kind: 'reply'; readonly requestId: number; readonly outcome: ClientOutcome }
  | { readonly kind: 'admin'; readonly requestId: number; readonly action: AdminAction }
  | { readonly kind: 'admin-reply'; readonly requestId: number; readonly accepted: boolean; readonly leader: NodeId | null; readonly detail: string };
