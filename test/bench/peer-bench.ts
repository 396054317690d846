import type { Message } from '../../src/consensus/message.js';
import type { Entry } from '../../src/consensus/types.js';
import type { PeerMessage } from '../../src/server/peer-message.js';
import { createPrng } from '../../src/util/prng.js';
import { decodePeerMessage, encodePeerMessage } from '../../src/wire/peer-codec.js';
import type { BenchRecord } from './run.js';

/**
 * Replica-to-replica codec: a MsgApp of 1,000 entries of 100 bytes (a busy leader's pipeline), a
 * heartbeat, and a forward of 100 setData requests; microseconds per encode and per decode.
 */

function msgApp(entryCount: number, entryBytes: number): Message {
  const prng = createPrng(7);
  const entries: Entry[] = [];
  for (let i = 0; i < entryCount; i++) {
    const data = new Uint8Array(entryBytes);
    for (let j = 0; j < entryBytes; j++) data[j] = prng.nextInt(256);
    entries.push({ term: 12 + Math.floor(i / 400), index: 5_000_001 + i, type: 0, data });
  }
  return { type: 'MsgApp', from: 'device-3f9c/0', to: 'device-81aa/1', term: 14, index: 5_000_000, logTerm: 12, commit: 4_999_000, entries };
}

const forward: PeerMessage = {
  type: 'forward',
  requests: Array.from({ length: 100 }, (_, i) => ({
    sessionId: 0x0123_4567_89ab_0000n + BigInt(i),
    cxid: i,
    authIds: [{ scheme: 'digest', id: 'alice:HJ0Ivs0Q3SLq7BLmpW5Rz9Msk6E=' }],
    op: { type: 'setData' as const, path: `/app/config/key-${i}`, data: new Uint8Array(64), version: -1 },
  })),
};

/** Microseconds per call, the best of `rounds` rounds of `iterations` calls (the least disturbed round). */
function microsPerCall(step: () => unknown, iterations: number, rounds: number): number {
  let best = Infinity;
  for (let round = 0; round < rounds; round++) {
    const start = performance.now();
    for (let i = 0; i < iterations; i++) step();
    best = Math.min(best, ((performance.now() - start) * 1000) / iterations);
  }
  return best;
}

export async function runPeerBench(): Promise<BenchRecord[]> {
  const cases: { name: string; message: PeerMessage; iterations: number }[] = [
    { name: 'MsgApp 1000 × 100 B', message: { type: 'raft', message: msgApp(1000, 100) }, iterations: 500 },
    { name: 'MsgHeartbeat', message: { type: 'raft', message: { type: 'MsgHeartbeat', from: 'device-3f9c/0', to: 'device-81aa/1', term: 14, commit: 4_999_000, readSeq: 3 } }, iterations: 50_000 },
    { name: 'forward 100 × setData 64 B', message: forward, iterations: 2000 },
  ];
  const records: BenchRecord[] = [];
  for (const { name, message, iterations } of cases) {
    const bytes = encodePeerMessage(message);
    const target = name.startsWith('MsgApp') ? { target: { atMost: 1000 } } : {};
    records.push({ name: `${name} encode`, value: microsPerCall(() => encodePeerMessage(message), iterations, 7), unit: 'µs', ...target });
    records.push({ name: `${name} decode`, value: microsPerCall(() => decodePeerMessage(bytes), iterations, 7), unit: 'µs', ...target });
    records.push({ name: `${name} size`, value: bytes.length, unit: 'bytes' });
    await Promise.resolve();
  }
  return records;
}
