import * as encoding from 'lib0/encoding';
import type { Message, MessageType, MsgApp } from '../consensus/message.js';
import type { ConfState, Entry, EntryTypeNumber, ReplicaId, SnapshotMetadata } from '../consensus/types.js';
import { decodeFrame, encodeFrame } from './frame.js';
import {
  MAX_APPEND_ENTRIES,
  MAX_CONF_REPLICAS,
  MAX_ENTRY_DATA_BYTES,
  MAX_PEER_FRAME_BYTES,
  MAX_READ_CONTEXT_BYTES,
  MAX_REPLICA_ID_BYTES,
  MAX_SNAPSHOT_CHUNK_BYTES,
} from './limits.js';
import { RAFT_MESSAGE_KINDS, raftMessageKind, raftMessageType } from './peer-kind.js';
import {
  readBool,
  readBytes,
  readCount,
  readString,
  readStringList,
  readUint,
  remaining,
  writeBool,
  writeBytes,
  writeString,
  writeStringList,
  writeUint,
  type Decoder,
  type Encoder,
} from './primitives.js';
import { asMarshalling, marshallingError } from './wire-error.js';

/**
 * Raft messages (src/consensus/message.ts) as frames of kinds 64..77, one kind per message type.
 *
 *   raftMessage := envelope • fields            (fields per type: PROTOCOL.md, "Replica messages")
 *   envelope    := varString(from) • varString(to) • varUint(term)
 *
 * Terms, indexes, commits, sequence numbers and byte offsets are varUints in [0, 2^53 - 1]. A MsgApp
 * does not repeat its entries' indexes (they follow `index`) and writes their terms as runs.
 *
 * The codec guarantees shape and ranges only; the Raft-level facts (entry terms non-decreasing and
 * at most the message's term, snapshot offsets within totalBytes, ...) are `messageProblem`'s, which
 * `RaftNode.step` checks for every message it is given.
 */

const MAX_UINT53 = Number.MAX_SAFE_INTEGER;
const LAST_ENTRY_TYPE = 1;
/** The fewest bytes one entry takes in a MsgApp: its type and its data length. */
const MIN_ENTRY_HEAD_BYTES = 2;
/** The fewest bytes one term run takes: a term and a length. */
const MIN_TERM_RUN_BYTES = 2;

function writeNumber(encoder: Encoder, value: number, what: string): void {
  writeUint(encoder, value, MAX_UINT53, what);
}

function readNumber(decoder: Decoder, what: string): number {
  return readUint(decoder, MAX_UINT53, what);
}

function writeReplicaId(encoder: Encoder, id: ReplicaId, what: string): void {
  writeString(encoder, id, MAX_REPLICA_ID_BYTES, what);
}

function readReplicaId(decoder: Decoder, what: string): ReplicaId {
  return readString(decoder, MAX_REPLICA_ID_BYTES, what);
}

// ---------------------------------------------------------------- MsgApp entries

/**
 *   entries  := varUint(runCount) • (varUint(term) • varUint(length)){runCount}
 *             • (varUint(type) • varUint(dataLength)){n} • dataColumn        (n = Σ length)
 * Entry i (from 0) has index `index + 1 + i`; the runs give the terms in order. Runs are canonical:
 * every length is at least 1 and two adjacent runs never have the same term. `dataColumn` is every
 * entry's data concatenated in order, and ends the message.
 */
function writeEntries(encoder: Encoder, m: MsgApp, what: string): void {
  const entries = m.entries;
  if (!Array.isArray(entries)) throw marshallingError(`${what}.entries`, 'entries is not an array');
  const count = entries.length;
  if (count > MAX_APPEND_ENTRIES) {
    throw marshallingError(`${what}.entries`, `${count} entries exceed the limit of ${MAX_APPEND_ENTRIES}`);
  }
  if (m.index + count > MAX_UINT53) throw marshallingError(`${what}.entries`, `entry indexes would pass ${MAX_UINT53}`);
  let runCount = 0;
  let previousTerm = -1;
  for (let i = 0; i < count; i++) {
    const entry = entries[i] as Entry;
    if (entry.index !== m.index + 1 + i) {
      throw marshallingError(`${what}.entries`, `entry ${i} has index ${String(entry.index)}, not ${m.index + 1 + i}: entries must follow index`);
    }
    const term = entry.term;
    if (!Number.isSafeInteger(term) || term < 0) throw marshallingError(`${what}.entries`, `entry ${i} has term ${String(term)}`);
    if (!(entry.data instanceof Uint8Array)) throw marshallingError(`${what}.entries`, `entry ${i} data is not a Uint8Array`);
    if (term !== previousTerm) runCount++;
    previousTerm = term;
  }
  writeUint(encoder, runCount, MAX_APPEND_ENTRIES, `${what} term run count`);
  for (let start = 0; start < count; ) {
    const term = (entries[start] as Entry).term;
    let end = start + 1;
    while (end < count && (entries[end] as Entry).term === term) end++;
    writeNumber(encoder, term, `${what} term run term`);
    writeUint(encoder, end - start, MAX_APPEND_ENTRIES, `${what} term run length`);
    start = end;
  }
  const typeWhat = `${what}.entry.type`;
  const lengthWhat = `${what}.entry.dataLength`;
  let dataBytes = 0;
  for (const entry of entries as readonly Entry[]) {
    writeUint(encoder, entry.type, LAST_ENTRY_TYPE, typeWhat);
    writeUint(encoder, entry.data.length, MAX_ENTRY_DATA_BYTES, lengthWhat);
    dataBytes += entry.data.length;
  }
  if (dataBytes > MAX_PEER_FRAME_BYTES) {
    throw marshallingError(`${what}.entries`, `${dataBytes} bytes of entry data exceed the frame limit of ${MAX_PEER_FRAME_BYTES}`);
  }
  // The data column in one piece: one copy per entry, and one write (lib0 slices each array it writes).
  const column = new Uint8Array(dataBytes);
  let at = 0;
  for (const entry of entries as readonly Entry[]) {
    column.set(entry.data, at);
    at += entry.data.length;
  }
  encoding.writeUint8Array(encoder, column);
}

function readEntries(decoder: Decoder, index: number, what: string): Entry[] {
  const runCount = readCount(decoder, MAX_APPEND_ENTRIES, MIN_TERM_RUN_BYTES, `${what} term run count`);
  const terms: number[] = [];
  const lengths: number[] = [];
  let count = 0;
  for (let run = 0; run < runCount; run++) {
    const termOffset = decoder.pos;
    const term = readNumber(decoder, `${what} term run term`);
    if (run > 0 && term === terms[run - 1]) {
      throw marshallingError(`${what} term run term`, `run ${run} repeats the term ${term} of the run before it`, termOffset);
    }
    const lengthOffset = decoder.pos;
    const length = readUint(decoder, MAX_APPEND_ENTRIES - count, `${what} term run length`);
    if (length === 0) throw marshallingError(`${what} term run length`, 'a term run is empty', lengthOffset);
    terms.push(term);
    lengths.push(length);
    count += length;
  }
  const left = remaining(decoder);
  if (count * MIN_ENTRY_HEAD_BYTES > left) {
    throw marshallingError(`${what}.entries`, `${count} entries cannot fit in the ${left} bytes left`, decoder.pos);
  }
  if (index + count > MAX_UINT53) throw marshallingError(`${what}.entries`, `entry indexes would pass ${MAX_UINT53}`, decoder.pos);
  const typeWhat = `${what}.entry.type`;
  const lengthWhat = `${what}.entry.dataLength`;
  const types: EntryTypeNumber[] = [];
  const dataLengths: number[] = [];
  let dataBytes = 0;
  for (let i = 0; i < count; i++) {
    types.push(readUint(decoder, LAST_ENTRY_TYPE, typeWhat) as EntryTypeNumber);
    const offset = decoder.pos;
    const dataLength = readUint(decoder, MAX_ENTRY_DATA_BYTES, lengthWhat);
    dataBytes += dataLength;
    if (dataBytes > remaining(decoder)) {
      throw marshallingError(lengthWhat, `entry data of ${dataBytes} bytes so far run past the ${remaining(decoder)} bytes left`, offset);
    }
    dataLengths.push(dataLength);
  }
  // One copy of the data column; each entry's data is a view into it (the input is not retained).
  const column = decoder.arr.slice(decoder.pos, decoder.pos + dataBytes);
  decoder.pos += dataBytes;
  const entries: Entry[] = [];
  let at = 0;
  let i = 0;
  for (let run = 0; run < runCount; run++) {
    const term = terms[run] as number;
    for (let end = i + (lengths[run] as number); i < end; i++) {
      const dataLength = dataLengths[i] as number;
      entries.push({ term, index: index + 1 + i, type: types[i] as EntryTypeNumber, data: column.subarray(at, at + dataLength) });
      at += dataLength;
    }
  }
  return entries;
}

// ---------------------------------------------------------------- snapshot metadata

/** confState := list(varString(voter)) • list(varString(learner)); metadata := varUint(index) • varUint(term) • confState */
function writeSnapshotMetadata(encoder: Encoder, metadata: SnapshotMetadata, what: string): void {
  writeNumber(encoder, metadata.index, `${what}.index`);
  writeNumber(encoder, metadata.term, `${what}.term`);
  const conf: ConfState = metadata.confState;
  writeStringList(encoder, conf.voters, MAX_CONF_REPLICAS, MAX_REPLICA_ID_BYTES, `${what}.voters`);
  writeStringList(encoder, conf.learners, MAX_CONF_REPLICAS, MAX_REPLICA_ID_BYTES, `${what}.learners`);
}

function readSnapshotMetadata(decoder: Decoder, what: string): SnapshotMetadata {
  const index = readNumber(decoder, `${what}.index`);
  const term = readNumber(decoder, `${what}.term`);
  const voters = readStringList(decoder, MAX_CONF_REPLICAS, MAX_REPLICA_ID_BYTES, `${what}.voters`);
  const learners = readStringList(decoder, MAX_CONF_REPLICAS, MAX_REPLICA_ID_BYTES, `${what}.learners`);
  return { index, term, confState: { voters, learners } };
}

// ---------------------------------------------------------------- messages

/** Writes a Raft message's body (envelope and fields); its type is the frame's kind. */
export function writeRaftMessage(encoder: Encoder, m: Message): void {
  const what = String(m.type);
  if (raftMessageKind(m.type) === undefined) throw marshallingError('raft message', `unknown message type ${what}`);
  writeReplicaId(encoder, m.from, `${what}.from`);
  writeReplicaId(encoder, m.to, `${what}.to`);
  writeNumber(encoder, m.term, `${what}.term`);
  switch (m.type) {
    case 'MsgApp':
      writeNumber(encoder, m.index, `${what}.index`);
      writeNumber(encoder, m.logTerm, `${what}.logTerm`);
      writeNumber(encoder, m.commit, `${what}.commit`);
      return writeEntries(encoder, m, what);
    case 'MsgAppResp':
      writeNumber(encoder, m.index, `${what}.index`);
      writeBool(encoder, m.reject, `${what}.reject`);
      writeNumber(encoder, m.hintIndex, `${what}.hintIndex`);
      return writeNumber(encoder, m.hintTerm, `${what}.hintTerm`);
    case 'MsgVote':
    case 'MsgPreVote':
      writeNumber(encoder, m.index, `${what}.index`);
      writeNumber(encoder, m.logTerm, `${what}.logTerm`);
      return writeBool(encoder, m.transfer, `${what}.transfer`);
    case 'MsgVoteResp':
    case 'MsgPreVoteResp':
      return writeBool(encoder, m.reject, `${what}.reject`);
    case 'MsgHeartbeat':
      writeNumber(encoder, m.commit, `${what}.commit`);
      return writeNumber(encoder, m.readSeq, `${what}.readSeq`);
    case 'MsgHeartbeatResp':
      return writeNumber(encoder, m.readSeq, `${what}.readSeq`);
    case 'MsgSnap':
      writeSnapshotMetadata(encoder, m.metadata, `${what}.metadata`);
      writeNumber(encoder, m.totalBytes, `${what}.totalBytes`);
      writeNumber(encoder, m.offset, `${what}.offset`);
      return writeBytes(encoder, m.chunk, MAX_SNAPSHOT_CHUNK_BYTES, `${what}.chunk`);
    case 'MsgSnapResp':
      writeNumber(encoder, m.snapshotIndex, `${what}.snapshotIndex`);
      writeNumber(encoder, m.receivedBytes, `${what}.receivedBytes`);
      return writeBool(encoder, m.reject, `${what}.reject`);
    case 'MsgTransferLeader':
      return writeReplicaId(encoder, m.transferee, `${what}.transferee`);
    case 'MsgTimeoutNow':
      return;
    case 'MsgReadIndex':
      return writeBytes(encoder, m.context, MAX_READ_CONTEXT_BYTES, `${what}.context`);
    case 'MsgReadIndexResp':
      writeNumber(encoder, m.index, `${what}.index`);
      return writeBytes(encoder, m.context, MAX_READ_CONTEXT_BYTES, `${what}.context`);
  }
}

/** Reads the body of a Raft message of `type` (known from the frame's kind). */
function readRaftMessageOfType(decoder: Decoder, type: MessageType): Message {
  const from = readReplicaId(decoder, `${type}.from`);
  const to = readReplicaId(decoder, `${type}.to`);
  const term = readNumber(decoder, `${type}.term`);
  switch (type) {
    case 'MsgApp': {
      const index = readNumber(decoder, `${type}.index`);
      const logTerm = readNumber(decoder, `${type}.logTerm`);
      const commit = readNumber(decoder, `${type}.commit`);
      return { type, from, to, term, index, logTerm, entries: readEntries(decoder, index, type), commit };
    }
    case 'MsgAppResp': {
      const index = readNumber(decoder, `${type}.index`);
      const reject = readBool(decoder, `${type}.reject`);
      const hintIndex = readNumber(decoder, `${type}.hintIndex`);
      return { type, from, to, term, index, reject, hintIndex, hintTerm: readNumber(decoder, `${type}.hintTerm`) };
    }
    case 'MsgVote':
    case 'MsgPreVote': {
      const index = readNumber(decoder, `${type}.index`);
      const logTerm = readNumber(decoder, `${type}.logTerm`);
      return { type, from, to, term, index, logTerm, transfer: readBool(decoder, `${type}.transfer`) };
    }
    case 'MsgVoteResp':
    case 'MsgPreVoteResp':
      return { type, from, to, term, reject: readBool(decoder, `${type}.reject`) };
    case 'MsgHeartbeat': {
      const commit = readNumber(decoder, `${type}.commit`);
      return { type, from, to, term, commit, readSeq: readNumber(decoder, `${type}.readSeq`) };
    }
    case 'MsgHeartbeatResp':
      return { type, from, to, term, readSeq: readNumber(decoder, `${type}.readSeq`) };
    case 'MsgSnap': {
      const metadata = readSnapshotMetadata(decoder, `${type}.metadata`);
      const totalBytes = readNumber(decoder, `${type}.totalBytes`);
      const offset = readNumber(decoder, `${type}.offset`);
      const chunk = readBytes(decoder, MAX_SNAPSHOT_CHUNK_BYTES, `${type}.chunk`);
      return { type, from, to, term, metadata, totalBytes, offset, chunk };
    }
    case 'MsgSnapResp': {
      const snapshotIndex = readNumber(decoder, `${type}.snapshotIndex`);
      const receivedBytes = readNumber(decoder, `${type}.receivedBytes`);
      return { type, from, to, term, snapshotIndex, receivedBytes, reject: readBool(decoder, `${type}.reject`) };
    }
    case 'MsgTransferLeader':
      return { type, from, to, term, transferee: readReplicaId(decoder, `${type}.transferee`) };
    case 'MsgTimeoutNow':
      return { type, from, to, term };
    case 'MsgReadIndex':
      return { type, from, to, term, context: readBytes(decoder, MAX_READ_CONTEXT_BYTES, `${type}.context`) };
    case 'MsgReadIndexResp': {
      const index = readNumber(decoder, `${type}.index`);
      return { type, from, to, term, index, context: readBytes(decoder, MAX_READ_CONTEXT_BYTES, `${type}.context`) };
    }
  }
}

/** Reads the body of the Raft message a frame of `kind` holds; a kind that is not a Raft message's is MARSHALLINGERROR. */
export function readRaftMessage(decoder: Decoder, kind: number): Message {
  const type = raftMessageType(kind);
  if (type === undefined) throw marshallingError('raft message', `frame kind ${kind} is not a Raft message`);
  return readRaftMessageOfType(decoder, type);
}

/** The frame kind of a Raft message; MARSHALLINGERROR for an unknown type. */
export function raftMessageFrameKind(m: Message): number {
  const kind = raftMessageKind((m as { type: unknown }).type);
  if (kind === undefined) throw marshallingError('raft message', `unknown message type ${String((m as { type: unknown }).type)}`);
  return kind;
}

/** One Raft message as a frame (kinds 64..77); at most MAX_PEER_FRAME_BYTES. */
export function encodeRaftMessage(m: Message): Uint8Array {
  return asMarshalling('raft message', () =>
    encodeFrame(raftMessageFrameKind(m), 'raft message', (encoder) => writeRaftMessage(encoder, m), MAX_PEER_FRAME_BYTES),
  );
}

/** Reads a Raft message frame; any other kind is MARSHALLINGERROR. Does not run `messageProblem`. */
export function decodeRaftMessage(bytes: Uint8Array): Message {
  return decodeFrame(bytes, 'raft message', RAFT_MESSAGE_KINDS, readRaftMessage, MAX_PEER_FRAME_BYTES);
}
