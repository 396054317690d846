import { describe, expect, it } from 'vitest';
import { MeshKeeperClient } from '../../src/client/client.js';
import { TreeEnsemble } from './tree-replica.js';

describe('smoke', () => {
  it('connects, creates, reads', async () => {
    const ensemble = new TreeEnsemble();
    const zk = await MeshKeeperClient.connect({ endpoints: ensemble.endpoints() });
    expect(zk.state).toBe('CONNECTED');
    expect(await zk.create('/a', 'hello')).toBe('/a');
    const { data } = await zk.getData('/a');
    expect(new TextDecoder().decode(data)).toBe('hello');
    await zk.close();
    expect(zk.state).toBe('CLOSED');
  });
});
