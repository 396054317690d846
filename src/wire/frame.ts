import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { MAX_FRAME_BYTES, SUPPORTED_WIRE_VERSIONS, WIRE_VERSION } from './limits.js';
import { expectEnd, readUint, writeUint, type Decoder, type Encoder } from './primitives.js';
import { asMarshalling, marshallingError } from './wire-error.js';

/**
 * Every top-level message is a frame:
 *
 *   frame := varUint(version) • varUint(kind) • body
 *
 * The kind says which body follows. Kinds are one byte (1..127), in ranges:
 *   1..15    client session (client <-> replica)
 *   16..31   stored formats (log entry payloads, snapshots)
 *   32..63   reserved for later client-facing or stored kinds
 *   64..127  consensus messages between replicas (kinds in peer-kind.ts, codecs in raft-message-codec.ts, peer-codec.ts)
 * 0 and 128 and above are never valid. A decoder that meets a kind it does not know, or a kind that
 * does not belong where the frame was received, answers MARSHALLINGERROR.
 */
export const FrameKind = {
  connectRequest: 1,
  connectResponse: 2,
  request: 3,
  reply: 4,
  watchEvent: 5,
  txn: 16,
  txnBatch: 17,
  treeSnapshot: 18,
} as const;

export type FrameKindName = keyof typeof FrameKind;
export type FrameKindNumber = (typeof FrameKind)[FrameKindName];

/** The first and last kind numbers reserved for consensus messages. */
export const CONSENSUS_KIND_FIRST = 64;
export const CONSENSUS_KIND_LAST = 127;
const LAST_KIND = 127;

export interface FrameHeader {
  readonly version: number;
  readonly kind: number;
}

export function writeFrameHeader(encoder: Encoder, kind: number): void {
  writeUint(encoder, WIRE_VERSION, Number.MAX_SAFE_INTEGER, 'frame version');
  if (!Number.isInteger(kind) || kind < 1 || kind > LAST_KIND) {
    throw marshallingError('frame kind', `${kind} is not a kind in [1, ${LAST_KIND}]`);
  }
  writeUint(encoder, kind, LAST_KIND, 'frame kind');
}

/** Reads the version (which must be one this build supports) and the kind. */
export function readFrameHeader(decoder: Decoder): FrameHeader {
  const versionOffset = decoder.pos;
  const version = readUint(decoder, Number.MAX_SAFE_INTEGER, 'frame version');
  if (!SUPPORTED_WIRE_VERSIONS.includes(version)) {
    throw marshallingError(
      'frame version',
      `unsupported protocol version ${version} (this build reads ${SUPPORTED_WIRE_VERSIONS.join(', ')})`,
      versionOffset,
    );
  }
  const kindOffset = decoder.pos;
  const kind = readUint(decoder, LAST_KIND, 'frame kind');
  if (kind === 0) throw marshallingError('frame kind', 'kind 0 is never valid', kindOffset);
  return { version, kind };
}

function checkInput(bytes: Uint8Array, what: string, maxBytes: number): void {
  if (!(bytes instanceof Uint8Array)) throw marshallingError(what, 'input is not a Uint8Array');
  if (bytes.length > maxBytes) {
    throw marshallingError(what, `${bytes.length} bytes exceed the frame limit of ${maxBytes}`);
  }
}

/** The version and kind of a frame, without decoding its body (to route it). */
export function peekFrameHeader(bytes: Uint8Array): FrameHeader {
  return asMarshalling('frame', () => {
    checkInput(bytes, 'frame', Number.MAX_SAFE_INTEGER);
    return readFrameHeader(decoding.createDecoder(bytes));
  });
}

/** Initial size of the reused encoder's buffer: most frames fit without growing it. */
const SCRATCH_BYTES = 64 * 1024;
const scratchBuffer = new Uint8Array(SCRATCH_BYTES);
const scratch = encoding.createEncoder();
let scratchInUse = false;

/**
 * An encoder for one frame: the module's reused one (encoding is synchronous; a nested encodeFrame
 * gets a fresh one), reset to its 64 KiB buffer, so a frame costs one allocation (its result).
 */
function takeEncoder(): Encoder {
  if (scratchInUse) return encoding.createEncoder();
  scratchInUse = true;
  scratch.cbuf = scratchBuffer;
  scratch.cpos = 0;
  scratch.bufs.length = 0;
  return scratch;
}

function releaseEncoder(encoder: Encoder): void {
  if (encoder !== scratch) return;
  // Let go of any buffers a large frame grew into.
  scratch.cbuf = scratchBuffer;
  scratch.cpos = 0;
  scratch.bufs.length = 0;
  scratchInUse = false;
}

/**
 * Writes one frame: header, then whatever `writeBody` writes. The result must stay within
 * `maxBytes` (default MAX_FRAME_BYTES). Anything that goes wrong is MARSHALLINGERROR naming `what`.
 */
export function encodeFrame(
  kind: number,
  what: string,
  writeBody: (encoder: Encoder) => void,
  maxBytes: number = MAX_FRAME_BYTES,
): Uint8Array {
  return asMarshalling(what, () => {
    const encoder = takeEncoder();
    try {
      writeFrameHeader(encoder, kind);
      writeBody(encoder);
      const length = encoding.length(encoder);
      if (length > maxBytes) throw marshallingError(what, `${length} bytes exceed the frame limit of ${maxBytes}`);
      // One buffer (the common case): a single native copy.
      return encoder.bufs.length === 0 ? encoder.cbuf.slice(0, encoder.cpos) : encoding.toUint8Array(encoder);
    } finally {
      releaseEncoder(encoder);
    }
  });
}

/**
 * Reads one frame whose kind must be one of `kinds`, with `readBody`; the body must end exactly at
 * the end of the input. Anything that goes wrong is MARSHALLINGERROR naming `what`.
 */
export function decodeFrame<T>(
  bytes: Uint8Array,
  what: string,
  kinds: readonly number[],
  readBody: (decoder: Decoder, kind: number) => T,
  maxBytes: number = MAX_FRAME_BYTES,
): T {
  return asMarshalling(what, () => {
    checkInput(bytes, what, maxBytes);
    const decoder = decoding.createDecoder(bytes);
    const kindOffset = decoder.pos + 1;
    const { kind } = readFrameHeader(decoder);
    if (!kinds.includes(kind)) {
      throw marshallingError(what, `frame kind ${kind} is not one of ${kinds.join(', ')}`, kindOffset);
    }
    const value = readBody(decoder, kind);
    expectEnd(decoder, what);
    return value;
  });
}
