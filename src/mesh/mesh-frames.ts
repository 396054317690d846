import { KeeperError } from '../errors/keeper-error.js';
import type { PeerCodec } from '../replica/replica.js';
import { decodePeerMessage, encodePeerMessage } from '../wire/peer-codec.js';

/**
 * The mesh's own frames share each replica link with the replica's peer frames. A wire frame
 * starts with varUint(version), and version 0 never exists (src/wire/frame.ts), so a frame whose
 * first byte is 0 is the mesh's:
 *
 *   meshFrame := uint8(0) • uint8(kind) • body
 *   kind 1 (presence): body = a y-protocols awareness update (RoomPresence)
 *
 * The replica's codec (MESH_PEER_CODEC) hands such frames back as null, so the replica ignores them,
 * and the mesh node reads them from the same LinkHub.
 */
export const MESH_FRAME_TAG = 0;

export const MeshFrameKind = { presence: 1 } as const;
export type MeshFrameKindNumber = (typeof MeshFrameKind)[keyof typeof MeshFrameKind];

export interface MeshFrame {
  readonly kind: MeshFrameKindNumber;
  readonly body: Uint8Array;
}

export function isMeshFrame(frame: Uint8Array): boolean {
  return frame.length > 0 && frame[0] === MESH_FRAME_TAG;
}

export function encodeMeshFrame(kind: MeshFrameKindNumber, body: Uint8Array): Uint8Array {
  const frame = new Uint8Array(body.length + 2);
  frame[0] = MESH_FRAME_TAG;
  frame[1] = kind;
  frame.set(body, 2);
  return frame;
}

/** A mesh frame's kind and body (a view, no copy); MARSHALLINGERROR for anything else. */
export function decodeMeshFrame(frame: Uint8Array): MeshFrame {
  if (frame.length < 2 || frame[0] !== MESH_FRAME_TAG) throw new KeeperError('MARSHALLINGERROR', 'not a mesh frame');
  const kind = frame[1];
  if (kind !== MeshFrameKind.presence) throw new KeeperError('MARSHALLINGERROR', `unknown mesh frame kind ${String(kind)}`);
  return { kind, body: frame.subarray(2) };
}

/** The replica's peer codec on mesh links: src/wire's, with mesh frames left to the mesh (null). */
export const MESH_PEER_CODEC: PeerCodec = {
  encode: encodePeerMessage,
  decode: (frame) => (isMeshFrame(frame) ? null : decodePeerMessage(frame)),
};
