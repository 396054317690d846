/**
 * base64url without padding (RFC 4648 §5): the text form of every binary value on the signaling wire
 * (nonces, proofs, verifiers, sealed signals). Works in browsers and Node (both have btoa/atob).
 */

const BASE64URL_PATTERN = /^[A-Za-z0-9_-]*$/;
const CHUNK_BYTES = 0x8000;

export function encodeBase64url(bytes: Uint8Array): string {
  let binary = '';
  for (let start = 0; start < bytes.length; start += CHUNK_BYTES) {
    binary += String.fromCharCode(...bytes.subarray(start, start + CHUNK_BYTES));
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The bytes of a base64url text, or undefined when the text is not canonical unpadded base64url. */
export function decodeBase64url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!BASE64URL_PATTERN.test(text) || text.length % 4 === 1) return undefined;
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  let binary: string;
  try {
    binary = atob(padded);
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  // Reject non-canonical encodings (stray bits in the last character) so one value has one text form.
  if (encodeBase64url(bytes) !== text) return undefined;
  return bytes;
}
