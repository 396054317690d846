import { describe, expect, it } from 'vitest';
import { parseSignalEnvelope, signalEnvelope } from '../../src/browser/signal-envelope.js';
import { signalKind } from '../../src/transport/signaling-glare.js';

const offer = { type: 'offer' as const, sdp: 'v=0' };
const candidate = { type: 'candidate' as const, candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMLineIndex: 0, sdpMid: '0' } };

describe('signal envelope', () => {
  it("carries the signal's type at the top, where the glare rule looks for it", () => {
    expect(signalKind(signalEnvelope('e1', 'c1', offer))).toBe('offer');
    expect(signalKind(signalEnvelope('e1', 'c1', { type: 'answer', sdp: 'v=0' }))).toBe('answer');
    expect(signalKind(signalEnvelope('e1', 'c1', candidate as never))).toBe('candidate');
  });

  it('round-trips its ensemble, connection id and signal', () => {
    expect(parseSignalEnvelope(JSON.parse(JSON.stringify(signalEnvelope('e1', 'a-0~s~1', offer))))).toEqual({ type: 'offer', v: 1, ensembleId: 'e1', conn: 'a-0~s~1', signal: offer });
  });

  it('a malformed envelope is refused with what is wrong', () => {
    expect(parseSignalEnvelope('x')).toBe('not an object');
    expect(parseSignalEnvelope({ ...signalEnvelope('e1', 'c', offer), v: 2 })).toMatch(/unknown envelope version/);
    expect(parseSignalEnvelope({ ...signalEnvelope('', 'c', offer) })).toBe('bad ensembleId');
    expect(parseSignalEnvelope({ ...signalEnvelope('e1', 'c'.repeat(201), offer) })).toBe('bad connection id');
    expect(parseSignalEnvelope({ ...signalEnvelope('e1', 'c', offer), signal: { type: 'offer', sdp: 5 } })).toMatch(/bad signal/);
    expect(parseSignalEnvelope({ ...signalEnvelope('e1', 'c', offer), type: 'answer' })).toMatch(/is not the signal's/);
  });
});
