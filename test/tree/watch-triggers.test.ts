import { describe, expect, it } from 'vitest';
import { Leader, createOp, utf8 } from './leader-harness.js';
import { CreateMode } from '../../src/tree/create-mode.js';
import { OPEN_ACL_UNSAFE } from '../../src/tree/acl.js';

describe('watch triggers reported by apply', () => {
  it('setData with identical data still fires NodeDataChanged', () => {
    const l = new Leader();
    l.run(createOp('/a', { data: 'same' }));
    expect(l.run({ type: 'setData', path: '/a', data: utf8('same'), version: -1 }).triggers).toEqual([
      { path: '/a', type: 'NodeDataChanged' },
    ]);
  });

  it('a sequential create fires NodeCreated on the actual (suffixed) path', () => {
    const l = new Leader();
    l.run(createOp('/q'));
    expect(l.run(createOp('/q/n-', { mode: CreateMode.PERSISTENT_SEQUENTIAL })).triggers).toEqual([
      { path: '/q/n-0000000000', type: 'NodeCreated' },
      { path: '/q', type: 'NodeChildrenChanged' },
    ]);
  });

  it('a child of the root reports NodeChildrenChanged on /', () => {
    const l = new Leader();
    expect(l.run(createOp('/top')).triggers[1]).toEqual({ path: '/', type: 'NodeChildrenChanged' });
  });

  it('setACL, check, createSession and failed writes fire nothing', () => {
    const l = new Leader();
    l.run(createOp('/a'));
    expect(l.run({ type: 'setACL', path: '/a', acl: OPEN_ACL_UNSAFE, version: -1 }).triggers).toEqual([]);
    expect(l.run({ type: 'check', path: '/a', version: 0 }).triggers).toEqual([]);
    expect(l.run(createOp('/a')).triggers).toEqual([]);
    expect(l.run({ type: 'delete', path: '/nope', version: -1 }).triggers).toEqual([]);
  });

  it('deleteContainer fires NodeDeleted on the container and NodeChildrenChanged on its parent', () => {
    const l = new Leader();
    l.run(createOp('/p'));
    l.run(createOp('/p/c', { mode: CreateMode.CONTAINER }));
    l.run(createOp('/p/c/x'));
    l.run({ type: 'delete', path: '/p/c/x', version: -1 });
    l.prepDeleteContainer('/p/c');
    expect(l.commit()[0]?.triggers).toEqual([
      { path: '/p/c', type: 'NodeDeleted' },
      { path: '/p', type: 'NodeChildrenChanged' },
    ]);
  });

  it('closing a session with no ephemerals fires nothing', () => {
    const l = new Leader();
    l.prepClose(77n);
    expect(l.commit()[0]).toEqual({ result: { type: 'closeSession' }, triggers: [] });
  });
});
