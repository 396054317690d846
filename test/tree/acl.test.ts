import { describe, expect, it } from 'vitest';
import { ANYONE_ID, CREATOR_ALL_ACL, OPEN_ACL_UNSAFE, Perms, READ_ACL_UNSAFE, checkPermission, fixupAcl, generateDigest, isPermitted } from '../../src/tree/acl.js';
import { sha1 } from '../../src/tree/sha1.js';
import { KeeperError } from '../../src/errors/keeper-error.js';

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const utf8 = (s: string) => new TextEncoder().encode(s);

describe('sha1', () => {
  it('matches the FIPS 180 test vectors', () => {
    expect(hex(sha1(utf8('')))).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709');
    expect(hex(sha1(utf8('abc')))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(hex(sha1(utf8('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe(
      '84983e441c3bd26ebaae4aa1f95129e5e54670f1',
    );
    expect(hex(sha1(new Uint8Array(1_000_000).fill(0x61)))).toBe('34aa973cd4c4daa4f61eeb2bdbad27316534016f');
  });
});

describe('ACL (ZooKeeper digest scheme and checkACL)', () => {
  it('digest ids are user:base64(sha1(user:password)) as ZooKeeper generates them', () => {
    expect(generateDigest('super:admin')).toBe('super:xQJmxLMiHGwaqBvst5y6rkB6HQs=');
    expect(() => generateDigest('nocolon')).toThrow(KeeperError);
  });

  it('world:anyone permits everyone; permission bits are checked', () => {
    expect(isPermitted(OPEN_ACL_UNSAFE, Perms.WRITE, [])).toBe(true);
    expect(isPermitted(READ_ACL_UNSAFE, Perms.READ, [])).toBe(true);
    expect(isPermitted(READ_ACL_UNSAFE, Perms.WRITE, [])).toBe(false);
  });

  it('digest entries permit only the matching authenticated id', () => {
    const alice = { scheme: 'digest', id: generateDigest('alice:secret') };
    const acl = [{ perms: Perms.READ | Perms.WRITE, id: alice }];
    expect(isPermitted(acl, Perms.READ, [ANYONE_ID, alice])).toBe(true);
    expect(isPermitted(acl, Perms.READ, [ANYONE_ID, { scheme: 'digest', id: generateDigest('alice:wrong') }])).toBe(false);
    expect(isPermitted(acl, Perms.DELETE, [alice])).toBe(false);
    expect(() => checkPermission(acl, Perms.ADMIN, [alice], '/x')).toThrow(/NOAUTH/);
  });

  it('an empty ACL permits everything (as ZooKeeper does)', () => {
    expect(isPermitted([], Perms.ADMIN, [])).toBe(true);
  });

  it('fixupAcl expands auth into the session ids and rejects invalid ACLs with INVALIDACL', () => {
    const alice = { scheme: 'digest', id: generateDigest('alice:secret') };
    expect(fixupAcl(CREATOR_ALL_ACL, [ANYONE_ID, alice])).toEqual([{ perms: Perms.ALL, id: alice }]);
    const invalid = (acl: Parameters<typeof fixupAcl>[0], ids = [ANYONE_ID]) => {
      try {
        fixupAcl(acl, ids);
        return 'accepted';
      } catch (error) {
        return (error as KeeperError).codeName;
      }
    };
    expect(invalid(CREATOR_ALL_ACL)).toBe('INVALIDACL');
    expect(invalid([])).toBe('INVALIDACL');
    expect(invalid([{ perms: 99, id: ANYONE_ID }])).toBe('INVALIDACL');
    expect(invalid([{ perms: 1, id: { scheme: 'world', id: 'someone' } }])).toBe('INVALIDACL');
    expect(invalid([{ perms: 1, id: { scheme: 'digest', id: 'bob' } }])).toBe('INVALIDACL');
    expect(invalid([{ perms: 1, id: { scheme: 'kerberos', id: 'x' } }])).toBe('INVALIDACL');
    expect(invalid(OPEN_ACL_UNSAFE)).toBe('accepted');
  });
});
