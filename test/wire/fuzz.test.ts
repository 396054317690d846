import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isKeeperError } from '../../src/errors/keeper-error.js';
import { createPrng, type Prng } from '../../src/util/prng.js';
import type { PeerMessage } from '../../src/server/peer-message.js';
import type { ClientFrame, ReplicaFrame } from '../../src/wire/client-message.js';
import { crc32 } from '../../src/wire/crc32.js';
import { decodePeerMessage, encodePeerMessage } from '../../src/wire/peer-codec.js';
import { PEER_MESSAGE_KINDS } from '../../src/wire/peer-kind.js';
import { encodeRaftMessage } from '../../src/wire/raft-message-codec.js';
import { encodeServerReply } from '../../src/wire/reply-codec.js';
import { encodeClientRequest } from '../../src/wire/request-codec.js';
import {
  decodeClientFrame,
  decodeReplicaFrame,
  encodeClientFrame,
  encodeConnectRequest,
  encodeConnectResponse,
  encodeReplicaFrame,
  encodeWatchNotification,
} from '../../src/wire/session-codec.js';
import { decodeTreeSnapshot } from '../../src/wire/snapshot-decoder.js';
import { encodeTreeSnapshot } from '../../src/wire/snapshot-encoder.js';
import { decodeTxn, decodeTxnBatch, encodeTxn, encodeTxnBatch } from '../../src/wire/txn-codec.js';
import {
  clientRequest,
  connectRequest,
  connectResponse,
  serverReply,
  treeSnapshot,
  txnRecord,
  watchNotification,
} from './arbitraries.js';
import { msgApp, peerMessage } from './peer-arbitraries.js';

/**
 * Fuzzing: 16,000 random inputs (each through all six decoders) and 80,000 mutated valid encodings a run. Every input must either
 * fail with MARSHALLINGERROR or decode to a value that encodes back to exactly the same bytes (the
 * codec accepts only canonical encodings). Any other error, or a mismatch, fails the test with the
 * seed and the input in hex.
 */

const SEED = 20_251_121;
const RANDOM_INPUTS = 16_000;
const MUTATED_INPUTS = 80_000;
const CORPUS_PER_TARGET = 150;

interface Target {
  readonly name: string;
  readonly decode: (bytes: Uint8Array) => unknown;
  readonly encode: (value: never) => Uint8Array;
  readonly corpus: readonly Uint8Array[];
  readonly checksummed: boolean;
}

const sample = <T>(arbitrary: fc.Arbitrary<T>, seed: number): T[] =>
  fc.sample(arbitrary, { seed, numRuns: CORPUS_PER_TARGET });

const clientFrames: fc.Arbitrary<ClientFrame> = fc.oneof(
  connectRequest.map((message) => ({ kind: 'connectRequest' as const, message })),
  clientRequest.map((message) => ({ kind: 'request' as const, message })),
);
const replicaFrames: fc.Arbitrary<ReplicaFrame> = fc.oneof(
  connectResponse.map((message) => ({ kind: 'connectResponse' as const, message })),
  serverReply.map((message) => ({ kind: 'reply' as const, message })),
  watchNotification.map((message) => ({ kind: 'watchEvent' as const, message })),
);

/** Peer messages, half of them MsgApps with little data, so mutations mostly hit structure. */
const peerFrames: fc.Arbitrary<PeerMessage> = fc.oneof(peerMessage, msgApp(3).map((message) => ({ type: 'raft' as const, message })));

const targets: Target[] = [
  {
    name: 'client frame',
    decode: decodeClientFrame,
    encode: encodeClientFrame,
    corpus: sample(clientFrames, SEED).map(encodeClientFrame),
    checksummed: false,
  },
  {
    name: 'replica frame',
    decode: decodeReplicaFrame,
    encode: encodeReplicaFrame,
    corpus: sample(replicaFrames, SEED + 1).map(encodeReplicaFrame),
    checksummed: false,
  },
  { name: 'txn', decode: decodeTxn, encode: encodeTxn, corpus: sample(txnRecord, SEED + 2).map(encodeTxn), checksummed: false },
  {
    name: 'txn batch',
    decode: decodeTxnBatch,
    encode: encodeTxnBatch,
    corpus: sample(fc.array(txnRecord, { maxLength: 4 }), SEED + 3).map(encodeTxnBatch),
    checksummed: false,
  },
  {
    name: 'peer message',
    decode: decodePeerMessage,
    encode: encodePeerMessage,
    corpus: sample(peerFrames, SEED + 5).map(encodePeerMessage),
    checksummed: false,
  },
  {
    name: 'tree snapshot',
    decode: decodeTreeSnapshot,
    encode: encodeTreeSnapshot,
    corpus: sample(treeSnapshot, SEED + 4).map(encodeTreeSnapshot),
    checksummed: true,
  },
];

/** Every kind some decoder takes: random inputs get one of these as their kind most of the time. */
const FUZZED_KINDS: readonly number[] = [1, 2, 3, 4, 5, 16, 17, 18, ...PEER_MESSAGE_KINDS];

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** Decodes `bytes` with `target`: 'rejected' (MARSHALLINGERROR), 'decoded' (and re-encodes to itself), or a problem. */
function check(target: Target, bytes: Uint8Array): 'rejected' | 'decoded' | string {
  let value: unknown;
  try {
    value = target.decode(bytes);
  } catch (error) {
    if (isKeeperError(error, 'MARSHALLINGERROR')) return 'rejected';
    return `${target.name}: threw ${String(error)}`;
  }
  const again = target.encode(value as never);
  if (Buffer.compare(again, bytes) !== 0) return `${target.name}: decoded but re-encodes to ${hex(again)}`;
  return 'decoded';
}

const isProblem = (outcome: string) => outcome !== 'rejected' && outcome !== 'decoded';

const HUGE_VARINTS: readonly number[][] = [
  [0x80, 0x80, 0x80, 0x80, 0x08],
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f],
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
  [0xff, 0xff, 0xff, 0xff, 0x07],
  [0x80, 0x00],
  [0x40],
];

function randomBytes(prng: Prng, length: number): number[] {
  return Array.from({ length }, () => prng.nextInt(256));
}

/** One mutation: flip a bit, set a byte, insert or delete bytes, truncate, duplicate, or plant a huge varint. */
function mutate(prng: Prng, input: number[]): number[] {
  const bytes = input.slice();
  const at = prng.nextInt(bytes.length + 1);
  switch (prng.nextInt(8)) {
    case 0:
      if (bytes.length > 0) bytes[at % bytes.length]! ^= 1 << prng.nextInt(8);
      return bytes;
    case 1:
      if (bytes.length > 0) bytes[at % bytes.length] = prng.chance(0.5) ? prng.nextInt(256) : [0, 1, 0x7f, 0x80, 0xff][prng.nextInt(5)]!;
      return bytes;
    case 2:
      bytes.splice(at, 0, ...randomBytes(prng, 1 + prng.nextInt(4)));
      return bytes;
    case 3:
      bytes.splice(at, 1 + prng.nextInt(4));
      return bytes;
    case 4:
      return bytes.slice(0, at);
    case 5: {
      const length = 1 + prng.nextInt(8);
      bytes.splice(at, 0, ...bytes.slice(at, at + length));
      return bytes;
    }
    case 6:
      bytes.splice(at, prng.nextInt(3), ...HUGE_VARINTS[prng.nextInt(HUGE_VARINTS.length)]!);
      return bytes;
    default:
      if (bytes.length > 0) bytes[at % bytes.length] = (bytes[at % bytes.length]! + (prng.chance(0.5) ? 1 : 255)) & 0xff;
      return bytes;
  }
}

/** Rewrites the trailing CRC-32, so a mutated snapshot body gets past the checksum to the parser. */
function fixChecksum(bytes: Uint8Array): Uint8Array {
  if (bytes.length < 4) return bytes;
  new DataView(bytes.buffer, bytes.byteOffset, bytes.length).setUint32(bytes.length - 4, crc32(bytes, 0, bytes.length - 4), true);
  return bytes;
}

describe('wire fuzzing', () => {
  it('random bytes only ever decode to MARSHALLINGERROR or a canonical value, in every decoder', () => {
    const prng = createPrng(SEED);
    const problems: string[] = [];
    for (let i = 0; i < RANDOM_INPUTS && problems.length < 5; i++) {
      const length = prng.nextInt(prng.chance(0.9) ? 24 : 200);
      const bytes = randomBytes(prng, length);
      if (length >= 2 && prng.chance(0.75)) {
        bytes[0] = 1;
        bytes[1] = FUZZED_KINDS[prng.nextInt(FUZZED_KINDS.length)]!;
      }
      const input = Uint8Array.from(bytes);
      for (const target of targets) {
        const outcome = check(target, target.checksummed && prng.chance(0.5) ? fixChecksum(input.slice()) : input);
        if (isProblem(outcome)) problems.push(`seed ${SEED} random input ${i} ${hex(input)}: ${outcome}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('mutated valid encodings only ever decode to MARSHALLINGERROR or a canonical value', () => {
    const prng = createPrng(SEED + 1);
    const problems: string[] = [];
    const outcomes = { rejected: 0, decoded: 0 };
    for (let i = 0; i < MUTATED_INPUTS && problems.length < 5; i++) {
      const target = targets[prng.nextInt(targets.length)]!;
      let bytes = Array.from(target.corpus[prng.nextInt(target.corpus.length)]!);
      const mutations = 1 + prng.nextInt(3);
      for (let m = 0; m < mutations; m++) bytes = mutate(prng, bytes);
      let input: Uint8Array = Uint8Array.from(bytes);
      if (target.checksummed && prng.chance(0.7)) input = fixChecksum(input);
      const outcome = check(target, input);
      if (outcome === 'rejected' || outcome === 'decoded') outcomes[outcome]++;
      else problems.push(`seed ${SEED + 1} mutated input ${i} ${hex(input)}: ${outcome}`);
    }
    expect(problems).toEqual([]);
    expect(outcomes.rejected).toBeGreaterThan(MUTATED_INPUTS / 2);
    expect(outcomes.decoded).toBeGreaterThan(100);
  });

  it('encoders given malformed values throw only MARSHALLINGERROR', () => {
    const types = ['create', 'create2', 'delete', 'multi', 'multiRead', 'setWatches', 'error', 'getChildren', 'exists', 'whoAmI', 'closeSession'];
    const junk = fc.oneof(
      fc.anything(),
      fc.record({ type: fc.constantFrom(...types), path: fc.anything(), ops: fc.anything(), txns: fc.anything(), code: fc.anything() }),
      fc.record({ xid: fc.anything(), body: fc.record({ type: fc.constantFrom(...types), path: fc.anything() }) }),
      fc.record({ kind: fc.constantFrom('request', 'reply', 'watchEvent', 'connectRequest'), message: fc.anything() }),
      fc.record({ header: fc.anything(), txn: fc.record({ type: fc.constantFrom(...types), data: fc.anything() }) }),
      fc.record({ lastZxid: fc.anything(), nodes: fc.array(fc.anything(), { maxLength: 2 }), sessions: fc.anything() }),
      fc.record({ type: fc.constantFrom('raft', 'forward', 'forwardRefused', 'sessionActivity'), message: fc.anything(), requests: fc.anything(), sessionIds: fc.anything(), leader: fc.anything() }),
      fc.record({ type: fc.constant('raft'), message: fc.record({ type: fc.constantFrom('MsgApp', 'MsgSnap', 'MsgVote'), from: fc.anything(), entries: fc.anything(), metadata: fc.anything() }) }),
      fc.record({ type: fc.constant('forward'), requests: fc.array(fc.record({ sessionId: fc.anything(), authIds: fc.anything(), op: fc.anything() }), { maxLength: 2 }) }),
    );
    const encoders: ((value: never) => Uint8Array)[] = [
      ...targets.map((target) => target.encode),
      encodeClientRequest,
      encodeServerReply,
      encodeConnectRequest,
      encodeConnectResponse,
      encodeWatchNotification,
      encodeRaftMessage,
    ];
    fc.assert(
      fc.property(junk, (value) => {
        for (const encode of encoders) {
          try {
            encode(value as never);
          } catch (error) {
            if (!isKeeperError(error, 'MARSHALLINGERROR')) throw error;
          }
        }
      }),
      { numRuns: 2000, seed: SEED },
    );
  });

  it('the unmutated corpus decodes and re-encodes to itself', () => {
    for (const target of targets) {
      expect(target.corpus.length).toBe(CORPUS_PER_TARGET);
      for (const bytes of target.corpus) expect(check(target, bytes)).toBe('decoded');
    }
  });
});
