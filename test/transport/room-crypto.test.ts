import { describe, expect, it } from 'vitest';
import { decodeBase64url, encodeBase64url } from '../../src/transport/base64url.js';
import {
  DEFAULT_PBKDF2_ITERATIONS,
  createNonce,
  deriveRoomKeys,
  isWellFormedVerifier,
  openSignal,
  proveJoin,
  sealSignal,
  verifyJoinProof,
} from '../../src/transport/room-crypto.js';
import { isKeeperError } from '../../src/errors/keeper-error.js';

const fast = { iterations: 1_000 };
const route = { from: 'alice', to: 'bob' };
const body = { session: 's1', seq: 7, data: { type: 'offer', sdp: 'v=0\r\na=fingerprint:sha-256 AA:BB' } };

async function expectKeeperError(promise: Promise<unknown>, codeName: 'AUTHFAILED' | 'MARSHALLINGERROR' | 'BADARGUMENTS'): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(isKeeperError(error, codeName), String(error)).toBe(true);
}

describe('room crypto', () => {
  it('the same secret and room give the same verifier; another secret or room gives another', async () => {
    const a = await deriveRoomKeys('correct horse', 'room-1', fast);
    const again = await deriveRoomKeys('correct horse', 'room-1', fast);
    const otherSecret = await deriveRoomKeys('correct horsf', 'room-1', fast);
    const otherRoom = await deriveRoomKeys('correct horse', 'room-2', fast);
    expect(again.verifier).toBe(a.verifier);
    expect(otherSecret.verifier).not.toBe(a.verifier);
    expect(otherRoom.verifier).not.toBe(a.verifier);
    expect(isWellFormedVerifier(a.verifier)).toBe(true);
  });

  it('derivation defaults to a slow PBKDF2', async () => {
    expect(DEFAULT_PBKDF2_ITERATIONS).toBeGreaterThanOrEqual(600_000);
    const slow = await deriveRoomKeys('s', 'r');
    const quick = await deriveRoomKeys('s', 'r', fast);
    expect(slow.verifier).not.toBe(quick.verifier);
  });

  it('the sealing key stays inside WebCrypto and is not the verifier', async () => {
    const keys = await deriveRoomKeys('secret', 'room', fast);
    expect(keys.sealingKey.extractable).toBe(false);
    expect(keys.authenticationKey.extractable).toBe(false);
    // Treating the verifier as the AES key does not open a sealed signal.
    const sealed = await sealSignal(keys, route, body);
    const verifierAsAes = await crypto.subtle.importKey('raw', decodeBase64url(keys.verifier) as Uint8Array<ArrayBuffer>, 'AES-GCM', false, ['decrypt']);
    await expectKeeperError(openSignal({ ...keys, sealingKey: verifierAsAes }, route, sealed), 'AUTHFAILED');
  });

  it('a join proof verifies against the verifier, and only for its nonce, room and peer', async () => {
    const keys = await deriveRoomKeys('secret', 'room', fast);
    const nonce = createNonce();
    const proof = await proveJoin(keys, nonce, 'alice');
    expect(await verifyJoinProof(keys.verifier, nonce, 'room', 'alice', proof)).toBe(true);
    expect(await verifyJoinProof(keys.verifier, createNonce(), 'room', 'alice', proof)).toBe(false);
    expect(await verifyJoinProof(keys.verifier, nonce, 'room', 'mallory', proof)).toBe(false);
    expect(await verifyJoinProof(keys.verifier, nonce, 'other-room', 'alice', proof)).toBe(false);
    const wrong = await deriveRoomKeys('guess', 'room', fast);
    expect(await verifyJoinProof(keys.verifier, nonce, 'room', 'alice', await proveJoin(wrong, nonce, 'alice'))).toBe(false);
    expect(await verifyJoinProof('short', nonce, 'room', 'alice', proof)).toBe(false);
    expect(await verifyJoinProof(keys.verifier, nonce, 'room', 'alice', 'not base64!')).toBe(false);
  });

  it('nonces are fresh', () => {
    const nonces = new Set(Array.from({ length: 100 }, () => createNonce()));
    expect(nonces.size).toBe(100);
  });

  it('a sealed signal opens with the same secret and route', async () => {
    const keys = await deriveRoomKeys('secret', 'room', fast);
    const sealed = await sealSignal(keys, route, body);
    expect(sealed).not.toContain('fingerprint');
    expect(await openSignal(keys, route, sealed)).toEqual(body);
  });

  it('sealing twice gives different ciphertexts (random IVs)', async () => {
    const keys = await deriveRoomKeys('secret', 'room', fast);
    const first = await sealSignal(keys, route, body);
    const second = await sealSignal(keys, route, body);
    expect(first).not.toBe(second);
    expect(first.slice(0, 18)).not.toBe(second.slice(0, 18));
  });

  it('tampered ciphertext, another secret, or another route is rejected', async () => {
    const keys = await deriveRoomKeys('secret', 'room', fast);
    const sealed = await sealSignal(keys, route, body);
    const bytes = decodeBase64url(sealed) as Uint8Array;
    for (const position of [1, 13, 20, bytes.length - 1]) {
      const tampered = Uint8Array.from(bytes);
      tampered[position] = (tampered[position] as number) ^ 0x01;
      await expectKeeperError(openSignal(keys, route, encodeBase64url(tampered)), 'AUTHFAILED');
    }
    await expectKeeperError(openSignal(await deriveRoomKeys('guess', 'room', fast), route, sealed), 'AUTHFAILED');
    await expectKeeperError(openSignal(keys, { from: 'mallory', to: 'bob' }, sealed), 'AUTHFAILED');
    await expectKeeperError(openSignal(keys, { from: 'alice', to: 'carol' }, sealed), 'AUTHFAILED');
    await expectKeeperError(openSignal(await deriveRoomKeys('secret', 'room-2', fast), route, sealed), 'AUTHFAILED');
  });

  it('a payload that is not a sealed signal is a marshalling error', async () => {
    const keys = await deriveRoomKeys('secret', 'room', fast);
    await expectKeeperError(openSignal(keys, route, 'AAAA'), 'MARSHALLINGERROR');
    await expectKeeperError(openSignal(keys, route, encodeBase64url(new Uint8Array(40).fill(2))), 'MARSHALLINGERROR');
  });

  it('bad secrets and iteration counts are refused', async () => {
    await expectKeeperError(deriveRoomKeys('', 'room', fast), 'BADARGUMENTS');
    await expectKeeperError(deriveRoomKeys('x'.repeat(1025), 'room', fast), 'BADARGUMENTS');
    await expectKeeperError(deriveRoomKeys('s', 'room', { iterations: 10 }), 'BADARGUMENTS');
  });
});
