import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchDevice, type Device } from './chromium.js';

// The platform every browser test stands on: two browser processes (two "devices") inside the
// loopback-only namespace gather 127.0.0.1 candidates and open a WebRTC data channel, and a data
// channel can be transferred to a worker right after it is created.

declare global {
  interface Window {
    mkPeer?: RTCPeerConnection;
    mkChannel?: RTCDataChannel;
  }
}

let server: Server;
let origin: string;
const devices: Device[] = [];

beforeAll(async () => {
  server = createServer((_, response) => {
    response.setHeader('content-type', 'text/html');
    response.end('<!doctype html><title>meshkeeper e2e</title>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await Promise.all(devices.map((device) => device.close()));
  await new Promise((resolve) => server.close(resolve));
});

describe('browser test platform', () => {
  it('two browser processes open a WebRTC data channel over 127.0.0.1', async () => {
    const [a, b] = await Promise.all([launchDevice(), launchDevice()]);
    devices.push(a, b);
    const pageA = await a.context.newPage();
    const pageB = await b.context.newPage();
    await Promise.all([pageA.goto(origin), pageB.goto(origin)]);

    const offer = await pageA.evaluate(async () => {
      const peer = new RTCPeerConnection({ iceServers: [] });
      window.mkPeer = peer;
      window.mkChannel = peer.createDataChannel('check');
      await peer.setLocalDescription(await peer.createOffer());
      await new Promise<void>((resolve) => {
        if (peer.iceGatheringState === 'complete') resolve();
        peer.onicegatheringstatechange = () => peer.iceGatheringState === 'complete' && resolve();
      });
      return peer.localDescription?.sdp ?? '';
    });
    expect(offer).toMatch(/a=candidate:.* 127\.0\.0\.1 \d+ typ host/);

    const answer = await pageB.evaluate(async (sdp) => {
      const peer = new RTCPeerConnection({ iceServers: [] });
      window.mkPeer = peer;
      peer.ondatachannel = (event) => {
        const channel = event.channel;
        channel.onmessage = (message) => channel.send(`echo:${String(message.data)}`);
      };
      await peer.setRemoteDescription({ type: 'offer', sdp });
      await peer.setLocalDescription(await peer.createAnswer());
      await new Promise<void>((resolve) => {
        if (peer.iceGatheringState === 'complete') resolve();
        peer.onicegatheringstatechange = () => peer.iceGatheringState === 'complete' && resolve();
      });
      return peer.localDescription?.sdp ?? '';
    }, offer);

    const echoed = await pageA.evaluate(async (sdp) => {
      const peer = window.mkPeer;
      const channel = window.mkChannel;
      if (!peer || !channel) throw new Error('no peer');
      await peer.setRemoteDescription({ type: 'answer', sdp });
      await new Promise<void>((resolve) => {
        if (channel.readyState === 'open') resolve();
        channel.onopen = () => resolve();
      });
      return await new Promise<string>((resolve) => {
        channel.onmessage = (message) => resolve(String(message.data));
        channel.send('hello');
      });
    }, answer);
    expect(echoed).toBe('echo:hello');
  });

  it('a new RTCDataChannel can be transferred to a worker', async () => {
    const device = await launchDevice();
    devices.push(device);
    const page = await device.context.newPage();
    await page.goto(origin);
    const seenInWorker = await page.evaluate(async () => {
      const peer = new RTCPeerConnection({ iceServers: [] });
      const channel = peer.createDataChannel('transfer');
      const source = 'onmessage = (event) => postMessage(String(event.data.channel && event.data.channel.label))';
      const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
      return await new Promise<string>((resolve) => {
        worker.onmessage = (event) => resolve(String(event.data));
        worker.postMessage({ channel }, [channel as unknown as Transferable]);
      });
    });
    expect(seenInWorker).toBe('transfer');
  });
});
