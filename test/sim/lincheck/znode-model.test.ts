import { describe, expect, it } from 'vitest';
import { checkHistory } from './check.js';
import type { Operation } from './history.js';
import { createZnodeModel, type ZnodeInput, type ZnodeOutput } from './znode-model.js';

type ZnodeOperation = Operation<ZnodeInput, ZnodeOutput>;

function op(clientId: number, input: ZnodeInput, output: ZnodeOutput | undefined, callTime: number, returnTime?: number): ZnodeOperation {
  return output === undefined || returnTime === undefined ? { clientId, input, callTime } : { clientId, input, output, callTime, returnTime };
}
const create = (path: string, data: string): ZnodeInput => ({ kind: 'create', path, data });
const setData = (path: string, data: string, version: number): ZnodeInput => ({ kind: 'setData', path, data, version });
const remove = (path: string, version: number): ZnodeInput => ({ kind: 'delete', path, version });
const getData = (path: string): ZnodeInput => ({ kind: 'getData', path });
const syncGetData = (path: string): ZnodeInput => ({ kind: 'syncGetData', path });
const created: ZnodeOutput = { kind: 'created' };
const deleted: ZnodeOutput = { kind: 'deleted' };
const set = (version: number): ZnodeOutput => ({ kind: 'set', version });
const data = (value: string, version: number): ZnodeOutput => ({ kind: 'data', data: value, version });
const error = (code: 'NONODE' | 'NODEEXISTS' | 'BADVERSION' | 'NOTEMPTY'): ZnodeOutput => ({ kind: 'error', code });

const model = createZnodeModel();
const verdictOf = (history: ZnodeOperation[]) => checkHistory(model, history).verdict;

describe('znode model: create, setData, delete follow ZooKeeper', () => {
  it('create then create again answers NODEEXISTS', () => {
    expect(verdictOf([op(1, create('/a', 'x'), created, 0, 1), op(2, create('/a', 'y'), error('NODEEXISTS'), 2, 3)])).toBe('ok');
    expect(verdictOf([op(1, create('/a', 'x'), created, 0, 1), op(2, create('/a', 'y'), created, 2, 3)])).toBe('illegal');
  });

  it('of two concurrent creates exactly one succeeds', () => {
    expect(verdictOf([op(1, create('/a', 'x'), created, 0, 5), op(2, create('/a', 'y'), error('NODEEXISTS'), 0, 5)])).toBe('ok');
    expect(verdictOf([op(1, create('/a', 'x'), created, 0, 5), op(2, create('/a', 'y'), created, 0, 5)])).toBe('illegal');
  });

  it('a created node has version 0 and each setData adds one', () => {
    const history = [
      op(1, create('/a', 'x'), created, 0, 1),
      op(1, syncGetData('/a'), data('x', 0), 2, 3),
      op(1, setData('/a', 'y', 0), set(1), 4, 5),
      op(1, setData('/a', 'z', -1), set(2), 6, 7),
      op(2, syncGetData('/a'), data('z', 2), 8, 9),
    ];
    expect(verdictOf(history)).toBe('ok');
    expect(verdictOf([op(1, create('/a', 'x'), created, 0, 1), op(1, setData('/a', 'y', 0), set(2), 4, 5)])).toBe('illegal');
  });

  it('setData with a stale expected version answers BADVERSION; on a missing node NONODE', () => {
    const history = [
      op(1, create('/a', 'x'), created, 0, 1),
      op(1, setData('/a', 'y', 0), set(1), 2, 3),
      op(2, setData('/a', 'z', 0), error('BADVERSION'), 4, 5),
      op(2, setData('/b', 'z', -1), error('NONODE'), 4, 5),
    ];
    expect(verdictOf(history)).toBe('ok');
    expect(verdictOf([op(1, create('/a', 'x'), created, 0, 1), op(2, setData('/a', 'z', 0), error('BADVERSION'), 4, 5)])).toBe('illegal');
  });

  it('a lost update: two setData expecting the same version both succeed', () => {
    const history = [op(1, create('/a', 'x'), created, 0, 1), op(1, setData('/a', 'y', 0), set(1), 2, 5), op(2, setData('/a', 'z', 0), set(1), 2, 5)];
    expect(verdictOf(history)).toBe('illegal');
  });

  it('delete checks the version; a recreated node starts again at version 0', () => {
    const history = [
      op(1, create('/a', 'x'), created, 0, 1),
      op(1, setData('/a', 'y', 0), set(1), 2, 3),
      op(2, remove('/a', 0), error('BADVERSION'), 4, 5),
      op(2, remove('/a', 1), deleted, 6, 7),
      op(2, remove('/a', -1), error('NONODE'), 8, 9),
      op(1, syncGetData('/a'), error('NONODE'), 10, 11),
      op(1, create('/a', 'w'), created, 12, 13),
      op(1, syncGetData('/a'), data('w', 0), 14, 15),
    ];
    expect(verdictOf(history)).toBe('ok');
  });

  it('errors only a parent can cause are accepted without effect, but only when the node state allows them', () => {
    expect(verdictOf([op(1, create('/a/b', 'x'), error('NONODE'), 0, 1), op(1, syncGetData('/a/b'), error('NONODE'), 2, 3)])).toBe('ok');
    expect(verdictOf([op(1, create('/a', 'x'), created, 0, 1), op(1, remove('/a', -1), error('NOTEMPTY'), 2, 3)])).toBe('ok');
    expect(verdictOf([op(1, create('/a', 'x'), created, 0, 1), op(1, create('/a', 'x'), error('NONODE'), 2, 3)])).toBe('illegal');
    expect(verdictOf([op(1, remove('/a', -1), error('NOTEMPTY'), 2, 3)])).toBe('illegal');
  });

  it('a pending create may or may not have taken effect', () => {
    expect(verdictOf([op(1, create('/a', 'x'), undefined, 0), op(2, syncGetData('/a'), data('x', 0), 5, 6)])).toBe('ok');
    expect(verdictOf([op(1, create('/a', 'x'), undefined, 0), op(2, syncGetData('/a'), error('NONODE'), 5, 6)])).toBe('ok');
    const observedThenNot = [
      op(1, create('/a', 'x'), undefined, 0),
      op(2, syncGetData('/a'), data('x', 0), 5, 6),
      op(2, syncGetData('/a'), error('NONODE'), 7, 8),
    ];
    expect(verdictOf(observedThenNot)).toBe('illegal');
  });
});

describe('znode model: sync-then-read is linearizable', () => {
  it('sees every write completed before its call', () => {
    const history = [op(1, create('/a', 'x'), created, 0, 1), op(1, setData('/a', 'y', -1), set(1), 2, 3), op(2, syncGetData('/a'), data('x', 0), 4, 5)];
    expect(verdictOf(history)).toBe('illegal');
  });

  it('may see a write that overlaps it', () => {
    const history = [op(1, create('/a', 'x'), created, 0, 1), op(1, setData('/a', 'y', -1), set(1), 2, 10), op(2, syncGetData('/a'), data('x', 0), 4, 5)];
    expect(verdictOf(history)).toBe('ok');
  });
});

describe('znode model: plain getData may be stale but never goes back for one client', () => {
  const base = [op(1, create('/a', 'x'), created, 0, 1), op(1, setData('/a', 'y', -1), set(1), 2, 3)];

  it('another client may read a value overwritten before its call', () => {
    expect(verdictOf([...base, op(2, getData('/a'), data('x', 0), 4, 5)])).toBe('ok');
    expect(verdictOf([...base, op(2, getData('/a'), error('NONODE'), 4, 5)])).toBe('ok');
  });

  it('a value never written is rejected', () => {
    expect(verdictOf([...base, op(2, getData('/a'), data('y', 0), 4, 5)])).toBe('illegal');
  });

  it('a value from the future is rejected', () => {
    expect(verdictOf([op(2, getData('/a'), data('x', 0), 0, 1), op(1, create('/a', 'x'), created, 2, 3)])).toBe('illegal');
  });

  it('one client never reads back in time', () => {
    expect(verdictOf([...base, op(2, getData('/a'), data('y', 1), 4, 5), op(2, getData('/a'), data('x', 0), 6, 7)])).toBe('illegal');
    expect(verdictOf([...base, op(2, getData('/a'), data('x', 0), 4, 5), op(2, getData('/a'), data('y', 1), 6, 7)])).toBe('ok');
  });

  it('a client reads its own writes', () => {
    expect(verdictOf([...base, op(1, getData('/a'), data('x', 0), 4, 5)])).toBe('illegal');
  });

  it('a client that synced reads nothing older than what the sync saw', () => {
    expect(verdictOf([...base, op(2, syncGetData('/a'), data('y', 1), 4, 5), op(2, getData('/a'), data('x', 0), 6, 7)])).toBe('illegal');
  });

  it('with staleReads off, plain reads are checked as linearizable', () => {
    const strict = createZnodeModel({ staleReads: false });
    expect(checkHistory(strict, [...base, op(2, getData('/a'), data('x', 0), 4, 5)]).verdict).toBe('illegal');
    expect(checkHistory(strict, [...base, op(2, getData('/a'), data('y', 1), 4, 5)]).verdict).toBe('ok');
  });
});

describe('znode model: explanations', () => {
  it('names the path, the prefix and the state', () => {
    const result = checkHistory(model, [op(1, create('/a', 'x'), created, 0, 1), op(2, create('/a', 'y'), created, 2, 3)]);
    expect(result.explanation).toContain('partition /a');
    expect(result.explanation).toContain('1. client 1: create(/a, "x") -> created [0 .. 1]');
    expect(result.explanation).toContain('state after it: "x" version 0');
    expect(result.explanation).toContain('client 2: create(/a, "y") -> created [2 .. 3]  <- the model rejects it in this state');
  });
});
