import type { KeyValueStore } from './replica-identity.js';

/**
 * The ensemble a device's replicas of a room belong to, kept per browser profile (localStorage):
 * the room's founder registers it with the signaling server, every later joiner learns it there.
 * A device that already knows one proposes it again (a lost founding record heals itself), and
 * checks it against every WebRTC peer's signals (signal-envelope.ts).
 */

export function ensembleIdKey(room: string): string {
  return `meshkeeper:${room}:ensemble-id`;
}

const ENSEMBLE_ID = /^[0-9a-f]{32}$/;

/** The stored ensemble id of `room`, or null. */
export function storedEnsembleId(storage: KeyValueStore, room: string): string | null {
  const value = storage.getItem(ensembleIdKey(room));
  return value !== null && ENSEMBLE_ID.test(value) ? value : null;
}

export function storeEnsembleId(storage: KeyValueStore, room: string, ensembleId: string): void {
  if (ENSEMBLE_ID.test(ensembleId)) storage.setItem(ensembleIdKey(room), ensembleId);
}

/** A fresh ensemble id: 16 random bytes, hex. */
export function freshEnsembleId(randomBytes: (bytes: Uint8Array) => void = (bytes) => void crypto.getRandomValues(bytes)): string {
  const bytes = new Uint8Array(16);
  randomBytes(bytes);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Whether this tab founds the ensemble: only when the id it proposed was fresh (nobody else can
 * know it) and the room now belongs to it — `founder` from the server, or `ownProposal` when the
 * server's reply to the founding join was lost and a rejoin saw the record. A proposal of a known
 * id (re-founding a lost record) never founds: that ensemble already exists.
 */
export function foundsEnsemble(proposedFresh: boolean, joined: { readonly founder: boolean; readonly ownProposal: boolean }): boolean {
  return proposedFresh && (joined.founder || joined.ownProposal);
}
