import { describe, expect, it } from 'vitest';
import { portClientConnection, portClientConnectionEnd } from '../../src/mesh/port-client-connection.js';
import { MAX_FRAME_BYTES } from '../../src/wire/limits.js';

describe('client connection over a MessagePort', () => {
  it('frames cross in order both ways, and a close reason reaches the page', async () => {
    const { port1, port2 } = new MessageChannel();
    const page = portClientConnection(port1);
    const replica = portClientConnectionEnd(port2);
    const atReplica: number[][] = [];
    const atPage: number[][] = [];
    replica.onMessage((frame) => atReplica.push([...frame]));
    page.onMessage((frame) => atPage.push([...frame]));
    page.send(new Uint8Array([1]));
    page.send(new Uint8Array([2, 3]));
    // A view into a larger buffer is copied, not transferred away from its owner.
    const shared = new Uint8Array([9, 8, 7, 6]);
    expect(replica.send(shared.subarray(1, 3))).toBe(true);
    expect([...shared]).toEqual([9, 8, 7, 6]);
    const closed = new Promise<string>((resolve) => page.onClose(resolve));
    await new Promise((resolve) => setTimeout(resolve, 10));
    replica.close('replica stopped');
    expect(await closed).toBe('replica stopped');
    expect(atReplica).toEqual([[1], [2, 3]]);
    expect(atPage).toEqual([[8, 7]]);
    expect(replica.closed).toBe(true);
    expect(replica.send(new Uint8Array([4]))).toBe(false);
  });

  it('a frame over the wire limit closes the connection instead of crossing', async () => {
    const { port1, port2 } = new MessageChannel();
    const page = portClientConnection(port1);
    const replica = portClientConnectionEnd(port2);
    const closed = new Promise<string>((resolve) => replica.onClose(resolve));
    page.send(new Uint8Array(MAX_FRAME_BYTES + 1));
    expect(await closed).toMatch(/exceeds/);
  });
});
