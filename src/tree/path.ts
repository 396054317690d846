import { KeeperError } from '../errors/keeper-error.js';

/** ZooKeeper's own subtree: readable, never writable by clients. */
export const RESERVED_ROOT = '/zookeeper';

function invalidCharacterAt(path: string): number {
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (
      c === 0 ||
      (c > 0x00 && c <= 0x1f) ||
      (c >= 0x7f && c <= 0x9f) ||
      (c >= 0xd800 && c <= 0xf8ff) ||
      (c >= 0xfff0 && c <= 0xffff)
    ) {
      return i;
    }
  }
  return -1;
}

function describeProblem(path: string): string | undefined {
  if (path.length === 0) return 'path length must be > 0';
  if (path.charCodeAt(0) !== 0x2f) return 'path must start with / character';
  if (path.length === 1) return undefined;
  if (path.endsWith('/')) return 'path must not end with / character';
  const bad = invalidCharacterAt(path);
  if (bad >= 0) return `invalid character @${bad}`;
  const segments = path.split('/');
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i];
    if (segment === '') return `empty node name specified @${path.indexOf('//')}`;
    if (segment === '.' || segment === '..') return `relative paths not allowed @${path.indexOf(`/${segment}`) + 1}`;
  }
  return undefined;
}

/**
 * Validates a znode path with ZooKeeper's rules (`PathUtils.validatePath`). A sequential create may end
 * in '/' because the server appends the counter ("/a/" gives "/a/0000000004").
 * Throws KeeperError BADARGUMENTS naming the problem.
 */
export function validatePath(path: unknown, isSequential = false): asserts path is string {
  if (typeof path !== 'string') throw new KeeperError('BADARGUMENTS', 'path must be a string');
  const checked = isSequential ? `${path}1` : path;
  const problem = describeProblem(checked);
  if (problem !== undefined) throw new KeeperError('BADARGUMENTS', `invalid path: ${problem}`, path);
}

/** True when `path` is '/zookeeper' or inside it: clients may read there but never write. */
export function isReservedPath(path: string): boolean {
  return path === RESERVED_ROOT || path.startsWith(`${RESERVED_ROOT}/`);
}

/** Validates a path a client wants to write: ZooKeeper's rules plus the reserved subtree. */
export function validateWritePath(path: unknown, isSequential = false): asserts path is string {
  validatePath(path, isSequential);
  if (isReservedPath(path)) {
    throw new KeeperError('BADARGUMENTS', `${RESERVED_ROOT} is reserved for the ensemble`, path);
  }
}

/** The parent of a valid, non-root path: parentOf('/a/b') === '/a', parentOf('/a') === '/'. */
export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

/** The last segment of a valid, non-root path: nameOf('/a/b') === 'b'. */
export function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Joins a parent path and a child name. */
export function childPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

/** True when `path` is `ancestor` or below it. */
export function isAtOrBelow(path: string, ancestor: string): boolean {
  if (ancestor === '/') return true;
  return path === ancestor || path.startsWith(`${ancestor}/`);
}
