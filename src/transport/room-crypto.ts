/**
 * Room secret cryptography, WebCrypto only (`globalThis.crypto.subtle`: browsers and Node 20).
 *
 *   master       = PBKDF2-SHA-256(secret, salt = "meshkeeper/signaling/v1/room\0" + room, iterations) -> 256 bits
 *   verifier     = HKDF-SHA-256(master, salt = room, info = "meshkeeper/signaling/v1/verifier")   -> 256 bits
 *   sealing key  = HKDF-SHA-256(master, salt = room, info = "meshkeeper/signaling/v1/seal")       -> AES-256-GCM
 *
 * The verifier is an HMAC-SHA-256 key. The room's founder hands it to the signaling server, which keeps it
 * in the founding record and checks later joins against it: proof = HMAC(verifier, [label, nonce, room, peer]).
 * The sealing key never leaves the peers: HKDF is one-way, so holding the verifier does not give it.
 * Signals are sealed with AES-GCM under a fresh random 96-bit IV, with the room, the sender and the
 * receiver as additional data, so the server can neither read a signal nor redirect or relabel it.
 */
import { KeeperError } from '../errors/keeper-error.js';
import { decodeBase64url, encodeBase64url } from './base64url.js';

export const DEFAULT_PBKDF2_ITERATIONS = 600_000;
export const MIN_PBKDF2_ITERATIONS = 1_000;
export const MAX_PBKDF2_ITERATIONS = 10_000_000;
export const SECRET_MAX_CHARS = 1024;

const SEALED_FORMAT_VERSION = 1;
const IV_BYTES = 12;
const NONCE_BYTES = 16;
const VERIFIER_BYTES = 32;
const LABEL = 'meshkeeper/signaling/v1';

export interface RoomKeys {
  readonly room: string;
  /** base64url of the 32-byte HMAC key the server stores to check joins; not enough to read signals. */
  readonly verifier: string;
  readonly authenticationKey: CryptoKey;
  readonly sealingKey: CryptoKey;
}

/** What a sealed signal carries inside the ciphertext. */
export interface SignalBody {
  /** Random per client instance: a new session means the sender restarted. */
  readonly session: string;
  /** Per session, strictly increasing: a receiver drops replays. */
  readonly seq: number;
  readonly data: unknown;
}

/** Who a sealed signal travels between: bound into the ciphertext as additional data. */
export interface SignalRoute {
  readonly from: string;
  readonly to: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function subtle(): SubtleCrypto {
  const cryptoObject = globalThis.crypto as Crypto | undefined;
  if (cryptoObject?.subtle === undefined) {
    throw new KeeperError('SYSTEMERROR', 'WebCrypto (crypto.subtle) is unavailable: a secure context (https) is required');
  }
  return cryptoObject.subtle;
}

function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text);
}

export function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(length);
  globalThis.crypto.getRandomValues(bytes);
  return bytes;
}

/** A fresh 128-bit challenge nonce, base64url. */
export function createNonce(): string {
  return encodeBase64url(randomBytes(NONCE_BYTES));
}

export async function deriveRoomKeys(
  secret: string,
  room: string,
  options: { readonly iterations?: number } = {},
): Promise<RoomKeys> {
  const iterations = options.iterations ?? DEFAULT_PBKDF2_ITERATIONS;
  if (secret.length === 0 || secret.length > SECRET_MAX_CHARS) {
    throw new KeeperError('BADARGUMENTS', `room secret must be 1-${SECRET_MAX_CHARS} characters`);
  }
  if (!Number.isInteger(iterations) || iterations < MIN_PBKDF2_ITERATIONS || iterations > MAX_PBKDF2_ITERATIONS) {
    throw new KeeperError('BADARGUMENTS', `PBKDF2 iterations must be an integer in ${MIN_PBKDF2_ITERATIONS}..${MAX_PBKDF2_ITERATIONS}`);
  }
  const api = subtle();
  const secretKey = await api.importKey('raw', utf8(secret), 'PBKDF2', false, ['deriveBits']);
  const masterBits = await api.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt: utf8(`${LABEL}/room\0${room}`), iterations },
    secretKey,
    256,
  );
  const master = await api.importKey('raw', masterBits, 'HKDF', false, ['deriveBits', 'deriveKey']);
  const verifierBits = await api.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt: utf8(room), info: utf8(`${LABEL}/verifier`) },
    master,
    VERIFIER_BYTES * 8,
  );
  const sealingKey = await api.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: utf8(room), info: utf8(`${LABEL}/seal`) },
    master,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
  const authenticationKey = await importVerifierKey(new Uint8Array(verifierBits), ['sign', 'verify']);
  return { room, verifier: encodeBase64url(new Uint8Array(verifierBits)), authenticationKey, sealingKey };
}

function importVerifierKey(bytes: Uint8Array<ArrayBuffer>, usages: KeyUsage[]): Promise<CryptoKey> {
  return subtle().importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, usages);
}

function joinProofInput(nonce: string, room: string, peerId: string): Uint8Array<ArrayBuffer> {
  // A JSON array is an unambiguous encoding of the tuple (no field can run into the next).
  return utf8(JSON.stringify([`${LABEL}/join`, nonce, room, peerId]));
}

/** The answer to the server's challenge: HMAC(verifier, [label, nonce, room, peerId]), base64url. */
export async function proveJoin(keys: RoomKeys, nonce: string, peerId: string): Promise<string> {
  const mac = await subtle().sign('HMAC', keys.authenticationKey, joinProofInput(nonce, keys.room, peerId));
  return encodeBase64url(new Uint8Array(mac));
}

/** The server's check of a join proof against the verifier in the founding record (constant time). */
export async function verifyJoinProof(
  verifier: string,
  nonce: string,
  room: string,
  peerId: string,
  proof: string,
): Promise<boolean> {
  const verifierBytes = decodeBase64url(verifier);
  const proofBytes = decodeBase64url(proof);
  if (verifierBytes?.length !== VERIFIER_BYTES || proofBytes === undefined) return false;
  const key = await importVerifierKey(verifierBytes, ['verify']);
  return subtle().verify('HMAC', key, proofBytes, joinProofInput(nonce, room, peerId));
}

export function isWellFormedVerifier(verifier: string): boolean {
  return decodeBase64url(verifier)?.length === VERIFIER_BYTES;
}

function signalAdditionalData(room: string, route: SignalRoute): Uint8Array<ArrayBuffer> {
  return utf8(JSON.stringify([`${LABEL}/signal`, room, route.from, route.to]));
}

/** Seals a signal for one receiver: base64url(version | iv | AES-GCM ciphertext and tag). */
export async function sealSignal(keys: RoomKeys, route: SignalRoute, body: SignalBody): Promise<string> {
  const iv = randomBytes(IV_BYTES);
  const plaintext = utf8(JSON.stringify({ s: body.session, n: body.seq, d: body.data }));
  const ciphertext = await subtle().encrypt(
    { name: 'AES-GCM', iv, additionalData: signalAdditionalData(keys.room, route) },
    keys.sealingKey,
    plaintext,
  );
  const sealed = new Uint8Array(1 + IV_BYTES + ciphertext.byteLength);
  sealed[0] = SEALED_FORMAT_VERSION;
  sealed.set(iv, 1);
  sealed.set(new Uint8Array(ciphertext), 1 + IV_BYTES);
  return encodeBase64url(sealed);
}

/**
 * Opens a sealed signal. Throws KeeperError AUTHFAILED when the payload was altered, sealed with another
 * secret, or addressed between other peers than `route` says; MARSHALLINGERROR when it is not a signal.
 */
export async function openSignal(keys: RoomKeys, route: SignalRoute, payload: string): Promise<SignalBody> {
  const sealed = decodeBase64url(payload);
  if (sealed === undefined || sealed.length < 1 + IV_BYTES + 16 || sealed[0] !== SEALED_FORMAT_VERSION) {
    throw new KeeperError('MARSHALLINGERROR', 'sealed signal has an unknown format');
  }
  let plaintext: ArrayBuffer;
  try {
    plaintext = await subtle().decrypt(
      { name: 'AES-GCM', iv: sealed.subarray(1, 1 + IV_BYTES), additionalData: signalAdditionalData(keys.room, route) },
      keys.sealingKey,
      sealed.subarray(1 + IV_BYTES),
    );
  } catch {
    throw new KeeperError('AUTHFAILED', 'sealed signal failed authentication (tampered, or another secret or route)');
  }
  let fields: unknown;
  try {
    fields = JSON.parse(decoder.decode(plaintext));
  } catch {
    throw new KeeperError('MARSHALLINGERROR', 'sealed signal does not hold JSON');
  }
  if (typeof fields !== 'object' || fields === null) throw new KeeperError('MARSHALLINGERROR', 'sealed signal body is not an object');
  const { s: session, n: seq, d: data } = fields as Readonly<Record<string, unknown>>;
  if (typeof session !== 'string' || session.length === 0 || session.length > 64 || !Number.isSafeInteger(seq) || (seq as number) < 0) {
    throw new KeeperError('MARSHALLINGERROR', 'sealed signal body lacks session or sequence');
  }
  return { session, seq: seq as number, data };
}
