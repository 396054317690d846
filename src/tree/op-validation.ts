import { KeeperError } from '../errors/keeper-error.js';
import { TTL_MAX_MS, createModeFromFlag, isSequential, isTtl, type CreateModeFlag } from './create-mode.js';
import type { CreateOp, WriteOp } from './op.js';
import { validatePath, validateWritePath } from './path.js';
import { MAX_DATA_BYTES } from './stat.js';
import { MAX_ACL_ENTRIES, MAX_ACL_ID_BYTES, MAX_MULTI_OPS, MAX_PATH_BYTES } from '../wire/limits.js';

// The path, ACL and multi limits are the wire format's (src/wire/limits.ts): a znode the wire
// could not encode in a snapshot or a txn is refused at the door.
export { MAX_ACL_ENTRIES, MAX_ACL_ID_BYTES, MAX_MULTI_OPS, MAX_PATH_BYTES };

/** How many bytes `text` takes in UTF-8 (lone surrogates count 3, as TextEncoder writes U+FFFD). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** BADARGUMENTS when a (valid) path is longer than MAX_PATH_BYTES in UTF-8. */
export function validatePathLength(path: string): void {
  if (path.length * 3 <= MAX_PATH_BYTES) return;
  const bytes = utf8Length(path);
  if (bytes > MAX_PATH_BYTES) {
    throw new KeeperError('BADARGUMENTS', `path is ${bytes} bytes in UTF-8; a path holds at most ${MAX_PATH_BYTES}`, path);
  }
}

const BYTES = new Intl.NumberFormat('en-US');

/** BADARGUMENTS unless `data` is a byte array of at most MAX_DATA_BYTES. */
export function validateData(data: unknown, path: string): asserts data is Uint8Array {
  if (!(data instanceof Uint8Array)) throw new KeeperError('BADARGUMENTS', 'data must be a Uint8Array', path);
  if (data.length > MAX_DATA_BYTES) {
    throw new KeeperError(
      'BADARGUMENTS',
      `data is ${BYTES.format(data.length)} bytes; a znode holds at most ${BYTES.format(MAX_DATA_BYTES)} bytes`,
      path,
    );
  }
}

/** BADARGUMENTS unless `version` is a 32-bit integer (-1 means any version). */
export function validateVersion(version: unknown, path: string): asserts version is number {
  if (typeof version !== 'number' || !Number.isInteger(version) || version < -0x80000000 || version > 0x7fffffff) {
    throw new KeeperError('BADARGUMENTS', `version must be a 32-bit integer, not ${String(version)}`, path);
  }
}

/**
 * The create mode, and ZooKeeper's EphemeralType.validateTTL: the TTL modes need 0 < ttlMs <= TTL_MAX_MS;
 * every other mode takes no TTL (ttlMs 0). BADARGUMENTS otherwise.
 */
export function validateModeAndTtl(mode: unknown, ttlMs: unknown, path: string): CreateModeFlag {
  const flag = createModeFromFlag(typeof mode === 'number' ? mode : Number.NaN);
  if (isTtl(flag)) {
    if (typeof ttlMs !== 'number' || !Number.isInteger(ttlMs) || ttlMs <= 0 || ttlMs > TTL_MAX_MS) {
      throw new KeeperError('BADARGUMENTS', `a TTL must be an integer in 1..${TTL_MAX_MS} ms, not ${String(ttlMs)}`, path);
    }
  } else if (ttlMs !== 0) {
    throw new KeeperError('BADARGUMENTS', `a TTL is only valid for the TTL modes, not for mode ${flag}`, path);
  }
  return flag;
}

/** The checks of a create that need no tree: mode and TTL, the path, the data. Returns the mode. */
export function validateCreateOp(op: CreateOp): CreateModeFlag {
  const mode = validateModeAndTtl(op.mode, op.ttlMs, String(op.path));
  validateWritePath(op.path, isSequential(mode));
  validatePathLength(op.path);
  validateData(op.data, op.path);
  return mode;
}

/**
 * Everything about a write op that can be checked without the tree, as the Java client checks a
 * request before sending it: paths (and '/zookeeper' is not writable), data size, versions, modes
 * and TTLs, multi size. Throws KeeperError BADARGUMENTS with a message naming the problem.
 * prep makes the same checks (and gives the same codes); call this to fail early with the message.
 */
export function validateWriteOp(op: WriteOp): void {
  switch (op.type) {
    case 'create':
      validateCreateOp(op);
      return;
    case 'delete':
      validateWritePath(op.path);
      validatePathLength(op.path);
      validateVersion(op.version, op.path);
      return;
    case 'setData':
      validateWritePath(op.path);
      validatePathLength(op.path);
      validateData(op.data, op.path);
      validateVersion(op.version, op.path);
      return;
    case 'setACL':
      validateWritePath(op.path);
      validatePathLength(op.path);
      validateVersion(op.version, op.path);
      return;
    case 'check':
      validatePath(op.path);
      validatePathLength(op.path);
      validateVersion(op.version, op.path);
      return;
    case 'multi':
      validateMultiShape(op.ops);
      for (const sub of op.ops) validateWriteOp(sub);
      return;
    default:
      throw new KeeperError('BADARGUMENTS', `unknown write op ${JSON.stringify((op as { type?: unknown }).type)}`);
  }
}

/** A multi holds at most MAX_MULTI_OPS ops and, together, at most MAX_DATA_BYTES of data. */
export function validateMultiShape(ops: unknown): void {
  if (!Array.isArray(ops)) throw new KeeperError('BADARGUMENTS', 'multi ops must be a list');
  if (ops.length > MAX_MULTI_OPS) {
    throw new KeeperError('BADARGUMENTS', `a multi holds at most ${MAX_MULTI_OPS} ops, not ${ops.length}`);
  }
  let total = 0;
  for (const sub of ops as { data?: unknown }[]) if (sub.data instanceof Uint8Array) total += sub.data.length;
  if (total > MAX_DATA_BYTES) {
    throw new KeeperError(
      'BADARGUMENTS',
      `a multi carries ${BYTES.format(total)} bytes of data; a request holds at most ${BYTES.format(MAX_DATA_BYTES)}`,
    );
  }
}
