import { ErrorCode } from '../../../src/errors/error-code.js';
import { isSequential } from '../../../src/tree/create-mode.js';
import type { ServerReply } from '../../../src/wire/client-message.js';
import { revealsOf } from './reveals.js';
import { WatchTracker } from './watch-tracker.js';
import type { WorkOp } from './workload.js';

/** One session as its client knows it: identity, request numbering, watches, what it has seen. */
export class ClientSession {
  /** Xids keep increasing across the connections of one session. */
  nextXid = 1;
  /** The highest zxid of a reply or event seen: zxids never go back within a session. */
  lastZxid = 0n;
  /** The client decided to close it: it sends closeSession once nothing else is in flight. */
  closing = false;
  readonly watches = new WatchTracker();
  /** The last version seen per path (for setData and delete with versions). */
  readonly versions = new Map<string, number>();
  /** Sequential nodes this session created: unique names, so deleting them hits no other session's node. */
  readonly ownNodes: string[] = [];

  constructor(
    readonly id: bigint,
    readonly password: Uint8Array,
    readonly timeoutTicks: number,
    /** The checker's client id. */
    readonly number: number,
  ) {}

  /**
   * What a reply teaches the session (watches set, versions, its own nodes). Answers the watch
   * violations the reply reveals: data newer than a change whose event has not come.
   */
  learn(op: WorkOp, reply: ServerReply, where: string): string[] {
    const problems: string[] = [];
    for (const reveal of revealsOf(op, reply)) {
      const problem = reveal.kind === 'path' ? this.watches.reveal(reveal.path, reveal.seen, where) : this.watches.revealChildChange(reveal.parent, reveal.zxid, where);
      if (problem !== null) problems.push(problem);
    }
    if (reply.err !== ErrorCode.OK) return problems;
    const body = reply.body;
    if ((op.kind === 'getData' || op.kind === 'syncRead') && body.type === 'getData') {
      this.versions.set(op.path, body.stat.version);
      if (op.kind === 'getData' && op.watch) this.watches.registerData(op.path, body.stat);
    } else if (op.kind === 'exists' && body.type === 'exists') {
      if (body.stat !== null) this.versions.set(op.path, body.stat.version);
      if (op.watch) this.watches.registerData(op.path, body.stat);
    } else if (op.kind === 'getChildren' && body.type === 'getChildren') {
      if (op.watch) this.watches.registerChild(op.path, body.stat);
    } else if (op.kind === 'setData' && body.type === 'setData') {
      this.versions.set(op.path, body.stat.version);
    } else if (op.kind === 'create' && body.type === 'create') {
      if (isSequential(op.mode)) this.ownNodes.push(body.path);
    } else if (op.kind === 'delete') {
      const index = this.ownNodes.indexOf(op.path);
      if (index !== -1) this.ownNodes.splice(index, 1);
    }
    return problems;
  }
}
