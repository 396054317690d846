import { describe, expect, it } from 'vitest';
import { childPath, isAtOrBelow, isReservedPath, nameOf, parentOf, validatePath, validateWritePath } from '../../src/tree/path.js';
import { isKeeperError } from '../../src/errors/keeper-error.js';

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return isKeeperError(error) ? error.codeName : `not a KeeperError: ${String(error)}`;
  }
}

describe('path validation (ZooKeeper PathUtils rules)', () => {
  it('accepts absolute paths and the root', () => {
    for (const path of ['/', '/a', '/a/b', '/a-b_c.d', '/...', '/a.', '/é/ü', '/zookeeper']) {
      expect(codeOf(() => validatePath(path)), path).toBeUndefined();
    }
  });

  it('a bad path is BADARGUMENTS: relative, empty, trailing slash, empty segment, . and ..', () => {
    for (const path of ['', 'a', 'a/b', '/a/', '//', '/a//b', '/.', '/..', '/a/./b', '/a/../b', '/a/.']) {
      expect(codeOf(() => validatePath(path)), JSON.stringify(path)).toBe('BADARGUMENTS');
    }
  });

  it('rejects NUL and control characters, and non-strings', () => {
    for (const path of ['/a\u0000b', '/a\u0001', '/a\u001f', '/a\u007f', '/a\u0085', '/a\ud800', '/a\ufff0']) {
      expect(codeOf(() => validatePath(path)), JSON.stringify(path)).toBe('BADARGUMENTS');
    }
    expect(codeOf(() => validatePath(42))).toBe('BADARGUMENTS');
  });

  it('a sequential create may end in / (the counter is appended)', () => {
    expect(codeOf(() => validatePath('/a/', true))).toBeUndefined();
    expect(codeOf(() => validatePath('/', true))).toBeUndefined();
    expect(codeOf(() => validatePath('/a//', true))).toBe('BADARGUMENTS');
  });

  it('/zookeeper is reserved for writes', () => {
    expect(isReservedPath('/zookeeper')).toBe(true);
    expect(isReservedPath('/zookeeper/quota')).toBe(true);
    expect(isReservedPath('/zookeeperx')).toBe(false);
    expect(codeOf(() => validateWritePath('/zookeeper/x'))).toBe('BADARGUMENTS');
    expect(codeOf(() => validateWritePath('/zookeeperx'))).toBeUndefined();
  });

  it('parent, name and join are inverse', () => {
    expect(parentOf('/a')).toBe('/');
    expect(parentOf('/a/b/c')).toBe('/a/b');
    expect(nameOf('/a/b/c')).toBe('c');
    expect(childPath('/', 'a')).toBe('/a');
    expect(childPath('/a', 'b')).toBe('/a/b');
    expect(isAtOrBelow('/a/b', '/a')).toBe(true);
    expect(isAtOrBelow('/ab', '/a')).toBe(false);
    expect(isAtOrBelow('/x', '/')).toBe(true);
  });
});
