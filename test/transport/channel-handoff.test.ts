import { describe, expect, it } from 'vitest';
import { HANDOFF_PORT, handOffDataChannel, linkFromHandoff } from '../../src/transport/channel-handoff.js';
import type { Link } from '../../src/transport/link.js';
import { createWebRtcLink } from '../../src/transport/webrtc-link.js';
import { patternBytes, sameBytes } from './bytes.js';
import { FakeDataChannel } from './fake-data-channel.js';

// The transfer itself needs a browser (test/e2e/transport-webrtc.test.ts); the bridge and the
// worker's parsing run here over Node's MessageChannel.

function firstFrame(link: Link): Promise<Uint8Array> {
  return new Promise((resolve) => link.onFrame(resolve));
}

describe('data channel handoff', () => {
  it('a bridged channel reaches the worker as a port link that carries frames both ways', async () => {
    const [windowChannel, remoteChannel] = FakeDataChannel.pair();
    windowChannel.autoDrain = true;
    remoteChannel.autoDrain = true;
    const remote = createWebRtcLink(remoteChannel, { peer: 'worker-replica', id: 'c1' });
    const { port1: windowEnd, port2: workerEnd } = new MessageChannel();
    const handed = new Promise<unknown>((resolve) => workerEnd.addEventListener('message', (event) => resolve(event.data), { once: true }));
    workerEnd.start();
    const result = handOffDataChannel(windowEnd, windowChannel as unknown as RTCDataChannel, { peer: 'remote-replica', id: 'c1', maxFrameBytes: 2 << 20 }, { forceBridge: true });
    expect(result.mode).toBe('bridged');
    windowChannel.open();
    remoteChannel.open();

    const link = linkFromHandoff(await handed);
    expect([link?.kind, link?.peer, link?.id, link?.maxFrameBytes]).toEqual(['port', 'remote-replica', 'c1', 2 << 20]);
    const atWorker = firstFrame(link as Link);
    const atRemote = firstFrame(remote);
    remote.send(patternBytes(300_000, 1));
    link?.send(patternBytes(70_000, 2));
    expect(sameBytes(await atWorker, patternBytes(300_000, 1))).toBe(true);
    expect(sameBytes(await atRemote, patternBytes(70_000, 2))).toBe(true);

    const closed = new Promise<string>((resolve) => remote.onClose(resolve));
    link?.close('worker stopping');
    expect(await closed).toBe('remote: worker stopping');
    windowEnd.close();
  });

  it.each([
    ['not an object', 'hello'],
    ['another message type', { type: 'ping' }],
    ['no peer', { type: HANDOFF_PORT, link: { id: 'c1' }, port: {} }],
    ['a bad frame limit', { type: HANDOFF_PORT, link: { peer: 'b', id: 'c1', maxFrameBytes: -1 }, port: {} }],
    ['no port', { type: HANDOFF_PORT, link: { peer: 'b', id: 'c1' } }],
  ])('a message that is not a handoff (%s) gives no link', (_, message) => {
    expect(linkFromHandoff(message)).toBeUndefined();
  });
});
