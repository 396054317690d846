import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  SignalingFieldLimits,
  encodeMessage,
  isValidPeerId,
  isValidRoomName,
  parseClientMessage,
  parseServerMessage,
  type ClientMessage,
  type ServerMessage,
} from '../../src/transport/signaling-protocol.js';

const b64 = (chars: number): string => 'A'.repeat(chars - 1) + 'g';
const peerId = fc.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/);
const room = fc.string({ minLength: 1, maxLength: 128, unit: 'grapheme' }).filter(isValidRoomName);

describe('signaling protocol', () => {
  it('client messages survive encode and parse unchanged', () => {
    const message: fc.Arbitrary<ClientMessage> = fc.oneof(
      fc.record({ type: fc.constant('join' as const), room, peerId }),
      fc.record({ type: fc.constant('prove' as const), room, proof: fc.constant(b64(43)) }),
      fc.record({ type: fc.constant('found' as const), room, ensembleId: peerId, verifier: fc.constant(b64(43)), proof: fc.constant(b64(43)) }),
      fc.record({ type: fc.constant('signal' as const), room, to: peerId, payload: fc.stringMatching(/^[A-Za-z0-9_-]{1,300}$/) }),
      fc.record({ type: fc.constant('leave' as const), room }),
      fc.constant({ type: 'ping' as const }),
    );
    fc.assert(
      fc.property(message, (original) => {
        expect(parseClientMessage(encodeMessage(original))).toEqual({ ok: true, message: original });
      }),
    );
  });

  it('server messages survive encode and parse unchanged', () => {
    const messages: ServerMessage[] = [
      { type: 'challenge', room: 'r', nonce: b64(22), founded: false },
      { type: 'joined', room: 'r', peerId: 'a', founder: true, ensembleId: 'e-1', peers: ['b', 'c'] },
      { type: 'peer-joined', room: 'r', peerId: 'b' },
      { type: 'peer-left', room: 'r', peerId: 'b' },
      { type: 'signal', room: 'r', from: 'b', payload: 'abc' },
      { type: 'left', room: 'r' },
      { type: 'pong' },
      { type: 'error', code: 'room-full', message: 'full', room: 'r' },
      { type: 'error', code: 'server-full', message: 'full' },
    ];
    for (const message of messages) expect(parseServerMessage(encodeMessage(message))).toEqual({ ok: true, message });
  });

  it('malformed JSON is told apart from well-formed but invalid messages', () => {
    expect(parseClientMessage('{nope')).toMatchObject({ ok: false, malformedJson: true });
    expect(parseClientMessage('[1,2]')).toMatchObject({ ok: false, malformedJson: true });
    expect(parseClientMessage('"join"')).toMatchObject({ ok: false, malformedJson: true });
    expect(parseClientMessage('{"type":"teleport","room":"r"}')).toMatchObject({ ok: false, malformedJson: false });
  });

  it('every field is bounded and checked', () => {
    const bad: object[] = [
      { type: 'join', room: '', peerId: 'a' },
      { type: 'join', room: 'x'.repeat(SignalingFieldLimits.roomNameMaxChars + 1), peerId: 'a' },
      { type: 'join', room: 'line\nbreak', peerId: 'a' },
      { type: 'join', room: 'r', peerId: 'has space' },
      { type: 'join', room: 'r', peerId: 'p'.repeat(65) },
      { type: 'join', room: 'r', peerId: 42 },
      { type: 'prove', room: 'r', proof: b64(42) },
      { type: 'found', room: 'r', ensembleId: 'e', verifier: b64(44), proof: b64(43) },
      { type: 'found', room: 'r', ensembleId: '', verifier: b64(43), proof: b64(43) },
      { type: 'signal', room: 'r', to: 'b', payload: 'not base64url!' },
      { type: 'signal', room: 'r', to: 'b', payload: '' },
      { type: 'signal', room: 'r', to: 'b', payload: 'A'.repeat(SignalingFieldLimits.payloadMaxChars + 1) },
      { type: 'leave' },
    ];
    for (const message of bad) expect(parseClientMessage(JSON.stringify(message)).ok, JSON.stringify(message).slice(0, 80)).toBe(false);
  });

  it('a server frame with an unknown error code or a bad roster is refused', () => {
    expect(parseServerMessage('{"type":"error","code":"made-up","message":"x"}').ok).toBe(false);
    expect(parseServerMessage('{"type":"joined","room":"r","peerId":"a","founder":false,"ensembleId":"e","peers":["ok","not ok"]}').ok).toBe(false);
  });

  it('peer ids are plain ASCII identifiers (the glare rule compares them)', () => {
    expect(isValidPeerId('replica-01.tab:3_x')).toBe(true);
    expect(isValidPeerId('ünï')).toBe(false);
  });
});
