import type { ReplicaId } from '../consensus/types.js';

/** A session as every replica knows it: created and closed by replicated txns. */
export interface SessionRecord {
  readonly sessionId: bigint;
  /** The negotiated timeout. */
  readonly timeoutMs: number;
  /** sha1 of the session password: a client proves it owns the session when it moves. */
  readonly passwordDigest: Uint8Array;
  /** The replica the client is attached to now; requests from any other are SESSIONMOVED. */
  readonly ownerReplica: ReplicaId;
  /**
   * True when the client lives in the same tab as its owner replica: the session ends as soon as
   * the leader learns that replica left, not after the timeout.
   */
  readonly fateShared: boolean;
}
