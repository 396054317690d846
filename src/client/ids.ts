import { ANYONE_ID, AUTH_IDS, CREATOR_ALL_ACL, OPEN_ACL_UNSAFE, READ_ACL_UNSAFE } from '../tree/acl.js';

/** ZooKeeper's `ZooDefs.Ids`: the common ids and ACLs. */
export const Ids = {
  /** world:anyone. */
  ANYONE_ID_UNSAFE: ANYONE_ID,
  /** auth: the ids the session authenticated as (only in a create's or setACL's ACL). */
  AUTH_IDS,
  /** Anyone may do anything. */
  OPEN_ACL_UNSAFE,
  /** Everything for the creator's authenticated ids. */
  CREATOR_ALL_ACL,
  /** Anyone may read. */
  READ_ACL_UNSAFE,
} as const;
