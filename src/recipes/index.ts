// meshkeeper's recipes (Curator's, on the public client). Named exports only.
export type { RecipeWaitOptions } from './abort.js';
export { Lock, LOCK_NODE_NAME, type LockOptions } from './lock.js';
export type { LockEvents, LockState } from './lock-internals.js';
export { PROTECTED_PREFIX } from './protected-create.js';
export { LeaderLatch, LATCH_NODE_NAME, type LeaderLatchEvents, type LeaderLatchOptions, type LatchState, type NotLeaderReason } from './leader-latch.js';
export type { Participant } from './participants.js';
export { Barrier } from './barrier.js';
export { SharedCounter, encodeCounter, decodeCounter, type CounterValue, type SharedCounterEvents, type SharedCounterOptions } from './shared-counter.js';
export { TreeCache, type CachedNode, type TreeCacheEvents, type TreeCacheOptions, type TreeCacheState } from './tree-cache.js';
export { GroupMembership, type Member, type GroupMembershipEvents, type GroupMembershipOptions, type MembershipState } from './group-membership.js';
export { ReadWriteLock, READ_LOCK_NAME, WRITE_LOCK_NAME, type ReadWriteLockOptions } from './read-write-lock.js';
export { SequentialLock, type LockDriver } from './lock-internals.js';
export { Semaphore, Lease, LEASE_NODE_NAME, MAX_LEASES, type LeaseState, type SemaphoreEvents, type SemaphoreOptions } from './semaphore.js';
