import { SessionTable } from '../session/session-table.js';
import { DataTree } from '../tree/data-tree.js';
import { decodeTreeSnapshot } from '../wire/snapshot-decoder.js';
import { encodeTreeSnapshot } from '../wire/snapshot-encoder.js';
import { decodeSessionTable, encodeSessionTable } from './session-table-codec.js';

/**
 * The replica's state machine image, as a Raft snapshot's data: the tree snapshot format
 * (src/wire) with the session table in its opaque section. The one place the core encodes and
 * decodes snapshots, so a faster tree-level codec can replace these two calls alone.
 */
export interface StateImage {
  readonly tree: DataTree;
  readonly sessions: SessionTable;
}

export function encodeStateImage(tree: DataTree, sessions: SessionTable): Uint8Array {
  return encodeTreeSnapshot(tree.toSnapshot(encodeSessionTable(sessions)));
}

/** Throws MARSHALLINGERROR for bytes that are not a state image. */
export function decodeStateImage(bytes: Uint8Array): StateImage {
  const snapshot = decodeTreeSnapshot(bytes);
  return { tree: DataTree.fromSnapshot(snapshot), sessions: decodeSessionTable(snapshot.sessions) };
}
