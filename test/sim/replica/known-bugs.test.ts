import { describe, expect, it } from 'vitest';
import { CoreCluster } from '../../server/core-cluster.js';

/**
 * Bugs the replica scenario found in src/server, each cut down to a minimal trace. Each test states
 * the correct behaviour and is marked `it.fails` while the bug stands: when one starts passing,
 * vitest reports it; then drop the `.fails` and the scenario's workaround (settings.ts).
 */
describe('known request-path bugs (minimal reproductions)', () => {
  it.fails('a replica that has not applied a session\'s creation yet does not tell the client its session expired (replica scenario with flagExpiryByLaggingReplica: seeds 112, 119, 143, 150)', () => {
    const cluster = new CoreCluster({ voters: 3 });
    cluster.elect('r1');
    // r3 is cut off: it will not hear of the new session.
    cluster.partition([['r1', 'r2'], ['r3']]);
    const first = cluster.session('r1');
    expect(first.connectResponse?.timeoutMs).toBeGreaterThan(0);
    // The client's connection breaks before any reply: it has seen no zxid of its session. It
    // resumes at r3 (healed, but not caught up yet), as ZooKeeper's client would, with lastZxidSeen 0.
    cluster.heal();
    const resumed = cluster.connect('r3', { sessionId: first.sessionId, password: first.password, lastZxidSeen: 0n });
    cluster.settle();
    cluster.tick(200);
    // The session lives (r1 still has it)...
    expect(cluster.core('r1').status().sessionCount).toBe(1);
    // ...but today r3 answers at once "expired" (timeout 0): connect-manager.ts progress() takes a
    // session it does not know for a closed one. ZooKeeper's follower asks the leader (revalidate).
    expect(resumed.connectResponse?.timeoutMs).toBeGreaterThan(0);
  });
});
