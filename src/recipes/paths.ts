import { KeeperError } from '../errors/keeper-error.js';
import { validatePath } from '../tree/path.js';

/** `parent/name` ('/' as parent gives '/name'). */
export function joinPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

/** The last segment of a path ('' for '/'). */
export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The parent of a path ('/' for a top-level node). */
export function parentOf(path: string): string {
  const index = path.lastIndexOf('/');
  return index <= 0 ? '/' : path.slice(0, index);
}

/** Checks a recipe's base path: a valid znode path, not the root (BADARGUMENTS otherwise). */
export function checkRecipePath(path: unknown, what: string): string {
  if (typeof path !== 'string') throw new KeeperError('BADARGUMENTS', `${what}: the path must be a string`);
  validatePath(path);
  if (path === '/') throw new KeeperError('BADARGUMENTS', `${what}: the path must not be the root`);
  return path;
}

/** Checks a znode name (one path segment) a recipe is given (BADARGUMENTS otherwise). */
export function checkNodeName(name: unknown, what: string): string {
  if (typeof name !== 'string' || name.length === 0 || name.includes('/') || name === '.' || name === '..') {
    throw new KeeperError('BADARGUMENTS', `${what} must be a non-empty name without '/', not ${JSON.stringify(name)}`);
  }
  validatePath(`/${name}`);
  return name;
}

const SEQUENCE = /(\d{10})$/;

/** The sequence number a sequential node's name ends with, or undefined when it has none. */
export function sequenceOf(name: string): number | undefined {
  const match = SEQUENCE.exec(name);
  return match === null ? undefined : Number(match[1]);
}

/**
 * The names that end with a sequence number and contain `marker`, in sequence order (the creation
 * order: the suffix is the parent's counter, whatever protection prefix comes before it).
 */
export function sortBySequence(names: readonly string[], marker = ''): string[] {
  const numbered: { name: string; sequence: number }[] = [];
  for (const name of names) {
    const sequence = sequenceOf(name);
    if (sequence !== undefined && name.includes(marker)) numbered.push({ name, sequence });
  }
  numbered.sort((a, b) => a.sequence - b.sequence);
  return numbered.map((entry) => entry.name);
}
