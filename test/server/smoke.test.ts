import { describe, expect, it } from 'vitest';
import { OPEN_ACL_UNSAFE } from '../../src/tree/acl.js';
import { CoreCluster } from './core-cluster.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('smoke', () => {
  it('elects, creates and reads', () => {
    const cluster = new CoreCluster({ voters: 3 });
    cluster.elect('r1');
    expect(cluster.leader()).toBe('r1');
    const client = cluster.session('r2');
    expect(client.sessionId).not.toBe(0n);
    const x1 = client.send({ type: 'create', path: '/a', data: bytes('hi'), acl: OPEN_ACL_UNSAFE, mode: 0, ttlMs: 0 });
    const x2 = client.send({ type: 'getData', path: '/a', watch: false });
    cluster.settle();
    console.log(client.trace(), client.replies());
    expect(client.reply(x1)?.err).toBe(0);
    expect(client.reply(x2)?.err).toBe(0);
  });
});
