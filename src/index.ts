// meshkeeper's public surface. Named exports only; types with `export type`.
export { ErrorCode, errorCodeName, isErrorCode } from './errors/error-code.js';
export type { ErrorCodeName, ErrorCodeNumber } from './errors/error-code.js';
export { KeeperError, isKeeperError } from './errors/keeper-error.js';
export { CreateMode, isSequential, isEphemeral, isTtl, isContainer } from './tree/create-mode.js';
export type { CreateModeName, CreateModeFlag } from './tree/create-mode.js';
export { Perms, OPEN_ACL_UNSAFE, CREATOR_ALL_ACL, READ_ACL_UNSAFE, ANYONE_ID, generateDigest } from './tree/acl.js';
export type { Acl, Id } from './tree/acl.js';
export type { Stat } from './tree/stat.js';
export { MAX_DATA_BYTES, ANY_VERSION } from './tree/stat.js';
export { EventType } from './tree/watch-event.js';
export type { EventTypeName, WatchedEvent } from './tree/watch-event.js';
export { validatePath } from './tree/path.js';
export { MeshKeeperClient, MeshKeeperClient as ZooKeeper, MAX_AUTH_INFOS } from './client/client.js';
export type { ClientEvents, ReadOptions, GetChildrenOptions } from './client/client.js';
export type { MeshKeeperClientOptions } from './client/client-options.js';
export type { ClientConnection, ConnectFn } from './client/connection.js';
export { ClientState, isTerminalState } from './client/client-state.js';
export type { ClientStateName } from './client/client-state.js';
export { Op, KeeperMultiError, isKeeperMultiError } from './client/multi.js';
export type { MultiResult, MultiReadResult, ErrorResult, WriteOperation, ReadOperation } from './client/multi.js';
export { Transaction } from './client/transaction.js';
export type { CreateOptions, Data } from './client/requests.js';
export type { Watcher, WatcherFunction, WatcherObject, WatchEvent, WatchOption } from './client/watcher.js';
export type { WaitOptions } from './client/wait-for-state.js';
export type { Clock } from './client/clock.js';
export { Ids } from './client/ids.js';
export { KeeperState, AddWatchMode, WatcherType } from './wire/client-message.js';
export type { KeeperStateName, AddWatchModeName, WatcherTypeName } from './wire/client-message.js';
export {
  Lock,
  SequentialLock,
  ReadWriteLock,
  Semaphore,
  Lease,
  LeaderLatch,
  LeaderSelector,
  Barrier,
  DoubleBarrier,
  Queue,
  SharedCounter,
  TreeCache,
  GroupMembership,
  PROTECTED_PREFIX,
  LOCK_NODE_NAME,
  READ_LOCK_NAME,
  WRITE_LOCK_NAME,
  LEASE_NODE_NAME,
  MAX_LEASES,
  LATCH_NODE_NAME,
  READY_NODE_NAME,
  QUEUE_ITEM_NAME,
  encodeCounter,
  decodeCounter,
} from './recipes/index.js';
export type {
  RecipeWaitOptions,
  Participant,
  LockOptions,
  LockDriver,
  LockEvents,
  LockState,
  ReadWriteLockOptions,
  LeaseState,
  SemaphoreEvents,
  SemaphoreOptions,
  LeaderLatchEvents,
  LeaderLatchOptions,
  LatchState,
  NotLeaderReason,
  LeadershipFunction,
  LeaderSelectorEvents,
  LeaderSelectorOptions,
  DoubleBarrierOptions,
  DoubleBarrierState,
  QueueItem,
  QueueOptions,
  CounterValue,
  SharedCounterEvents,
  SharedCounterOptions,
  CachedNode,
  TreeCacheEvents,
  TreeCacheOptions,
  TreeCacheState,
  Member,
  GroupMembershipEvents,
  GroupMembershipOptions,
  MembershipState,
} from './recipes/index.js';
