import { afterEach, describe, expect, it } from 'vitest';
import { PresenceExchange } from '../../src/mesh/presence-exchange.js';
import { MeshFrameKind, encodeMeshFrame } from '../../src/mesh/mesh-frames.js';
import { LinkHub } from '../../src/transport/link-hub.js';
import { createMemoryLinkPair } from '../../src/transport/memory-link.js';

const exchanges: PresenceExchange[] = [];
afterEach(() => {
  for (const exchange of exchanges.splice(0)) exchange.stop();
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

function replica(id: string): { hub: LinkHub; exchange: PresenceExchange } {
  const hub = new LinkHub({ self: id });
  const exchange = new PresenceExchange(hub, { replicaId: id, deviceId: `dev-${id}`, role: 'joining', term: 0, appliedZxid: '0', leaderId: null });
  exchanges.push(exchange);
  return { hub, exchange };
}

describe('presence over links', () => {
  it('a replica tells a newly linked peer who it is, and its role changes as they happen', async () => {
    const a = replica('a');
    const b = replica('b');
    const [ab, ba] = createMemoryLinkPair({ a: 'a', b: 'b' });
    a.hub.add(ab);
    b.hub.add(ba);
    await settle();
    expect(b.exchange.peers().get('a')).toMatchObject({ deviceId: 'dev-a', role: 'joining' });
    expect(a.exchange.update({ role: 'voter', term: 3, leaderId: 'a' })).toBe(true);
    expect(a.exchange.update({ role: 'voter', term: 3, leaderId: 'a' })).toBe(false);
    await settle();
    expect(b.exchange.peers().get('a')).toMatchObject({ role: 'voter', term: 3, leaderId: 'a' });
    a.exchange.refresh({ appliedZxid: 'ff' });
    await settle();
    expect(b.exchange.peers().get('a')?.appliedZxid).toBe('ff');
    a.exchange.leave();
    await settle();
    expect(b.exchange.peers().has('a')).toBe(false);
  });

  it('malformed presence from a peer closes that link and changes nothing', async () => {
    const a = replica('a');
    const [ab, ba] = createMemoryLinkPair({ a: 'a', b: 'b' });
    a.hub.add(ab);
    const closed = new Promise<string>((resolve) => ab.onClose(resolve));
    ba.send(encodeMeshFrame(MeshFrameKind.presence, new Uint8Array([255, 255, 255, 255])));
    expect(await closed).toMatch(/^MARSHALLINGERROR: malformed presence update from b/);
    expect(a.exchange.peers().size).toBe(0);
  });
});
