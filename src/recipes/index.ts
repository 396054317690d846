// meshkeeper's recipes: Curator's, built on the public client only. Named exports only.
export type { RecipeWaitOptions } from './abort.js';
export { PROTECTED_PREFIX } from './protected-create.js';
export type { Participant } from './participants.js';

export { Lock, LOCK_NODE_NAME, type LockOptions } from './lock.js';
export { SequentialLock, type LockDriver, type LockEvents, type LockState } from './lock-internals.js';
export { ReadWriteLock, READ_LOCK_NAME, WRITE_LOCK_NAME, type ReadWriteLockOptions } from './read-write-lock.js';
export { Semaphore, Lease, LEASE_NODE_NAME, MAX_LEASES, type LeaseState, type SemaphoreEvents, type SemaphoreOptions } from './semaphore.js';

export { LeaderLatch, LATCH_NODE_NAME, type LeaderLatchEvents, type LeaderLatchOptions, type LatchState, type NotLeaderReason } from './leader-latch.js';
export { LeaderSelector, type LeadershipFunction, type LeaderSelectorEvents, type LeaderSelectorOptions } from './leader-selector.js';

export { Barrier } from './barrier.js';
export { DoubleBarrier, READY_NODE_NAME, type DoubleBarrierOptions, type DoubleBarrierState } from './double-barrier.js';
export { Queue, QUEUE_ITEM_NAME, type QueueItem, type QueueOptions } from './queue.js';
export { SharedCounter, encodeCounter, decodeCounter, type CounterValue, type SharedCounterEvents, type SharedCounterOptions } from './shared-counter.js';

export { TreeCache, type CachedNode, type TreeCacheEvents, type TreeCacheOptions, type TreeCacheState } from './tree-cache.js';
export { GroupMembership, type Member, type GroupMembershipEvents, type GroupMembershipOptions, type MembershipState } from './group-membership.js';
