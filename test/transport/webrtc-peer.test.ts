import { describe, expect, it } from 'vitest';
import { MAX_SDP_CHARS, checkWebRtcSignal } from '../../src/transport/webrtc-peer.js';

// The connection itself runs in Chromium (test/e2e/transport-webrtc.test.ts); signals come from the
// network, so their check runs here.

describe('WebRTC signals', () => {
  it.each([
    ['an offer', { type: 'offer', sdp: 'v=0\r\n' }],
    ['an answer', { type: 'answer', sdp: 'v=0\r\n' }],
    ['a candidate', { type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMLineIndex: 0, sdpMid: '0' } }],
  ])('%s is accepted', (_, signal) => {
    expect(checkWebRtcSignal(signal)).toBeUndefined();
  });

  it.each([
    ['not an object', 'offer', 'not an object'],
    ['null', null, 'not an object'],
    ['an offer without sdp', { type: 'offer' }, 'offer without a usable sdp'],
    ['an oversized sdp', { type: 'answer', sdp: 'x'.repeat(MAX_SDP_CHARS + 1) }, 'answer without a usable sdp'],
    ['a candidate without its line', { type: 'candidate', candidate: {} }, 'candidate without a candidate line'],
    ['a renegotiation (no media here)', { type: 'renegotiate', renegotiate: true }, 'unexpected signal type "renegotiate"'],
  ])('%s is refused', (_, signal, problem) => {
    expect(checkWebRtcSignal(signal)).toBe(problem);
  });
});
