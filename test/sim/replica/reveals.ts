import { ErrorCode } from '../../../src/errors/error-code.js';
import { isSequential } from '../../../src/tree/create-mode.js';
import type { ServerReply } from '../../../src/wire/client-message.js';
import type { Observation } from './watch-tracker.js';
import type { WorkOp } from './workload.js';

/** What one reply shows of the tree: a path's state, or that a child of `parent` changed at `zxid`. */
export type Reveal =
  | { readonly kind: 'path'; readonly path: string; readonly seen: Observation }
  | { readonly kind: 'child'; readonly parent: string; readonly zxid: bigint };

export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

const ABSENT: Observation = { exists: false };
const PRESENT: Observation = { exists: true };

/**
 * What a reply tells its client about the tree (for the watch ordering check). A reply's data is
 * as new as the replica's applied state when it left, so a watch that this data shows fired must
 * have delivered its event earlier on the connection. Multi replies are not looked at.
 */
export function revealsOf(op: WorkOp, reply: ServerReply): Reveal[] {
  const { err, body } = reply;
  const path = (p: string, seen: Observation): Reveal => ({ kind: 'path', path: p, seen });
  switch (op.kind) {
    case 'getData':
    case 'syncRead':
      if (err === ErrorCode.OK && body.type === 'getData') return [path(op.path, { exists: true, stat: body.stat })];
      return err === ErrorCode.NONODE ? [path(op.path, ABSENT)] : [];
    case 'exists':
      if (err !== ErrorCode.OK || body.type !== 'exists') return [];
      return [path(op.path, body.stat === null ? ABSENT : { exists: true, stat: body.stat })];
    case 'getChildren':
      if (err === ErrorCode.OK && body.type === 'getChildren') return [path(op.path, { exists: true, stat: body.stat })];
      return err === ErrorCode.NONODE ? [path(op.path, ABSENT)] : [];
    case 'create':
      if (err === ErrorCode.OK && body.type === 'create') {
        return [path(body.path, { exists: true, stat: body.stat }), { kind: 'child', parent: parentOf(body.path), zxid: body.stat.czxid }];
      }
      if (err === ErrorCode.NODEEXISTS && !isSequential(op.mode)) return [path(op.path, PRESENT)];
      return err === ErrorCode.NONODE ? [path(parentOf(op.path), ABSENT)] : [];
    case 'setData':
      if (err === ErrorCode.OK && body.type === 'setData') return [path(op.path, { exists: true, stat: body.stat })];
      if (err === ErrorCode.NONODE) return [path(op.path, ABSENT)];
      return err === ErrorCode.BADVERSION ? [path(op.path, PRESENT)] : [];
    case 'delete':
      // The reply of an applied write carries that txn's zxid (the replica answers as it applies it).
      if (err === ErrorCode.OK) return [path(op.path, ABSENT), { kind: 'child', parent: parentOf(op.path), zxid: reply.zxid }];
      if (err === ErrorCode.NONODE) return [path(op.path, ABSENT)];
      return err === ErrorCode.BADVERSION || err === ErrorCode.NOTEMPTY ? [path(op.path, PRESENT)] : [];
    default:
      return [];
  }
}
