import { parentOf } from '../tree/path.js';

/**
 * The path, then its parent, grandparent, ..., '/' (ZooKeeper's `PathParentIterator.forAll`).
 * `path` must be a valid znode path.
 */
export function* pathAndAncestors(path: string): Generator<string, void, undefined> {
  let current = path;
  yield current;
  while (current !== '/') {
    current = parentOf(current);
    yield current;
  }
}
