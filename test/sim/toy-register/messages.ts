import type { KvInput, KvOutput, RegisterValue } from '../lincheck/kv-model.js';

/** The toy register's wire: client requests and replies, and the primary's updates to backups. */
export type ToyMessage =
  | { readonly kind: 'request'; readonly clientId: number; readonly requestId: number; readonly input: KvInput }
  | { readonly kind: 'reply'; readonly requestId: number; readonly output: KvOutput }
  /** The value of `key` as of the primary's `sequence`-th change. */
  | { readonly kind: 'replicate'; readonly sequence: number; readonly key: string; readonly value: RegisterValue };
