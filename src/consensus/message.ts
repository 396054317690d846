import type { Entry, ReplicaId, SnapshotMetadata } from './types.js';

/**
 * The messages replicas exchange: plain data, encoded on the wire by src/wire. Every message names
 * its sender, its receiver and the sender's term (for MsgPreVote: the term it would campaign in).
 */
interface Envelope {
  readonly from: ReplicaId;
  readonly to: ReplicaId;
  readonly term: number;
}

/** Leader -> follower: entries after (index, logTerm), and the leader's commit index. */
export interface MsgApp extends Envelope {
  readonly type: 'MsgApp';
  /** The index of the entry just before `entries`. */
  readonly index: number;
  /** The term of the entry at `index`. */
  readonly logTerm: number;
  readonly entries: readonly Entry[];
  readonly commit: number;
}

/**
 * Follower -> leader. Accepted: `index` is the follower's last index that matches the leader.
 * Rejected: `index` is the rejected MsgApp's index; (`hintIndex`, `hintTerm`) name the follower's
 * largest index <= it whose term is <= the probed term, so the leader skips a whole term at once.
 */
export interface MsgAppResp extends Envelope {
  readonly type: 'MsgAppResp';
  readonly index: number;
  readonly reject: boolean;
  readonly hintIndex: number;
  readonly hintTerm: number;
}

/** Candidate -> voter (MsgVote), or pre-candidate -> voter (MsgPreVote, term = the term it would use). */
export interface MsgVote extends Envelope {
  readonly type: 'MsgVote' | 'MsgPreVote';
  /** The candidate's last index and its term. */
  readonly index: number;
  readonly logTerm: number;
  /** Campaigning because the leader handed over (MsgTimeoutNow): voters skip the leader-lease check. */
  readonly transfer: boolean;
}

export interface MsgVoteResp extends Envelope {
  readonly type: 'MsgVoteResp' | 'MsgPreVoteResp';
  readonly reject: boolean;
}

/** Leader -> everyone: "I am alive". `readSeq` lets ReadIndex count acknowledgements. */
export interface MsgHeartbeat extends Envelope {
  readonly type: 'MsgHeartbeat';
  /** min(leader commit, the receiver's match): never past what the receiver holds. */
  readonly commit: number;
  readonly readSeq: number;
}

export interface MsgHeartbeatResp extends Envelope {
  readonly type: 'MsgHeartbeatResp';
  /** The `readSeq` of the heartbeat answered. */
  readonly readSeq: number;
}

/** Leader -> follower: one chunk of a snapshot. The last chunk ends at `totalBytes`. */
export interface MsgSnap extends Envelope {
  readonly type: 'MsgSnap';
  readonly metadata: SnapshotMetadata;
  readonly totalBytes: number;
  readonly offset: number;
  readonly chunk: Uint8Array;
}

/**
 * Follower -> leader: the snapshot bytes it holds of the snapshot at `snapshotIndex` (the offset it
 * expects next). `reject` when the chunk did not fit (lost or reordered chunk, or too large).
 */
export interface MsgSnapResp extends Envelope {
  readonly type: 'MsgSnapResp';
  readonly snapshotIndex: number;
  readonly receivedBytes: number;
  readonly reject: boolean;
}

/** Asks the leader to hand leadership to `transferee`. */
export interface MsgTransferLeader extends Envelope {
  readonly type: 'MsgTransferLeader';
  readonly transferee: ReplicaId;
}

/** Leader -> caught-up transferee: campaign now, skipping PreVote. */
export interface MsgTimeoutNow extends Envelope {
  readonly type: 'MsgTimeoutNow';
}

/** Follower -> leader: a ReadIndex request on behalf of the follower's client. */
export interface MsgReadIndex extends Envelope {
  readonly type: 'MsgReadIndex';
  readonly context: Uint8Array;
}

/** Leader -> follower: the read index for `context` (reads at or after it are linearizable). */
export interface MsgReadIndexResp extends Envelope {
  readonly type: 'MsgReadIndexResp';
  readonly index: number;
  readonly context: Uint8Array;
}

export type Message =
  | MsgApp
  | MsgAppResp
  | MsgVote
  | MsgVoteResp
  | MsgHeartbeat
  | MsgHeartbeatResp
  | MsgSnap
  | MsgSnapResp
  | MsgTransferLeader
  | MsgTimeoutNow
  | MsgReadIndex
  | MsgReadIndexResp;

export type MessageType = Message['type'];

export const MESSAGE_TYPES: readonly MessageType[] = [
  'MsgApp',
  'MsgAppResp',
  'MsgVote',
  'MsgPreVote',
  'MsgVoteResp',
  'MsgPreVoteResp',
  'MsgHeartbeat',
  'MsgHeartbeatResp',
  'MsgSnap',
  'MsgSnapResp',
  'MsgTransferLeader',
  'MsgTimeoutNow',
  'MsgReadIndex',
  'MsgReadIndexResp',
];

/**
 * Messages that acknowledge or promise something this replica must not forget: they leave only once
 * the Ready that carries them (and every earlier Ready) is durable. A vote request too, since the
 * candidate's own vote for itself is part of the term it persists.
 */
export function mustWaitForDurable(type: MessageType): boolean {
  return type === 'MsgAppResp' || type === 'MsgVoteResp' || type === 'MsgPreVoteResp' || type === 'MsgVote';
}

const isIndex = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) >= 0;

/**
 * Why a message from the network cannot be stepped (numbers out of range, entries that do not follow
 * the MsgApp's index, entries from a term after the sender's), or null when it can. The wire decoder
 * checks shapes; this checks the Raft-level facts the state machine relies on.
 */
export function messageProblem(m: Message): string | null {
  if (!MESSAGE_TYPES.includes(m.type)) return `unknown message type ${String(m.type)}`;
  if (!isIndex(m.term)) return `bad term ${String(m.term)}`;
  switch (m.type) {
    case 'MsgApp': {
      if (!isIndex(m.index) || !isIndex(m.logTerm) || !isIndex(m.commit)) return 'bad MsgApp index, logTerm or commit';
      let previousTerm = m.logTerm;
      for (let i = 0; i < m.entries.length; i++) {
        const entry = m.entries[i] as Entry;
        if (entry.index !== m.index + 1 + i) return `MsgApp entry ${i} has index ${entry.index}, expected ${m.index + 1 + i}`;
        if (!isIndex(entry.term) || entry.term < previousTerm || entry.term > m.term) return `MsgApp entry ${entry.index} has term ${entry.term}`;
        if (entry.type !== 0 && entry.type !== 1) return `MsgApp entry ${entry.index} has type ${String(entry.type)}`;
        previousTerm = entry.term;
      }
      return null;
    }
    case 'MsgAppResp':
      return isIndex(m.index) && isIndex(m.hintIndex) && isIndex(m.hintTerm) ? null : 'bad MsgAppResp index or hint';
    case 'MsgVote':
    case 'MsgPreVote':
      return isIndex(m.index) && isIndex(m.logTerm) && m.logTerm <= m.term ? null : 'bad vote request log position';
    case 'MsgHeartbeat':
      return isIndex(m.commit) && isIndex(m.readSeq) ? null : 'bad MsgHeartbeat commit or readSeq';
    case 'MsgHeartbeatResp':
      return isIndex(m.readSeq) ? null : 'bad MsgHeartbeatResp readSeq';
    case 'MsgSnap': {
      const { index, term } = m.metadata;
      if (!isIndex(index) || index === 0 || !isIndex(term) || term > m.term) return 'bad MsgSnap metadata';
      if (!isIndex(m.totalBytes) || !isIndex(m.offset) || m.offset + m.chunk.byteLength > m.totalBytes) return 'bad MsgSnap offsets';
      return null;
    }
    case 'MsgSnapResp':
      return isIndex(m.snapshotIndex) && isIndex(m.receivedBytes) ? null : 'bad MsgSnapResp';
    case 'MsgReadIndexResp':
      return isIndex(m.index) ? null : 'bad MsgReadIndexResp index';
    default:
      return null;
  }
}

/** A one-line rendering for traces and logs. */
export function describeMessage(m: Message): string {
  const head = `${m.from}->${m.to} ${m.type} Term:${m.term}`;
  switch (m.type) {
    case 'MsgApp': {
      const entries = m.entries.map((e) => `${e.term}/${e.index}${e.type === 1 ? ' conf' : ''}`).join(', ');
      return `${head} Log:${m.logTerm}/${m.index} Commit:${m.commit}${m.entries.length > 0 ? ` Entries:[${entries}]` : ''}`;
    }
    case 'MsgAppResp':
      return m.reject ? `${head} Rejected:${m.index} Hint:${m.hintTerm}/${m.hintIndex}` : `${head} Index:${m.index}`;
    case 'MsgVote':
    case 'MsgPreVote':
      return `${head} Log:${m.logTerm}/${m.index}${m.transfer ? ' transfer' : ''}`;
    case 'MsgVoteResp':
    case 'MsgPreVoteResp':
      return m.reject ? `${head} Rejected` : head;
    case 'MsgHeartbeat':
      return `${head} Commit:${m.commit}${m.readSeq > 0 ? ` ReadSeq:${m.readSeq}` : ''}`;
    case 'MsgHeartbeatResp':
      return m.readSeq > 0 ? `${head} ReadSeq:${m.readSeq}` : head;
    case 'MsgSnap':
      return `${head} Snapshot:${m.metadata.term}/${m.metadata.index} Bytes:${m.offset}+${m.chunk.byteLength}/${m.totalBytes}`;
    case 'MsgSnapResp':
      return `${head} Snapshot:${m.snapshotIndex} Received:${m.receivedBytes}${m.reject ? ' Rejected' : ''}`;
    case 'MsgTransferLeader':
      return `${head} Transferee:${m.transferee}`;
    case 'MsgTimeoutNow':
      return head;
    case 'MsgReadIndex':
      return `${head} Context:${m.context.byteLength}B`;
    case 'MsgReadIndexResp':
      return `${head} Index:${m.index}`;
  }
}
