import type { ClientConnection } from '../client/connection.js';
import type { ClientConnectionEnd } from '../replica/client-connection.js';
import type { Link } from '../transport/link.js';
import { createPortLink, type PortLike } from '../transport/port-link.js';
import { MAX_FRAME_BYTES } from '../wire/limits.js';

/**
 * A client connection between a page and its tab's replica worker over a MessageChannel: the
 * page's MeshKeeperClient holds one port, the worker's Replica the other. The bytes are the
 * client protocol's frames (src/wire/session-codec.ts), each carried as a transferred ArrayBuffer;
 * the port messages are port-link.ts's ({ t: 'frame', data } and { t: 'close', reason }).
 * A frame larger than the wire's MAX_FRAME_BYTES closes the connection.
 */

const CLIENT_PEER = 'client';

function portLink(port: PortLike, id: string): Link {
  return createPortLink(port, { peer: CLIENT_PEER, id, maxFrameBytes: MAX_FRAME_BYTES });
}

/** Sends a frame; an oversized one closes the link instead of throwing. */
function sendFrame(link: Link, frame: Uint8Array): boolean {
  if (frame.byteLength > link.maxFrameBytes) {
    link.close(`a frame of ${frame.byteLength} bytes exceeds ${link.maxFrameBytes}`);
    return false;
  }
  return link.send(frame) === 'sent';
}

/** The page's end: what MeshKeeperClient's ConnectFn resolves to. */
export function portClientConnection(port: PortLike): ClientConnection {
  const link = portLink(port, 'client-page');
  return {
    send: (bytes) => void sendFrame(link, bytes),
    onMessage: (listener) => link.onFrame(listener),
    onClose: (listener) => link.onClose(listener),
    close: () => link.close('client closed'),
  };
}

/** The worker's end: what Replica.accept takes. */
export function portClientConnectionEnd(port: PortLike): ClientConnectionEnd {
  const link = portLink(port, 'client-replica');
  return {
    send: (frame) => sendFrame(link, frame),
    onMessage: (listener) => link.onFrame(listener),
    onClose: (listener) => link.onClose(listener),
    close: (reason) => link.close(reason),
    get closed() {
      return link.closed;
    },
    get closeReason() {
      return link.closeReason;
    },
  };
}
