import type { DurableStorage } from '../storage/durable-storage.js';
import { linkFromHandoff } from '../transport/channel-handoff.js';
import { MeshNode } from './mesh-node.js';
import { portClientConnectionEnd } from './port-client-connection.js';
import { parsePageMessage, type PageToWorker, type WorkerNodeOptions, type WorkerToPage } from './worker-protocol.js';

export interface WorkerRuntimeConfig {
  /** Sends a message to the page. */
  readonly post: (message: WorkerToPage) => void;
  /** The replica's storage (IndexedDbStorage in a tab). */
  readonly createStorage: (room: string, replicaId: string, options: WorkerNodeOptions) => DurableStorage;
}

export interface WorkerRuntime {
  /** One message from the page (a worker's `onmessage` data). */
  handle(data: unknown): void;
  /** The node, once started (tests). */
  readonly node: MeshNode | null;
}

/**
 * The replica worker's logic (worker/replica-worker.ts only wires it to `self`): `mk:init` starts a
 * MeshNode; every later message waits for that start and is handled in arrival order; data-channel
 * handoffs become WebRTC links. A malformed message is answered with a non-fatal mk:error and
 * changes nothing.
 */
export function createWorkerRuntime(config: WorkerRuntimeConfig): WorkerRuntime {
  let node: MeshNode | null = null;
  let started: Promise<MeshNode | null> | null = null;
  const { post } = config;

  const start = (message: Extract<PageToWorker, { type: 'mk:init' }>): void => {
    const options = message.options;
    started = (async () => {
      try {
        const meshNode = await MeshNode.start({
          room: message.room,
          replicaId: message.replicaId,
          deviceId: message.deviceId,
          storage: config.createStorage(message.room, message.replicaId, options),
          ...(options.replica === undefined ? {} : { replicaOptions: options.replica }),
          ...(options.policy === undefined ? {} : { policy: options.policy }),
          ...(options.meshTickMs === undefined ? {} : { meshTickMs: options.meshTickMs }),
          ...(options.presenceRefreshMs === undefined ? {} : { presenceRefreshMs: options.presenceRefreshMs }),
          events: {
            wantedWebRtc: (peers) => post({ type: 'mk:wanted', webrtc: [...peers] }),
            webRtcLinkClosed: (peer, id, reason) => post({ type: 'mk:link-closed', peer, id, reason }),
            // A stored replica opens inside MeshNode.start: announced below, once `node` is set.
            opened: () => {
              if (node !== null) post({ type: 'mk:opened', broadcastInstance: node.broadcastInstance });
            },
            fatal: (text) => post({ type: 'mk:error', message: text, fatal: true }),
          },
        });
        node = meshNode;
        post({ type: 'mk:started', empty: meshNode.startedEmpty });
        if (meshNode.running) post({ type: 'mk:opened', broadcastInstance: meshNode.broadcastInstance });
        return meshNode;
      } catch (error) {
        post({ type: 'mk:error', message: `the replica could not start: ${error instanceof Error ? error.message : String(error)}`, fatal: true });
        return null;
      }
    })();
  };

  const run = async (meshNode: MeshNode, message: PageToWorker): Promise<void> => {
    switch (message.type) {
      case 'mk:init':
        post({ type: 'mk:error', message: 'mk:init was sent twice', fatal: false });
        return;
      case 'mk:founding':
        await meshNode.decideFounding(message.founder);
        return;
      case 'mk:roster':
        meshNode.setSignalingRoster(message.peers);
        return;
      case 'mk:webrtc-connected':
        meshNode.webRtcConnected(message.id);
        return;
      case 'mk:client':
        meshNode.acceptClient(portClientConnectionEnd(message.port));
        return;
      case 'mk:leave':
        await meshNode.leave(message.timeoutMs);
        post({ type: 'mk:left' });
        return;
      case 'mk:status':
        post({ type: 'mk:status', call: message.call, status: meshNode.status() });
        return;
      case 'mk:freeze':
        meshNode.freeze(message.durationMs);
        return;
    }
  };

  const whenStarted = (step: (meshNode: MeshNode) => void | Promise<void>): void => {
    if (started === null) {
      post({ type: 'mk:error', message: 'a message arrived before mk:init', fatal: false });
      return;
    }
    // Chained on the start, so messages are handled in the order they arrived.
    started = started.then(async (meshNode) => {
      if (meshNode === null) return null;
      try {
        await step(meshNode);
      } catch (error) {
        post({ type: 'mk:error', message: error instanceof Error ? error.message : String(error), fatal: false });
      }
      return meshNode;
    });
  };

  return {
    get node() {
      return node;
    },
    handle(data: unknown): void {
      const link = linkFromHandoff(data);
      if (link !== undefined) {
        whenStarted((meshNode) => meshNode.addWebRtcLink(link));
        return;
      }
      const message = parsePageMessage(data);
      if (typeof message === 'string') {
        post({ type: 'mk:error', message: `bad message from the page: ${message}`, fatal: false });
        return;
      }
      if (message.type === 'mk:init' && started === null) {
        start(message);
        return;
      }
      whenStarted((meshNode) => run(meshNode, message));
    },
  };
}
