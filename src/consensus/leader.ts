import type { Message, MsgAppResp, MsgHeartbeatResp, MsgSnapResp } from './message.js';
import { Progress } from './progress.js';
import { hasQuorum, majorityIndex } from './quorum.js';
import type { Raft } from './raft.js';
import { entrySizeBytes } from './raft-log.js';
import type { Entry, EntryTypeNumber, ReplicaId } from './types.js';

/*
 * What a leader does (etcd's stepLeader and its helpers): replicate with per-follower progress,
 * commit by quorum, heartbeat, CheckQuorum, ReadIndex, leadership transfer, snapshot streaming.
 * Free functions over the Raft state, so raft.ts stays the role-independent core.
 */

/** Progress for every member of the configuration in force; the leader's own match is what is durable. */
export function initProgress(r: Raft): void {
  r.progress.clear();
  syncProgress(r);
}

/** Adds progress for new members, drops removed ones, and records who is a learner. */
export function syncProgress(r: Raft): void {
  const conf = r.conf();
  const members = new Set<ReplicaId>([...conf.voters, ...conf.learners]);
  for (const id of [...r.progress.keys()]) if (!members.has(id)) r.progress.delete(id);
  for (const id of members) {
    const isLearner = !conf.voters.includes(id);
    const existing = r.progress.get(id);
    if (existing !== undefined) {
      existing.isLearner = isLearner;
      continue;
    }
    const progress = new Progress(r.log.lastIndex() + 1, r.config.maxInflightMsgs, isLearner);
    if (id === r.id) {
      progress.match = r.log.stableIndex;
      progress.becomeReplicate();
      progress.recentActive = true;
    }
    r.progress.set(id, progress);
  }
}

/** Appends new entries of the leader's term; returns the index of the first. */
export function appendEntries(r: Raft, items: readonly { type: EntryTypeNumber; data: Uint8Array }[]): number {
  const first = r.log.lastIndex() + 1;
  const entries: Entry[] = new Array<Entry>(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as { type: EntryTypeNumber; data: Uint8Array };
    const entry: Entry = { term: r.term, index: first + i, type: item.type, data: item.data };
    entries[i] = entry;
    if (item.data.byteLength > 0) r.uncommittedBytes += entrySizeBytes(entry);
  }
  const before = r.conf();
  r.appendToLog(entries);
  if (r.conf() !== before) syncProgress(r);
  broadcastAppend(r);
  return first;
}

/** Sends entries (or a snapshot) to one follower; returns whether something was sent. */
export function sendAppend(r: Raft, to: ReplicaId, sendIfEmpty: boolean): boolean {
  const pr = r.progress.get(to);
  if (pr === undefined || to === r.id || pr.isPaused()) return false;
  const prevIndex = pr.next - 1;
  const prevTerm = r.log.term(prevIndex);
  const entries = prevTerm === undefined ? undefined : r.log.slice(pr.next, r.log.lastIndex() + 1, r.config.maxSizePerMsg, r.config.maxEntriesPerMsg);
  if (prevTerm === undefined || entries === undefined) {
    startSnapshot(r, to, pr);
    return true;
  }
  if (entries.length === 0 && !sendIfEmpty) return false;
  r.send({ type: 'MsgApp', to, index: prevIndex, logTerm: prevTerm, entries, commit: r.log.committed });
  pr.sentEntries(prevIndex + entries.length, entries.length);
  return true;
}

/** Pipelines as much as the follower's window allows; with `sendIfEmpty`, at least a commit update. */
function sendAll(r: Raft, to: ReplicaId, sendIfEmpty: boolean): void {
  let sent = false;
  while (sendAppend(r, to, false)) sent = true;
  if (!sent && sendIfEmpty) sendAppend(r, to, true);
}

export function broadcastAppend(r: Raft): void {
  for (const id of r.progress.keys()) if (id !== r.id) sendAll(r, id, true);
}

export function broadcastHeartbeat(r: Raft): void {
  const readSeq = r.readOnly.currentSeq;
  for (const [id, pr] of r.progress) {
    if (id === r.id) continue;
    r.send({ type: 'MsgHeartbeat', to: id, commit: Math.min(pr.match, r.log.committed), readSeq });
  }
}

/** §3.6.1 / Figure 8: commit the majority's match only if that entry is of the current term. */
export function maybeCommit(r: Raft): boolean {
  const index = majorityIndex(r.conf().voters, (id) => r.progress.get(id)?.match ?? 0);
  if (index <= r.log.committed || r.log.term(index) !== r.term) return false;
  const hadCommittedInTerm = r.log.term(r.log.committed) === r.term;
  for (let i = r.log.committed + 1; i <= index; i++) {
    const entry = r.log.entryAt(i);
    if (entry !== undefined && entry.data.byteLength > 0) r.uncommittedBytes -= entrySizeBytes(entry);
  }
  r.uncommittedBytes = Math.max(0, r.uncommittedBytes);
  r.log.commitTo(index);
  if (!hadCommittedInTerm) {
    for (const read of r.readOnly.takeWaiting()) handleReadIndex(r, read.context, read.from);
  }
  return true;
}

/** After a commit: step down if the committed configuration no longer has this leader (§4.2.2). */
function stepDownIfRemoved(r: Raft): boolean {
  const conf = r.conf();
  if (conf.voters.includes(r.id) || r.confHistory.lastChangeIndex() > r.log.committed) return false;
  // Hand over at once to the most caught-up voter instead of waiting for an election timeout.
  let best: ReplicaId | null = null;
  let bestMatch = -1;
  for (const voter of conf.voters) {
    const match = r.progress.get(voter)?.match ?? 0;
    if (match > bestMatch) {
      best = voter;
      bestMatch = match;
    }
  }
  if (best !== null && bestMatch === r.log.lastIndex()) r.send({ type: 'MsgTimeoutNow', to: best });
  r.becomeFollower(r.term, null);
  return true;
}

/** The leader's own entries became durable up to `stableIndex` (called from RaftNode.advance). */
export function selfPersisted(r: Raft): void {
  const self = r.progress.get(r.id);
  if (self !== undefined) self.maybeUpdate(r.log.stableIndex);
  afterProgress(r);
}

function afterProgress(r: Raft): void {
  if (!maybeCommit(r)) return;
  if (stepDownIfRemoved(r)) return;
  broadcastAppend(r);
}

export function tickLeader(r: Raft): void {
  r.heartbeatElapsed += 1;
  r.electionElapsed += 1;
  if (r.electionElapsed >= r.config.electionTicks) {
    r.electionElapsed = 0;
    if (r.config.checkQuorum) {
      // §6.2: a leader that has not heard from a quorum in an election timeout steps down.
      const active = hasQuorum(r.conf().voters, (id) => id === r.id || r.progress.get(id)?.recentActive === true);
      if (!active) {
        r.becomeFollower(r.term, null);
        return;
      }
      for (const [id, pr] of r.progress) {
        pr.activeLastRound = pr.recentActive;
        pr.recentActive = id === r.id;
      }
    }
    // §3.10: a transfer that did not finish within an election timeout is abandoned.
    r.leadTransferee = null;
  }
  if (r.heartbeatElapsed >= r.config.heartbeatTicks) {
    r.heartbeatElapsed = 0;
    broadcastHeartbeat(r);
  }
}

export function stepLeader(r: Raft, m: Message): void {
  switch (m.type) {
    case 'MsgAppResp':
      handleAppendResponse(r, m);
      return;
    case 'MsgHeartbeatResp':
      handleHeartbeatResponse(r, m);
      return;
    case 'MsgSnapResp':
      handleSnapshotResponse(r, m);
      return;
    case 'MsgTransferLeader':
      transferLeadership(r, m.transferee);
      return;
    case 'MsgReadIndex':
      handleReadIndex(r, m.context, m.from);
      return;
    default:
      return;
  }
}

function handleAppendResponse(r: Raft, m: MsgAppResp): void {
  const pr = r.progress.get(m.from);
  if (pr === undefined) return;
  pr.recentActive = true;
  if (m.reject) {
    // Fast backtracking: skip every entry of a term the follower cannot match.
    const nextProbe = m.hintTerm > 0 ? r.log.findConflictByTerm(m.hintIndex, m.hintTerm).index : m.hintIndex;
    if (pr.maybeDecrTo(m.index, nextProbe)) {
      if (pr.state === 'replicate') pr.becomeProbe();
      sendAll(r, m.from, true);
    }
    return;
  }
  const wasPaused = pr.isPaused();
  if (pr.maybeUpdate(m.index) || (pr.match === m.index && pr.state === 'probe')) {
    if (pr.state === 'probe') pr.becomeReplicate();
    else if (pr.state === 'snapshot' && pr.match >= pr.pendingSnapshot) {
      pr.becomeProbe();
      pr.becomeReplicate();
    } else if (pr.state === 'replicate') pr.inflights.freeLE(m.index);
    if (maybeCommit(r)) {
      if (stepDownIfRemoved(r)) return;
      broadcastAppend(r);
    } else {
      sendAll(r, m.from, wasPaused);
    }
    if (m.from === r.leadTransferee && pr.match === r.log.lastIndex()) r.send({ type: 'MsgTimeoutNow', to: m.from });
  }
}

function handleHeartbeatResponse(r: Raft, m: MsgHeartbeatResp): void {
  const pr = r.progress.get(m.from);
  if (pr === undefined) return;
  pr.recentActive = true;
  pr.probeSent = false;
  if (pr.state === 'snapshot') {
    // Resend whatever was not acknowledged: chunks may have been lost.
    const transfer = pr.snapshotTransfer;
    if (transfer !== null) {
      transfer.sentBytes = transfer.ackedBytes;
      transfer.allSent = false;
    }
    sendSnapshotChunks(r, m.from, pr);
  } else {
    // A full window after a loss would stall forever: let one more MsgApp go to find out.
    if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirst();
    if (pr.match < r.log.lastIndex()) sendAll(r, m.from, true);
  }
  if (m.readSeq > pr.readSeqAcked) {
    pr.readSeqAcked = m.readSeq;
    releaseReads(r);
  }
}

// ---- ReadIndex (§6.4) ----

/** Returns false when the request was refused (the queue is full). */
export function handleReadIndex(r: Raft, context: Uint8Array, from: ReplicaId | null): boolean {
  if (r.readOnly.isFull()) return false;
  if (r.log.term(r.log.committed) !== r.term) {
    // Not yet known what is committed: wait for the first commit of this term.
    r.readOnly.wait(context, from);
    return true;
  }
  r.readOnly.add(r.log.committed, context, from);
  if (r.conf().voters.some((id) => id !== r.id)) broadcastHeartbeat(r);
  releaseReads(r);
  return true;
}

function releaseReads(r: Raft): void {
  const confirmed = majorityIndex(r.conf().voters, (id) =>
    id === r.id ? r.readOnly.currentSeq : (r.progress.get(id)?.readSeqAcked ?? 0),
  );
  for (const read of r.readOnly.release(confirmed)) {
    if (read.from === null) r.readStates.push({ index: read.index, requestContext: read.context });
    else r.send({ type: 'MsgReadIndexResp', to: read.from, index: read.index, context: read.context });
  }
}

// ---- leadership transfer (§3.10) ----

/** Returns a reason when the transfer cannot start, or null. */
export function transferLeadership(r: Raft, transferee: ReplicaId): string | null {
  if (transferee === r.id) return 'this replica is already the leader';
  if (!r.conf().voters.includes(transferee)) return `${transferee} is not a voter`;
  const pr = r.progress.get(transferee);
  if (pr === undefined) return `${transferee} is not a voter`;
  if (r.leadTransferee === transferee) return null;
  r.leadTransferee = transferee;
  // The transfer must finish within an election timeout.
  r.electionElapsed = 0;
  if (pr.match === r.log.lastIndex()) r.send({ type: 'MsgTimeoutNow', to: transferee });
  else sendAll(r, transferee, true);
  return null;
}

// ---- snapshots, streamed in chunks ----

function startSnapshot(r: Raft, to: ReplicaId, pr: Progress): void {
  const snapshot = r.snapshot;
  if (snapshot === null) throw new Error(`meshkeeper assertion failed: log compacted without a snapshot to send to ${to}`);
  pr.becomeSnapshot(snapshot);
  sendSnapshotChunks(r, to, pr);
}

function sendSnapshotChunks(r: Raft, to: ReplicaId, pr: Progress): void {
  const transfer = pr.snapshotTransfer;
  if (transfer === null) return;
  const { snapshot } = transfer;
  const total = snapshot.data.byteLength;
  const window = r.config.snapshotChunkBytes * r.config.maxSnapshotChunksInFlight;
  while (!transfer.allSent && transfer.sentBytes - transfer.ackedBytes < window) {
    const end = Math.min(total, transfer.sentBytes + r.config.snapshotChunkBytes);
    r.send({
      type: 'MsgSnap',
      to,
      metadata: snapshot.metadata,
      totalBytes: total,
      offset: transfer.sentBytes,
      chunk: snapshot.data.subarray(transfer.sentBytes, end),
    });
    transfer.sentBytes = end;
    transfer.allSent = end === total;
  }
}

function handleSnapshotResponse(r: Raft, m: MsgSnapResp): void {
  const pr = r.progress.get(m.from);
  if (pr === undefined) return;
  pr.recentActive = true;
  const transfer = pr.snapshotTransfer;
  if (pr.state !== 'snapshot' || transfer === null || m.snapshotIndex !== pr.pendingSnapshot) return;
  if (m.reject) {
    // A chunk did not fit (one was lost, or the follower restarted). Believe the follower's count,
    // but resend only at the next heartbeat answer: the chunks still in flight would each be refused
    // too, and resending on every refusal would multiply the duplicates.
    const latest = r.snapshot;
    if (m.receivedBytes === 0 && latest !== null && latest.metadata.index > transfer.snapshot.metadata.index) {
      // The follower holds none of it: start over with the latest snapshot instead of the one this
      // transfer began with (the follower then needs fewer entries after it, and a transfer is never
      // pinned to a snapshot the follower keeps refusing).
      pr.becomeSnapshot(latest);
      return;
    }
    transfer.ackedBytes = m.receivedBytes;
    transfer.sentBytes = Math.max(transfer.sentBytes, m.receivedBytes);
    return;
  }
  transfer.ackedBytes = Math.max(transfer.ackedBytes, m.receivedBytes);
  sendSnapshotChunks(r, m.from, pr);
}
