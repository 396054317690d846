import type { Message } from '../consensus/message.js';
import type { ReplicaId } from '../consensus/types.js';
import type { Id } from '../tree/acl.js';
import type { WriteOp } from '../tree/op.js';

/**
 * What one replica sends another: consensus traffic plus the few messages ZooKeeper's followers and
 * leader exchange outside the log (forwarded writes, session activity). Encoded by src/wire.
 */

/** A session operation only the leader can turn into a txn. */
export type SessionOp =
  | {
      readonly type: 'createSession';
      readonly timeoutMs: number;
      readonly passwordDigest: Uint8Array;
      readonly fateShared: boolean;
    }
  | {
      readonly type: 'moveSession';
      /** sha1 of the password the client presented: the leader checks it against the session's. */
      readonly passwordDigest: Uint8Array;
    }
  | { readonly type: 'closeSession' };

/**
 * One client request on its way to the leader. For createSession, `sessionId` is 0n and `cxid` the
 * origin's connect number; for everything else they are the session and the client's xid.
 */
export interface ForwardedRequest {
  readonly sessionId: bigint;
  readonly cxid: number;
  /** The ids the session has authenticated as (ACL checks happen at prep, on the leader). */
  readonly authIds: readonly Id[];
  readonly op: WriteOp | SessionOp;
}

/** Follower or observer -> leader: client writes to prep, propose and commit, in arrival order. */
export interface ForwardMessage {
  readonly type: 'forward';
  readonly requests: readonly ForwardedRequest[];
}

/**
 * Leader -> origin: these forwarded requests were not taken (this replica is not the leader, or not
 * ready yet); the origin fails them with CONNECTIONLOSS so the client may retry.
 */
export interface ForwardRefusedMessage {
  readonly type: 'forwardRefused';
  readonly requests: readonly { readonly sessionId: bigint; readonly cxid: number }[];
  /** Who leads, as far as the refusing replica knows. */
  readonly leader: ReplicaId | null;
}

/** Any replica -> leader: sessions whose clients were heard from since the last report. */
export interface SessionActivityMessage {
  readonly type: 'sessionActivity';
  readonly sessionIds: readonly bigint[];
}

export interface RaftPeerMessage {
  readonly type: 'raft';
  readonly message: Message;
}

export type PeerMessage = RaftPeerMessage | ForwardMessage | ForwardRefusedMessage | SessionActivityMessage;
