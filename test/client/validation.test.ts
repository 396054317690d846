import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeshKeeperClient } from '../../src/client/client.js';
import { Op } from '../../src/client/multi.js';
import { KeeperError } from '../../src/errors/keeper-error.js';
import { MAX_DATA_BYTES } from '../../src/tree/stat.js';
import { connectTo, rejection } from './helpers.js';
import { TreeEnsemble } from './tree-replica.js';

let ensemble: TreeEnsemble;
let zk: MeshKeeperClient;

beforeAll(async () => {
  ensemble = new TreeEnsemble();
  zk = await connectTo(ensemble);
});

afterAll(async () => {
  await zk.close();
});

/** Runs a call that must fail before anything is sent; returns its error. */
async function refusedLocally(call: () => Promise<unknown>, codeName: 'BADARGUMENTS' | 'INVALIDACL' = 'BADARGUMENTS'): Promise<KeeperError> {
  const sentBefore = ensemble.requests.length;
  const error = await rejection(call(), codeName);
  expect(ensemble.requests.length).toBe(sentBefore);
  return error;
}

const BAD_PATHS = ['', 'a', '/a/', '/a//b', '/a/./b', '/a/..', '/a\u0000b', '/a\u0001'];

describe('paths are validated before sending (BADARGUMENTS)', () => {
  it('every call refuses a malformed path, naming the problem', async () => {
    for (const path of BAD_PATHS) {
      const calls: (() => Promise<unknown>)[] = [
        () => zk.create(path),
        () => zk.createWithStat(path),
        () => zk.delete(path),
        () => zk.exists(path),
        () => zk.getData(path),
        () => zk.setData(path, 'x'),
        () => zk.getChildren(path),
        () => zk.getAllChildrenNumber(path),
        () => zk.getEphemerals(path),
        () => zk.getACL(path),
        () => zk.setACL(path, [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }]),
        () => zk.sync(path),
        () => zk.addWatch(path, 'PERSISTENT', () => {}),
        () => zk.removeAllWatches(path, 'Any'),
        () => zk.multi([Op.create(path)]),
        () => zk.multiRead([Op.getData(path)]),
      ];
      for (const call of calls) {
        const error = await refusedLocally(call);
        expect(error.message).toMatch(/path/);
      }
    }
  });

  it('a sequential create may end in "/", a plain one may not', async () => {
    expect(await zk.create('/seq/', undefined, { mode: 'PERSISTENT_SEQUENTIAL' }).catch((e: KeeperError) => e.codeName)).toBe('NONODE');
    await refusedLocally(() => zk.create('/seq/'));
  });

  it('writes under /zookeeper are refused; reads there are allowed', async () => {
    await refusedLocally(() => zk.create('/zookeeper/mine'));
    await refusedLocally(() => zk.setData('/zookeeper/config', 'x'));
    expect(await zk.exists('/zookeeper')).not.toBeNull();
  });

  it('a path longer than 4096 UTF-8 bytes is refused', async () => {
    await refusedLocally(() => zk.getData(`/${'é'.repeat(2100)}`));
  });
});

describe('data is checked before sending', () => {
  it('data over 1,048,575 bytes is BADARGUMENTS with the sizes in the message', async () => {
    const big = new Uint8Array(MAX_DATA_BYTES + 1);
    const error = await refusedLocally(() => zk.create('/big', big));
    expect(error.message).toContain('1,048,576');
    expect(error.message).toContain('1,048,575');
    await refusedLocally(() => zk.setData('/', big));
    await refusedLocally(() => zk.multi([Op.create('/a', big.subarray(0, 600_000)), Op.create('/b', big.subarray(0, 600_000))]));
  });

  it('exactly 1,048,575 bytes is accepted', async () => {
    const { stat } = await zk.createWithStat('/max', new Uint8Array(MAX_DATA_BYTES));
    expect(stat.dataLength).toBe(MAX_DATA_BYTES);
  });

  it('data that is neither bytes nor a string is refused', async () => {
    await refusedLocally(() => zk.create('/n', 42 as unknown as string));
  });
});

describe('other arguments are checked before sending', () => {
  it('versions must be 32-bit integers', async () => {
    await refusedLocally(() => zk.delete('/x', 1.5));
    await refusedLocally(() => zk.setData('/x', 'y', 2 ** 31));
  });

  it('create modes and TTLs follow ZooKeeper', async () => {
    await expect(async () => zk.create('/m', '', { mode: 'SOMETIMES' as 'PERSISTENT' })).rejects.toThrow(/unknown create mode/);
    await refusedLocally(() => zk.create('/m', '', { mode: 'PERSISTENT_WITH_TTL' }));
    await refusedLocally(() => zk.create('/m', '', { mode: 'PERSISTENT', ttlMs: 100 }));
    await refusedLocally(() => zk.create('/m', '', { mode: 9 as 0 }));
  });

  it('an empty ACL is INVALIDACL, as the Java client checks', async () => {
    await refusedLocally(() => zk.create('/acl', '', { acl: [] }), 'INVALIDACL');
    await refusedLocally(() => zk.setACL('/', []), 'INVALIDACL');
    await refusedLocally(() => zk.create('/acl', '', { acl: [{ perms: 'all' } as never] }), 'INVALIDACL');
  });

  it('watch options, watcher types and addWatch modes must be known', async () => {
    await refusedLocally(() => zk.getData('/', { watch: 'yes' as unknown as boolean }));
    await refusedLocally(() => zk.addWatch('/', 'SOMETIMES' as 'PERSISTENT'));
    await refusedLocally(() => zk.removeWatches('/', null, 'Everything' as 'Any'));
  });

  it('multi takes only write ops and multiRead only reads', async () => {
    await refusedLocally(() => zk.multi([Op.getData('/') as never]));
    await refusedLocally(() => zk.multiRead([Op.delete('/x') as never]));
  });

  it('addAuthInfo needs a scheme and a bounded credential', async () => {
    await refusedLocally(() => zk.addAuthInfo('', 'x'));
    await refusedLocally(() => zk.addAuthInfo('digest', new Uint8Array(5000)));
  });

  it('client options are checked by the constructor', () => {
    expect(() => new MeshKeeperClient({ endpoints: [] })).toThrow(/endpoints/);
    expect(() => new MeshKeeperClient({ endpoints: ensemble.endpoints(), sessionTimeoutMs: -1 })).toThrow(/sessionTimeoutMs/);
    expect(() => new MeshKeeperClient({ endpoints: ensemble.endpoints(), sessionPassword: new Uint8Array(65) })).toThrow(/sessionPassword/);
  });
});
