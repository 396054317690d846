import { describe, expect, it } from 'vitest';
import { KeeperError } from '../../src/errors/keeper-error.js';
import { MESH_PEER_CODEC, MeshFrameKind, decodeMeshFrame, encodeMeshFrame, isMeshFrame } from '../../src/mesh/mesh-frames.js';
import { encodePeerMessage } from '../../src/wire/peer-codec.js';

describe('mesh frames', () => {
  it('a mesh frame starts with byte 0, which no wire frame does, and round-trips its body', () => {
    const frame = encodeMeshFrame(MeshFrameKind.presence, new Uint8Array([7, 8, 9]));
    expect([...frame]).toEqual([0, 1, 7, 8, 9]);
    expect(isMeshFrame(frame)).toBe(true);
    expect([...decodeMeshFrame(frame).body]).toEqual([7, 8, 9]);
    const peerFrame = encodePeerMessage({ type: 'sessionActivity', sessionIds: [5n] });
    expect(isMeshFrame(peerFrame)).toBe(false);
  });

  it("the replica's codec leaves mesh frames to the mesh and decodes peer frames as before", () => {
    expect(MESH_PEER_CODEC.decode(encodeMeshFrame(MeshFrameKind.presence, new Uint8Array(0)))).toBeNull();
    expect(MESH_PEER_CODEC.decode(encodePeerMessage({ type: 'sessionActivity', sessionIds: [5n] }))).toEqual({ type: 'sessionActivity', sessionIds: [5n] });
    expect(() => MESH_PEER_CODEC.decode(new Uint8Array([1, 2, 3]))).toThrow(KeeperError);
  });

  it('a mesh frame of an unknown kind, or too short, is a MARSHALLINGERROR', () => {
    expect(() => decodeMeshFrame(new Uint8Array([0, 9, 1]))).toThrow(/unknown mesh frame kind 9/);
    expect(() => decodeMeshFrame(new Uint8Array([0]))).toThrow(/not a mesh frame/);
    expect(isMeshFrame(new Uint8Array(0))).toBe(false);
  });
});
