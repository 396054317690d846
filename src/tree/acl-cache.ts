import type { Acl } from './acl.js';
import { assert } from '../errors/keeper-error.js';
import { hashAcl } from './tree-digest.js';

interface CachedAcl {
  readonly acl: readonly Acl[];
  readonly key: string;
  readonly hashHigh: number;
  readonly hashLow: number;
  refs: number;
}

function keyOf(acl: readonly Acl[]): string {
  let key = '';
  for (const entry of acl) key += `${entry.perms}\u0000${entry.id.scheme}\u0000${entry.id.id}\u0001`;
  return key;
}

function frozenCopy(acl: readonly Acl[]): readonly Acl[] {
  return Object.freeze(
    acl.map((entry) => Object.freeze({ perms: entry.perms, id: Object.freeze({ scheme: entry.id.scheme, id: entry.id.id }) })),
  );
}

/**
 * ZooKeeper's ReferenceCountedACLCache: every distinct ACL list is stored once, frozen, and shared by
 * all nodes that carry it (100k nodes with OPEN_ACL_UNSAFE hold one array). Counted references free
 * an entry when its last node goes, so the cache never holds more entries than the tree has nodes.
 * It also remembers each list's hash for the tree digest.
 */
export class AclCache {
  private readonly byKey = new Map<string, CachedAcl>();
  private readonly byArray = new Map<readonly Acl[], CachedAcl>();
  // The entry acquire found last: nodes created or restored one after another mostly carry one list.
  private lastAcquired: CachedAcl | null = null;

  /** The shared copy of `acl`, with one more reference counted. */
  acquire(acl: readonly Acl[]): readonly Acl[] {
    const last = this.lastAcquired;
    if (last !== null && last.acl === acl && last.refs > 0) {
      last.refs++;
      return acl;
    }
    let cached = this.byArray.get(acl);
    if (cached === undefined) {
      const key = keyOf(acl);
      cached = this.byKey.get(key);
      if (cached === undefined) {
        const shared = frozenCopy(acl);
        const hash = hashAcl(shared);
        cached = { acl: shared, key, hashHigh: hash.high, hashLow: hash.low, refs: 0 };
        this.byKey.set(key, cached);
        this.byArray.set(shared, cached);
      }
    }
    cached.refs++;
    this.lastAcquired = cached;
    return cached.acl;
  }

  /** Drops one reference to a shared list returned by `acquire`. */
  release(acl: readonly Acl[]): void {
    const cached = this.byArray.get(acl);
    assert(cached !== undefined && cached.refs > 0, 'released an ACL the cache does not hold');
    cached.refs--;
    if (cached.refs === 0) {
      this.byArray.delete(cached.acl);
      this.byKey.delete(cached.key);
      if (this.lastAcquired === cached) this.lastAcquired = null;
    }
  }

  hashHigh(acl: readonly Acl[]): number {
    return this.entry(acl).hashHigh;
  }

  hashLow(acl: readonly Acl[]): number {
    return this.entry(acl).hashLow;
  }

  /** How many distinct ACL lists are held. */
  get size(): number {
    return this.byKey.size;
  }

  private entry(acl: readonly Acl[]): CachedAcl {
    const cached = this.byArray.get(acl);
    assert(cached !== undefined, 'ACL not from this cache');
    return cached;
  }
}
