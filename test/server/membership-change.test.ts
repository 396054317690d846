import { describe, expect, it } from 'vitest';
import type { ConfChange } from '../../src/consensus/conf-change.js';
import { ErrorCode } from '../../src/errors/error-code.js';
import { CoreCluster } from './core-cluster.js';
import { setData, create } from './requests.js';

/**
 * Four voters; r4's client keeps writes in flight while the leader takes r4 out of the voters.
 * Returns the error codes of every write, in order.
 */
function writesAcross(change: ConfChange['type']): { codes: number[]; closed: boolean; conf: { voters: readonly string[]; learners: readonly string[] } } {
  const cluster = new CoreCluster({ voters: 4 });
  cluster.elect('r1');
  const client = cluster.session('r4');
  const made = client.send(create('/n'));
  cluster.settle();
  expect(client.reply(made)?.err).toBe(ErrorCode.OK);
  const xids: number[] = [];
  for (let round = 0; round < 40; round++) {
    xids.push(client.send(setData('/n', `v${round}`)));
    if (round === 5) {
      const result = cluster.core('r1').proposeConfChange({ type: change, replicaId: 'r4' });
      if (!result.ok) throw new Error(`${result.reason}: ${result.message}`);
    }
    cluster.step();
    cluster.tick(10);
  }
  cluster.tick(2_000);
  cluster.settle();
  const status = cluster.core('r1').status();
  return { codes: xids.map((xid) => client.reply(xid)?.err ?? -1), closed: client.closed, conf: { voters: status.voters, learners: status.learners } };
}

describe('membership changes under a replica with clients', () => {
  it("a voter demoted to observer keeps its clients' connections: every write in flight across the change succeeds", () => {
    const { codes, closed, conf } = writesAcross('demote-voter');
    expect(conf).toEqual({ voters: ['r1', 'r2', 'r3'], learners: ['r4'] });
    expect(codes.filter((code) => code !== ErrorCode.OK)).toEqual([]);
    expect(closed).toBe(false);
  });

  it('a removed voter drops out of the log, so its clients lose their connection (why the ensemble manager demotes instead)', () => {
    const { codes, closed, conf } = writesAcross('remove-node');
    expect(conf).toEqual({ voters: ['r1', 'r2', 'r3'], learners: [] });
    expect(codes).toContain(ErrorCode.CONNECTIONLOSS);
    expect(closed).toBe(true);
  });
});
