import { KeeperError } from '../errors/keeper-error.js';
import type { Acl } from '../tree/acl.js';
import { CreateMode, createModeFromFlag, type CreateModeFlag, type CreateModeName } from '../tree/create-mode.js';
import type { CreateOp } from '../tree/op.js';
import { validatePathLength } from '../tree/op-validation.js';
import { validatePath } from '../tree/path.js';
import { OPEN_ACL_UNSAFE } from '../tree/acl.js';
import { AddWatchMode, type AddWatchModeName } from '../watch/watcher-mode.js';
import { WatcherType, type WatcherTypeName } from '../watch/watcher-type.js';
import { MAX_ACL_ENTRIES } from '../wire/limits.js';
import { isWatcher, type Watcher, type WatchOption } from './watcher.js';

/**
 * Znode data: bytes, or a string stored as its UTF-8 encoding. Bytes are sent as they are when the
 * request goes out (possibly after a reconnect): do not modify them until the call settles.
 */
export type Data = Uint8Array | string;

/** How `create` makes a node. */
export interface CreateOptions {
  /** The node type (CreateMode name or number); PERSISTENT by default. */
  readonly mode?: CreateModeName | CreateModeFlag;
  /** The TTL of the TTL modes, in milliseconds (required for them, refused for the others). */
  readonly ttlMs?: number;
  /** The node's ACL; OPEN_ACL_UNSAFE (anyone may do anything) by default. */
  readonly acl?: readonly Acl[];
}

const utf8 = new TextEncoder();

/** The bytes of `data` (a string UTF-8 encoded; nothing: empty). BADARGUMENTS for anything else. */
export function toBytes(data: Data | undefined, path: string): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  if (typeof data === 'string') return utf8.encode(data);
  if (data instanceof Uint8Array) return data;
  throw new KeeperError('BADARGUMENTS', 'data must be a Uint8Array or a string', path);
}

/** A CreateMode given by name or number, as its number. BADARGUMENTS for an unknown one. */
export function resolveCreateMode(mode: CreateModeName | CreateModeFlag | undefined, path: string): CreateModeFlag {
  if (mode === undefined) return CreateMode.PERSISTENT;
  if (typeof mode === 'string') {
    if (!Object.hasOwn(CreateMode, mode)) throw new KeeperError('BADARGUMENTS', `unknown create mode "${mode}"`, path);
    return CreateMode[mode];
  }
  return createModeFromFlag(mode);
}

/**
 * An ACL as the Java client checks it before sending: a non-empty list (INVALIDACL otherwise) of
 * entries with integer perms and string scheme and id, at most MAX_ACL_ENTRIES of them.
 */
export function checkAcl(acl: unknown, path: string): asserts acl is readonly Acl[] {
  if (!Array.isArray(acl)) throw new KeeperError('INVALIDACL', 'an ACL must be a list of entries', path);
  if (acl.length === 0) throw new KeeperError('INVALIDACL', 'an ACL must have at least one entry', path);
  if (acl.length > MAX_ACL_ENTRIES) {
    throw new KeeperError('INVALIDACL', `an ACL has at most ${MAX_ACL_ENTRIES} entries, not ${acl.length}`, path);
  }
  for (const entry of acl as unknown[]) {
    const candidate = entry as { perms?: unknown; id?: { scheme?: unknown; id?: unknown } } | null;
    if (
      candidate === null ||
      typeof candidate !== 'object' ||
      !Number.isInteger(candidate.perms) ||
      typeof candidate.id !== 'object' ||
      candidate.id === null ||
      typeof candidate.id.scheme !== 'string' ||
      typeof candidate.id.id !== 'string'
    ) {
      throw new KeeperError('INVALIDACL', 'an ACL entry is { perms: number, id: { scheme: string, id: string } }', path);
    }
  }
}

/** The create op the arguments describe (not yet validated against the wire's rules: validateWriteOp does). */
export function createOp(path: string, data: Data | undefined, options: CreateOptions): CreateOp {
  const acl = options.acl ?? OPEN_ACL_UNSAFE;
  checkAcl(acl, path);
  return {
    type: 'create',
    path,
    data: toBytes(data, path),
    acl,
    mode: resolveCreateMode(options.mode, path),
    ttlMs: options.ttlMs ?? 0,
  };
}

/** A path a read addresses: ZooKeeper's path rules and the wire's length limit. BADARGUMENTS otherwise. */
export function checkReadPath(path: unknown): asserts path is string {
  validatePath(path);
  validatePathLength(path);
}

/**
 * The watcher a read's `watch` option names: true the default watcher, a Watcher itself, false or
 * absent none. BADARGUMENTS for anything else.
 */
export function resolveWatch(watch: WatchOption | undefined, defaultWatcher: Watcher): Watcher | undefined {
  if (watch === undefined || watch === false) return undefined;
  if (watch === true) return defaultWatcher;
  if (isWatcher(watch)) return watch;
  throw new KeeperError('BADARGUMENTS', 'watch must be a boolean, a function or an object with process(event)');
}

/** An addWatch mode given by name or number, as its name. BADARGUMENTS for an unknown one. */
export function resolveAddWatchMode(mode: AddWatchModeName | number, path: string): AddWatchModeName {
  if (typeof mode === 'string' && Object.hasOwn(AddWatchMode, mode)) return mode;
  if (typeof mode === 'number') {
    const name = (Object.keys(AddWatchMode) as AddWatchModeName[]).find((n) => AddWatchMode[n] === mode);
    if (name !== undefined) return name;
  }
  throw new KeeperError('BADARGUMENTS', `unknown addWatch mode ${JSON.stringify(mode)}`, path);
}

/** A WatcherType given by name or number, as its name. BADARGUMENTS for an unknown one. */
export function resolveWatcherType(type: WatcherTypeName | number, path: string): WatcherTypeName {
  if (typeof type === 'string' && Object.hasOwn(WatcherType, type)) return type;
  if (typeof type === 'number') {
    const name = (Object.keys(WatcherType) as WatcherTypeName[]).find((n) => WatcherType[n] === type);
    if (name !== undefined) return name;
  }
  throw new KeeperError('BADARGUMENTS', `unknown watcher type ${JSON.stringify(type)}`, path);
}
