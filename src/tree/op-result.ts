import type { Acl } from './acl.js';
import type { ErrorCodeNumber } from '../errors/error-code.js';
import type { Stat } from './stat.js';

/** What applying a txn answers to the client that asked for it. */
export type OpResult =
  | { readonly type: 'create'; readonly path: string; readonly stat: Stat }
  | { readonly type: 'delete' }
  | { readonly type: 'setData'; readonly stat: Stat }
  | { readonly type: 'setACL'; readonly stat: Stat }
  | { readonly type: 'check' }
  | { readonly type: 'multi'; readonly results: readonly OpResult[] }
  | { readonly type: 'error'; readonly code: ErrorCodeNumber }
  | { readonly type: 'createSession' }
  | { readonly type: 'moveSession' }
  | { readonly type: 'closeSession' }
  | { readonly type: 'deleteContainer' };

/** What a read answers. */
export type ReadResult =
  | { readonly type: 'getData'; readonly data: Uint8Array; readonly stat: Stat }
  | { readonly type: 'exists'; readonly stat: Stat | null }
  | { readonly type: 'getChildren'; readonly children: readonly string[]; readonly stat: Stat }
  | { readonly type: 'getAllChildrenNumber'; readonly count: number }
  | { readonly type: 'getEphemerals'; readonly paths: readonly string[] }
  | { readonly type: 'getACL'; readonly acl: readonly Acl[]; readonly stat: Stat }
  | { readonly type: 'error'; readonly code: ErrorCodeNumber };
