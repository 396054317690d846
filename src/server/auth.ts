import { isKeeperError } from '../errors/keeper-error.js';
import { generateDigest, type Id } from '../tree/acl.js';

/** The auth schemes a client may addAuthInfo with (ZooKeeper's default providers, less ip). */
export const AUTH_SCHEMES: readonly string[] = ['digest'];

const utf8 = new TextDecoder();

/**
 * ZooKeeper's ServerAuthenticationProvider.handleAuthentication for one addAuthInfo: the id the
 * connection gains, or null for AUTHFAILED (an unknown scheme, or a digest credential that is not
 * "user:password"). "digest" turns "user:password" into { scheme: 'digest', id: generateDigest(...) }.
 * ZooKeeper has no "super" digest here, and the ip scheme means nothing between tabs.
 */
export function authenticate(scheme: string, auth: Uint8Array): Id | null {
  if (scheme !== 'digest') return null;
  const credential = utf8.decode(auth);
  try {
    return { scheme: 'digest', id: generateDigest(credential) };
  } catch (error) {
    if (isKeeperError(error)) return null;
    throw error;
  }
}

/**
 * whoAmI's answer: each authenticated id as ZooKeeper's ClientInfo names it (the digest provider
 * reports the user name, not the hash).
 */
export function whoAmI(authIds: readonly Id[]): Id[] {
  return authIds.map((id) => (id.scheme === 'digest' ? { scheme: 'digest', id: id.id.replace(/:.*/s, '') } : id));
}
