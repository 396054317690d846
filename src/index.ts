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
