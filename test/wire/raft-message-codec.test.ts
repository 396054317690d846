import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { messageProblem, type Message, type MsgApp } from '../../src/consensus/message.js';
import type { Entry } from '../../src/consensus/types.js';
import { CONSENSUS_KIND_FIRST, CONSENSUS_KIND_LAST, FrameKind } from '../../src/wire/frame.js';
import {
  MAX_APPEND_ENTRIES,
  MAX_CONF_REPLICAS,
  MAX_PEER_FRAME_BYTES,
  MAX_READ_CONTEXT_BYTES,
  MAX_REPLICA_ID_BYTES,
} from '../../src/wire/limits.js';
import { RaftMessageKind, ReplicaMessageKind } from '../../src/wire/peer-kind.js';
import { decodeRaftMessage, encodeRaftMessage } from '../../src/wire/raft-message-codec.js';
import { concat, expectMarshalling, varUint } from './expect-marshalling.js';
import { raftMessage, raftMessages } from './peer-arbitraries.js';

const MAX = Number.MAX_SAFE_INTEGER;
const entry = (term: number, index: number, data: number[] = [], type: 0 | 1 = 0): Entry => ({ term, index, type, data: Uint8Array.from(data) });
const app = (fields: Partial<MsgApp> = {}): MsgApp => ({
  type: 'MsgApp',
  from: 'a',
  to: 'b',
  term: 3,
  index: 10,
  logTerm: 2,
  commit: 9,
  entries: [entry(2, 11, [1, 2]), entry(3, 12, [], 1)],
  ...fields,
});
/** The frame of app(): header, envelope, index/logTerm/commit, 2 term runs, 2 entry heads, the data column. */
const appBytes = [1, 64, 1, 0x61, 1, 0x62, 3, 10, 2, 9, 2, 2, 1, 3, 1, 0, 2, 1, 0, 1, 2];
/** The bytes of app() up to its term runs. */
const appHead = appBytes.slice(0, 10);

describe('raft message codec', () => {
  it('every Raft message type round-trips: decode(encode(m)) equals m', () => {
    for (const [type, arbitrary] of Object.entries(raftMessages)) {
      fc.assert(
        fc.property(arbitrary, (m) => {
          expect(m.type).toBe(type);
          expect(decodeRaftMessage(encodeRaftMessage(m))).toEqual(m);
        }),
        { numRuns: 60 },
      );
    }
  });

  it('encoding is deterministic and only canonical bytes decode: encode(decode(b)) is b', () => {
    fc.assert(
      fc.property(raftMessage, (m) => {
        const bytes = encodeRaftMessage(m);
        expect(encodeRaftMessage(m)).toEqual(bytes);
        expect(encodeRaftMessage(decodeRaftMessage(bytes))).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('each Raft message type has its own frame kind in 64..95, never shared with another peer message', () => {
    const kinds = [...Object.values(RaftMessageKind), ...Object.values(ReplicaMessageKind)];
    expect(new Set(kinds).size).toBe(kinds.length);
    for (const kind of Object.values(RaftMessageKind)) expect(kind >= CONSENSUS_KIND_FIRST && kind < 96).toBe(true);
    for (const kind of Object.values(ReplicaMessageKind)) expect(kind >= 96 && kind <= CONSENSUS_KIND_LAST).toBe(true);
    fc.assert(
      fc.property(raftMessage, (m) => {
        expect(encodeRaftMessage(m)[1]).toBe(RaftMessageKind[m.type]);
      }),
      { numRuns: 100 },
    );
  });

  it('a MsgApp is written as the grammar says: entry indexes implied, terms in runs, a data column', () => {
    expect(Array.from(encodeRaftMessage(app()))).toEqual(appBytes);
    expect(decodeRaftMessage(Uint8Array.from(appBytes))).toEqual(app());
  });

  it('MsgApp entries must follow index one by one, since the wire does not carry their indexes', () => {
    expectMarshalling(() => encodeRaftMessage(app({ entries: [entry(2, 12)] })), /entry 0 has index 12, not 11: entries must follow index/);
    expectMarshalling(() => encodeRaftMessage(app({ entries: [entry(2, 11), entry(2, 11)] })), /entry 1 has index 11, not 12/);
    const decoded = decodeRaftMessage(encodeRaftMessage(app({ index: 0, entries: [entry(1, 1), entry(1, 2), entry(2, 3)] }))) as MsgApp;
    expect(decoded.entries.map((e) => e.index)).toEqual([1, 2, 3]);
  });

  it('a MsgApp with 1000 entries of one term spends two bytes per entry beyond its data', () => {
    const data = new Uint8Array(100).fill(7);
    const entries = Array.from({ length: 1000 }, (_, i) => ({ term: 5, index: 1_000_001 + i, type: 0 as const, data }));
    const m = app({ index: 1_000_000, logTerm: 5, commit: 999_000, term: 9, entries });
    const bytes = encodeRaftMessage(m);
    // header 2, envelope 5, index 3, logTerm 1, commit 3, run count 1, one run 1 + 2, heads 1000 × 2, data 100,000
    expect(bytes.length).toBe(2 + 5 + 3 + 1 + 3 + 1 + 3 + 2000 + 100_000);
    expect(decodeRaftMessage(bytes)).toEqual(m);
  });

  it('term runs are canonical: no empty run, no two adjacent runs of the same term', () => {
    const runs = (...parts: number[]) => concat(appHead, parts);
    expectMarshalling(() => decodeRaftMessage(runs(1, 2, 0)), /term run length at byte 12: a term run is empty/);
    expectMarshalling(() => decodeRaftMessage(runs(2, 2, 1, 2, 1, 0, 0, 0, 0)), /run 1 repeats the term 2 of the run before it/);
    expect(decodeRaftMessage(runs(2, 2, 1, 4, 1, 0, 0, 0, 0))).toEqual(
      app({ entries: [entry(2, 11), entry(4, 12)] }),
    );
    // terms may fall structurally (messageProblem refuses it, not the codec)
    const falling = decodeRaftMessage(runs(2, 3, 1, 2, 1, 0, 0, 0, 0)) as MsgApp;
    expect(falling.entries.map((e) => e.term)).toEqual([3, 2]);
  });

  it('terms, indexes and offsets reach 2^53 - 1; negative, fractional or larger numbers are refused', () => {
    const top = app({ term: MAX, index: MAX - 2, logTerm: MAX, commit: MAX, entries: [entry(MAX, MAX - 1), entry(MAX, MAX)] });
    expect(decodeRaftMessage(encodeRaftMessage(top))).toEqual(top);
    expectMarshalling(() => encodeRaftMessage(app({ index: MAX - 1 })), /entry indexes would pass 9007199254740991/);
    expectMarshalling(() => decodeRaftMessage(concat(1, 64, 1, 0x61, 1, 0x62, 3, varUint(MAX - 1), 2, 9, 1, 2, 2, 0, 0, 0, 0)), /entry indexes would pass/);
    for (const bad of [-1, 1.5, Number.NaN, MAX + 1, Infinity]) {
      expectMarshalling(() => encodeRaftMessage(app({ term: bad })), /MsgApp.term: .* is not an integer in \[0, 9007199254740991\]/);
      expectMarshalling(() => encodeRaftMessage(app({ entries: [entry(bad, 11)] })), /entry 0 has term/);
    }
    const hb: Message = { type: 'MsgHeartbeat', from: 'a', to: 'b', term: 1, commit: -1, readSeq: 0 };
    expectMarshalling(() => encodeRaftMessage(hb), /MsgHeartbeat.commit/);
    // a varUint beyond 2^53 - 1 (8 bytes of all ones) is refused by the decoder
    expectMarshalling(() => decodeRaftMessage(concat(1, 70, 1, 0x61, 1, 0x62, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], 0, 0)), /MsgHeartbeat.term/);
  });

  it('entry types are 0 (normal) or 1 (conf change); booleans are 0 or 1', () => {
    expectMarshalling(() => encodeRaftMessage(app({ entries: [{ ...entry(2, 11), type: 2 as 0 }] })), /MsgApp.entry.type/);
    const badType = appBytes.slice();
    badType[15] = 2;
    expectMarshalling(() => decodeRaftMessage(Uint8Array.from(badType)), /MsgApp.entry.type at byte 15: 2 exceeds the limit of 1/);
    const vote = encodeRaftMessage({ type: 'MsgVoteResp', from: 'a', to: 'b', term: 1, reject: true });
    vote[vote.length - 1] = 2;
    expectMarshalling(() => decodeRaftMessage(vote), /MsgVoteResp.reject .*boolean byte 2 is neither 0 nor 1/);
  });

  it('declared counts and lengths are checked against their limits and the bytes left before anything is read', () => {
    expectMarshalling(() => decodeRaftMessage(concat(appHead, varUint(MAX_APPEND_ENTRIES + 1))), /term run count .*exceeds the limit of 100000/);
    expectMarshalling(() => decodeRaftMessage(concat(appHead, 5, 1, 1)), /declared count 5 cannot fit in the 2 bytes left/);
    expectMarshalling(() => decodeRaftMessage(concat(appHead, 1, 2, varUint(MAX_APPEND_ENTRIES + 1))), /term run length .*exceeds the limit of 100000/);
    expectMarshalling(() => decodeRaftMessage(concat(appHead, 1, 2, varUint(90_000), new Uint8Array(100))), /90000 entries cannot fit in the 100 bytes left/);
    expectMarshalling(() => decodeRaftMessage(concat(appHead, 1, 2, 1, 0, varUint(1_000_000), 1, 2, 3)), /entry data of 1000000 bytes so far run past the 3 bytes left/);
    expectMarshalling(() => decodeRaftMessage(concat(appHead, 1, 2, 1, 0, varUint(2 ** 40))), /dataLength .*exceeds the limit of 16777216/);
    const context = { type: 'MsgReadIndex' as const, from: 'a', to: 'b', term: 1 };
    expectMarshalling(() => encodeRaftMessage({ ...context, context: new Uint8Array(MAX_READ_CONTEXT_BYTES + 1) }), /exceed the limit of 4096/);
    expectMarshalling(() => decodeRaftMessage(concat(1, 76, 1, 0x61, 1, 0x62, 1, varUint(MAX_READ_CONTEXT_BYTES + 1))), /exceeds the limit of 4096/);
    expectMarshalling(() => decodeRaftMessage(concat(1, 76, 1, 0x61, 1, 0x62, 1, varUint(4000), 1, 2)), /declared length 4000 exceeds the 2 bytes left/);
  });

  it('a MsgApp holds at most MAX_APPEND_ENTRIES entries', () => {
    const many = Array.from({ length: MAX_APPEND_ENTRIES + 1 }, (_, i) => entry(1, 1 + i));
    expectMarshalling(() => encodeRaftMessage(app({ index: 0, entries: many })), /100001 entries exceed the limit of 100000/);
    const most = app({ index: 1, logTerm: 1, entries: many.slice(1) });
    expect((decodeRaftMessage(encodeRaftMessage(most)) as MsgApp).entries).toHaveLength(MAX_APPEND_ENTRIES);
  });

  it('replica ids are strings of at most MAX_REPLICA_ID_BYTES UTF-8 bytes', () => {
    const longest = 'é'.repeat(MAX_REPLICA_ID_BYTES / 2);
    const m: Message = { type: 'MsgTransferLeader', from: longest, to: '', term: 1, transferee: '😀' };
    expect(decodeRaftMessage(encodeRaftMessage(m))).toEqual(m);
    expectMarshalling(() => encodeRaftMessage({ ...m, to: `${longest}x` }), /MsgTransferLeader.to: 513 UTF-8 bytes exceed the limit of 512/);
    expectMarshalling(() => encodeRaftMessage({ ...m, from: '\uD800' }), /lone surrogate/);
    expectMarshalling(() => decodeRaftMessage(concat(1, 75, varUint(513), new Uint8Array(513), 0, 1)), /MsgTimeoutNow.from .*exceeds the limit of 512/);
    expectMarshalling(() => decodeRaftMessage(concat(1, 75, 1, 0xff, 0, 1)), /MsgTimeoutNow.from .*invalid UTF-8/);
  });

  it('a snapshot configuration holds at most MAX_CONF_REPLICAS voters and as many learners', () => {
    const snap = (voters: string[]): Message => ({
      type: 'MsgSnap',
      from: 'a',
      to: 'b',
      term: 2,
      metadata: { index: 5, term: 2, confState: { voters, learners: ['l'] } },
      totalBytes: 3,
      offset: 0,
      chunk: Uint8Array.of(1, 2, 3),
    });
    const voters = Array.from({ length: MAX_CONF_REPLICAS }, (_, i) => `v${i}`);
    expect(decodeRaftMessage(encodeRaftMessage(snap(voters)))).toEqual(snap(voters));
    expectMarshalling(() => encodeRaftMessage(snap([...voters, 'x'])), /MsgSnap.metadata.voters count: 1025 is not an integer in \[0, 1024\]/);
  });

  it('a message truncated anywhere is MARSHALLINGERROR', () => {
    const samples: Message[] = [
      app(),
      { type: 'MsgSnap', from: 'a', to: 'b', term: 2, metadata: { index: 5, term: 2, confState: { voters: ['a', 'b'], learners: [] } }, totalBytes: 9, offset: 3, chunk: Uint8Array.of(9, 8) },
      { type: 'MsgReadIndexResp', from: 'leader', to: 'f', term: 2 ** 40, index: 77, context: Uint8Array.of(1, 2, 3) },
      { type: 'MsgAppResp', from: 'a', to: 'b', term: 1, index: 3, reject: true, hintIndex: 2, hintTerm: 1 },
    ];
    for (const m of samples) {
      const bytes = encodeRaftMessage(m);
      for (let end = 0; end < bytes.length; end++) expectMarshalling(() => decodeRaftMessage(bytes.subarray(0, end)));
      expectMarshalling(() => decodeRaftMessage(concat(bytes, 0)), /trailing bytes/);
    }
  });

  it('decodeRaftMessage takes only Raft kinds (64..77)', () => {
    const body = encodeRaftMessage({ type: 'MsgTimeoutNow', from: 'a', to: 'b', term: 1 }).subarray(2);
    for (const kind of [0, FrameKind.request, FrameKind.txnBatch, 63, 78, 95, 96, 97, 98, 127]) {
      expectMarshalling(() => decodeRaftMessage(concat(1, kind, body)), /kind/);
    }
    expectMarshalling(() => decodeRaftMessage(concat(2, 75, body)), /unsupported protocol version 2/);
    expectMarshalling(() => encodeRaftMessage({ type: 'MsgBogus' } as unknown as Message), /unknown message type MsgBogus/);
    expectMarshalling(() => encodeRaftMessage(null as unknown as Message));
  });

  it('a frame past MAX_PEER_FRAME_BYTES is refused whole, by encoder and decoder', () => {
    const big = new Uint8Array(MAX_PEER_FRAME_BYTES / 2);
    const m = app({ entries: [entry(2, 11), entry(2, 12), entry(3, 13)].map((e) => ({ ...e, data: big })) });
    expectMarshalling(() => encodeRaftMessage(m), /exceed the frame limit of 16777216/);
    expectMarshalling(() => decodeRaftMessage(new Uint8Array(MAX_PEER_FRAME_BYTES + 1)), /16777217 bytes exceed the frame limit of 16777216/);
  });

  it('decoded entry data and chunks are copies: the input buffer can be reused', () => {
    const bytes = Uint8Array.from(appBytes);
    const decoded = decodeRaftMessage(bytes) as MsgApp;
    bytes.fill(0);
    expect(Array.from(decoded.entries[0]!.data)).toEqual([1, 2]);
  });

  it('the codec checks shape only: Raft rules are messageProblem’s, which RaftNode.step applies', () => {
    // entries from a term after the message's, a snapshot chunk past totalBytes: well-formed, not steppable
    const future = decodeRaftMessage(encodeRaftMessage(app({ term: 1, entries: [entry(2, 11)] })));
    expect(messageProblem(future)).toMatch(/MsgApp entry 11 has term 2/);
    const snap: Message = { type: 'MsgSnap', from: 'a', to: 'b', term: 2, metadata: { index: 5, term: 2, confState: { voters: ['a'], learners: [] } }, totalBytes: 1, offset: 0, chunk: Uint8Array.of(1, 2) };
    expect(messageProblem(decodeRaftMessage(encodeRaftMessage(snap)))).toBe('bad MsgSnap offsets');
    expect(messageProblem(decodeRaftMessage(encodeRaftMessage(app())))).toBeNull();
  });
});
