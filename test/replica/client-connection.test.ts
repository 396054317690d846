import { describe, expect, it } from 'vitest';
import { createConnectionPair } from '../../src/replica/client-connection.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('createConnectionPair', () => {
  it('delivers frames in order, never inside send', async () => {
    const [client, replica] = createConnectionPair();
    const got: number[] = [];
    replica.onMessage((frame) => got.push(frame[0] as number));
    client.send(new Uint8Array([1]));
    client.send(new Uint8Array([2]));
    expect(got).toEqual([]);
    await tick();
    expect(got).toEqual([1, 2]);
  });

  it('keeps frames that arrive before the first listener', async () => {
    const [client, replica] = createConnectionPair();
    client.send(new Uint8Array([7]));
    await tick();
    const got: number[] = [];
    replica.onMessage((frame) => got.push(frame[0] as number));
    expect(got).toEqual([7]);
  });

  it('a close reaches the other end after the frames sent before it, with its reason', async () => {
    const [client, replica] = createConnectionPair();
    const events: string[] = [];
    client.onMessage((frame) => events.push(`frame ${frame[0]}`));
    client.onClose((reason) => events.push(`close ${reason}`));
    replica.send(new Uint8Array([1]));
    replica.close('bye');
    expect(replica.closed).toBe(true);
    expect(replica.send(new Uint8Array([2]))).toBe(false);
    await tick();
    expect(events).toEqual(['frame 1', 'close bye']);
    expect(client.closeReason).toBe('bye');
  });

  it('onClose on a closed end is called at once', () => {
    const [client] = createConnectionPair();
    client.close('done');
    let heard = '';
    client.onClose((reason) => (heard = reason));
    expect(heard).toBe('done');
  });
});
