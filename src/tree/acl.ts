import { KeeperError } from '../errors/keeper-error.js';
import { sha1 } from './sha1.js';

/** ZooKeeper's permission bits (`ZooDefs.Perms`). */
export const Perms = {
  READ: 1,
  WRITE: 2,
  CREATE: 4,
  DELETE: 8,
  ADMIN: 16,
  ALL: 31,
} as const;

/** An identity: a scheme and an id within it ("world"/"anyone", "digest"/"user:hash", "auth"/""). */
export interface Id {
  readonly scheme: string;
  readonly id: string;
}

/** One entry of a node's access control list. */
export interface Acl {
  readonly perms: number;
  readonly id: Id;
}

export const ANYONE_ID: Id = { scheme: 'world', id: 'anyone' };
/** The ids a create with the "auth" scheme expands to: every id the session has authenticated as. */
export const AUTH_IDS: Id = { scheme: 'auth', id: '' };

/** ZooDefs.Ids.OPEN_ACL_UNSAFE: anyone may do anything. */
export const OPEN_ACL_UNSAFE: readonly Acl[] = [{ perms: Perms.ALL, id: ANYONE_ID }];
/** ZooDefs.Ids.CREATOR_ALL_ACL: everything for the ids the creator authenticated as. */
export const CREATOR_ALL_ACL: readonly Acl[] = [{ perms: Perms.ALL, id: AUTH_IDS }];
/** ZooDefs.Ids.READ_ACL_UNSAFE: anyone may read. */
export const READ_ACL_UNSAFE: readonly Acl[] = [{ perms: Perms.READ, id: ANYONE_ID }];

const utf8 = new TextEncoder();

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * ZooKeeper's DigestAuthenticationProvider.generateDigest: "user:password" becomes
 * "user:base64(sha1(user:password))", the id a digest ACL names.
 */
export function generateDigest(userPassword: string): string {
  const colon = userPassword.indexOf(':');
  if (colon < 0) throw new KeeperError('BADARGUMENTS', 'digest auth must be "user:password"');
  const user = userPassword.slice(0, colon);
  return `${user}:${toBase64(sha1(utf8.encode(userPassword)))}`;
}

/** True when an ACL entry's permissions include every bit of `perm`. */
function allows(acl: Acl, perm: number): boolean {
  return (acl.perms & perm) === perm;
}

function matches(aclId: Id, authIds: readonly Id[]): boolean {
  if (aclId.scheme === 'world' && aclId.id === 'anyone') return true;
  return authIds.some((auth) => auth.scheme === aclId.scheme && auth.id === aclId.id);
}

/**
 * ZooKeeper's checkACL: may a session with these authenticated ids do `perm` on a node with `acl`?
 * An empty ACL allows everything (as ZooKeeper's does); a "super" digest id is not special here.
 */
export function isPermitted(acl: readonly Acl[], perm: number, authIds: readonly Id[]): boolean {
  if (acl.length === 0) return true;
  return acl.some((entry) => allows(entry, perm) && matches(entry.id, authIds));
}

/** Throws NOAUTH when `isPermitted` says no. */
export function checkPermission(acl: readonly Acl[], perm: number, authIds: readonly Id[], path: string): void {
  if (!isPermitted(acl, perm, authIds)) throw new KeeperError('NOAUTH', 'not permitted', path);
}

/**
 * ZooKeeper's fixupACL: validates a requested ACL and expands "auth" entries into the session's
 * authenticated (non-world) ids. INVALIDACL for an empty list, an unknown scheme, a malformed digest
 * id, bad permission bits, or "auth" with nothing authenticated.
 */
export function fixupAcl(requested: readonly Acl[], authIds: readonly Id[]): Acl[] {
  if (requested.length === 0) throw new KeeperError('INVALIDACL', 'an ACL must have at least one entry');
  const result: Acl[] = [];
  for (const entry of requested) {
    if (!Number.isInteger(entry.perms) || entry.perms < 0 || entry.perms > Perms.ALL) {
      throw new KeeperError('INVALIDACL', `invalid permissions ${entry.perms}`);
    }
    const { scheme, id } = entry.id;
    if (scheme === 'world') {
      if (id !== 'anyone') throw new KeeperError('INVALIDACL', `world scheme only has "anyone", not "${id}"`);
      result.push(entry);
    } else if (scheme === 'auth') {
      const owned = authIds.filter((auth) => auth.scheme !== 'world');
      if (owned.length === 0) throw new KeeperError('INVALIDACL', 'auth scheme needs an authenticated session');
      for (const auth of owned) result.push({ perms: entry.perms, id: auth });
    } else if (scheme === 'digest') {
      if (!/^[^:]+:[A-Za-z0-9+/]{27}=$/.test(id)) {
        throw new KeeperError('INVALIDACL', `digest id must be "user:base64(sha1(user:password))", not "${id}"`);
      }
      result.push(entry);
    } else {
      throw new KeeperError('INVALIDACL', `unsupported ACL scheme "${scheme}"`);
    }
  }
  return dedupeAcl(result);
}

function dedupeAcl(acl: readonly Acl[]): Acl[] {
  const seen = new Set<string>();
  return acl.filter((entry) => {
    const key = `${entry.perms}|${entry.id.scheme}|${entry.id.id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
