import { announceDeparture } from '../../../src/transport/broadcast-transport.js';
import { handOffDataChannel } from '../../../src/transport/channel-handoff.js';
import { createWebRtcPeer, type WebRtcPeer } from '../../../src/transport/webrtc-peer.js';
import type { TransportPageApi, WorkerCommand, WorkerReply } from './transport-page-api.js';

// The window's side in the browser tests: simple-peer connections, the handoff of their data
// channels to this tab's worker, and a thin command channel to that worker.

const worker = new Worker(new URL('./transport-worker.ts', import.meta.url), { type: 'module' });
const pendingCalls = new Map<number, (reply: WorkerReply) => void>();
let nextCall = 0;
worker.onmessage = (event: MessageEvent<{ call: number; reply: WorkerReply }>) => {
  pendingCalls.get(event.data.call)?.(event.data.reply);
  pendingCalls.delete(event.data.call);
};

const peers = new Map<string, WebRtcPeer>();

const api: TransportPageApi = {
  connect({ connection, peer: peerId, initiator, forceBridge, maxFrameBytes }) {
    const peer = createWebRtcPeer({
      initiator,
      iceServers: [],
      sendSignal: (signal) => void window.mkSendSignal?.(connection, signal),
    });
    peers.set(connection, peer);
    return handOffDataChannel(worker, peer.dataChannel, { peer: peerId, id: connection, maxFrameBytes }, { forceBridge }).mode;
  },
  signal(connection, signal) {
    peers.get(connection)?.signal(signal);
  },
  connected(connection) {
    const peer = peers.get(connection);
    if (peer === undefined) return Promise.reject(new Error(`no connection ${connection}`));
    return new Promise((resolve, reject) => {
      if (peer.connected) resolve(peer.maxMessageBytes());
      peer.onConnect(() => resolve(peer.maxMessageBytes()));
      peer.onClose((reason) => reject(new Error(reason)));
    });
  },
  worker(command: WorkerCommand) {
    nextCall += 1;
    const call = nextCall;
    return new Promise((resolve) => {
      pendingCalls.set(call, resolve);
      worker.postMessage({ call, command });
    });
  },
  async startBroadcast(room, self, wanted) {
    const reply = await api.worker({ op: 'broadcast', room, self, wanted });
    if (reply.op !== 'broadcast') throw new Error(`broadcast start failed: ${JSON.stringify(reply)}`);
    // The worker dies with the tab without a word; the window says bye for it.
    addEventListener('pagehide', () => announceDeparture(room, self, reply.instance));
  },
};

window.mkTest = api;
