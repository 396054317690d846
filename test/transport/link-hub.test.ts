import { describe, expect, it } from 'vitest';
import { LinkHub, preferredLink } from '../../src/transport/link-hub.js';
import { createMemoryLinkPair } from '../../src/transport/memory-link.js';
import { FakeDataChannel } from './fake-data-channel.js';
import { createWebRtcLink } from '../../src/transport/webrtc-link.js';
import { BroadcastLink } from '../../src/transport/broadcast-link.js';
import { createPortLink } from '../../src/transport/port-link.js';

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function events(hub: LinkHub) {
  const log: string[] = [];
  hub.onLinkUp((link) => log.push(`up ${link.peer} ${link.id}`));
  hub.onLinkDown((peer, reason) => log.push(`down ${peer} ${reason}`));
  return log;
}

describe('link hub', () => {
  it('holds one link per peer and reports it up', () => {
    const hub = new LinkHub({ self: 'a' });
    const log = events(hub);
    const [ab] = createMemoryLinkPair({ a: 'a', b: 'b', id: 'ab' });
    expect(hub.add(ab)).toBe('added');
    expect(hub.get('b')).toBe(ab);
    expect(hub.peers()).toEqual(['b']);
    expect(log).toEqual(['up b ab']);
  });

  it('when two links appear for one pair both ends keep the same one, whatever the order', async () => {
    const hubA = new LinkHub({ self: 'a' });
    const hubB = new LinkHub({ self: 'b' });
    const [first, firstAtB] = createMemoryLinkPair({ a: 'a', b: 'b', id: 'link-2' });
    const [second, secondAtB] = createMemoryLinkPair({ a: 'a', b: 'b', id: 'link-1' });
    expect(hubA.add(first)).toBe('added');
    expect(hubA.add(second)).toBe('replaced');
    expect(hubB.add(secondAtB)).toBe('added');
    expect(hubB.add(firstAtB)).toBe('duplicate');
    expect(hubA.get('b')?.id).toBe('link-1');
    expect(hubB.get('a')?.id).toBe('link-1');
    expect(first.closeReason).toBe('duplicate');
    await settle();
    expect(hubA.get('b')?.closed).toBe(false);
    expect(hubB.get('a')?.closed).toBe(false);
  });

  it('a replaced link is reported as the new link up, without a link down', () => {
    const hub = new LinkHub({ self: 'a' });
    const log = events(hub);
    hub.add(createMemoryLinkPair({ a: 'a', b: 'b', id: 'z' })[0]);
    hub.add(createMemoryLinkPair({ a: 'a', b: 'b', id: 'y' })[0]);
    expect(log).toEqual(['up b z', 'up b y']);
  });

  it('a cheaper medium wins: memory, then BroadcastChannel, then a data channel or a port alike', () => {
    const memory = createMemoryLinkPair({ a: 'a', b: 'b', id: 'zzz' })[0];
    const broadcast = new BroadcastLink({ channel: new BroadcastChannel('hub-rank'), self: 'a', peer: 'b', id: 'zzz', maxFrameBytes: 100 });
    const webrtc = createWebRtcLink(new FakeDataChannel(), { peer: 'b', id: 'aab' });
    const { port1, port2 } = new MessageChannel();
    const port = createPortLink(port1, { peer: 'b', id: 'aaa' });
    try {
      expect(preferredLink(webrtc, memory)).toBe(memory);
      expect(preferredLink(broadcast, memory)).toBe(memory);
      expect(preferredLink(webrtc, broadcast)).toBe(broadcast);
      expect(preferredLink(port, broadcast)).toBe(broadcast);
      // Equal rank: the smaller id wins.
      expect(preferredLink(webrtc, port)).toBe(port);
    } finally {
      for (const link of [memory, broadcast, webrtc, port]) link.close();
      port2.close();
    }
  });

  it('the number of links is bounded', () => {
    const hub = new LinkHub({ self: 'a', maxLinks: 2 });
    hub.add(createMemoryLinkPair({ a: 'a', b: 'b' })[0]);
    hub.add(createMemoryLinkPair({ a: 'a', b: 'c' })[0]);
    const third = createMemoryLinkPair({ a: 'a', b: 'd' })[0];
    expect(hub.add(third)).toBe('too many links');
    expect(third.closeReason).toBe('too many links');
    expect(hub.size).toBe(2);
  });

  it('a link to itself is refused', () => {
    const hub = new LinkHub({ self: 'a' });
    const [toA] = createMemoryLinkPair({ a: 'x', b: 'a' });
    expect(toA.peer).toBe('a');
    expect(hub.add(toA)).toBe('self');
    expect(toA.closeReason).toBe('self');
  });

  it('a closed link is ignored', () => {
    const hub = new LinkHub({ self: 'a' });
    const [ab] = createMemoryLinkPair({ a: 'a', b: 'b' });
    ab.close();
    expect(hub.add(ab)).toBe('closed');
    expect(hub.size).toBe(0);
  });

  it('a link closing is reported down with its reason and the peer is free again', async () => {
    const hub = new LinkHub({ self: 'a' });
    const log = events(hub);
    const [ab, ba] = createMemoryLinkPair({ a: 'a', b: 'b', id: 'ab' });
    hub.add(ab);
    ba.close('leaving');
    await settle();
    expect(log).toEqual(['up b ab', 'down b remote: leaving']);
    expect(hub.get('b')).toBeUndefined();
    expect(hub.send('b', Uint8Array.of(1))).toBe('no link');
  });

  it('frames from every link reach the hub listeners with their peer', async () => {
    const hub = new LinkHub({ self: 'a' });
    const frames: string[] = [];
    hub.onFrame((peer, frame) => frames.push(`${peer}:${frame[0]}`));
    const [ab, ba] = createMemoryLinkPair({ a: 'a', b: 'b' });
    const [ac, ca] = createMemoryLinkPair({ a: 'a', b: 'c' });
    hub.add(ab);
    hub.add(ac);
    ba.send(Uint8Array.of(1));
    ca.send(Uint8Array.of(2));
    expect(hub.send('b', Uint8Array.of(3))).toBe('sent');
    await settle();
    expect(frames).toEqual(['b:1', 'c:2']);
  });

  it('closing the hub closes every link and refuses new ones', () => {
    const hub = new LinkHub({ self: 'a' });
    const [ab] = createMemoryLinkPair({ a: 'a', b: 'b' });
    hub.add(ab);
    hub.close('shutting down');
    expect(ab.closeReason).toBe('shutting down');
    const [ac] = createMemoryLinkPair({ a: 'a', b: 'c' });
    expect(hub.add(ac)).toBe('hub closed');
  });
});
