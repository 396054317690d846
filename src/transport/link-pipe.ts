import type { Link, Unsubscribe } from './link.js';

/**
 * Joins two links end to end: every frame from one is sent on the other, and when either closes the
 * other closes with the same reason. The window uses it to bridge a data channel it keeps (a WebRTC
 * link) to the worker (a port link) when the channel cannot be transferred. Returns a function that
 * undoes the join without closing either link.
 */
export function pipeLinks(first: Link, second: Link): Unsubscribe {
  if (first.closed || second.closed) {
    first.close(first.closeReason ?? second.closeReason);
    second.close(second.closeReason ?? first.closeReason);
    return () => undefined;
  }
  const subscriptions: Unsubscribe[] = [];
  const unpipe = () => {
    for (const unsubscribe of subscriptions.splice(0)) unsubscribe();
  };
  const forward = (from: Link, to: Link) => {
    subscriptions.push(
      from.onFrame((frame) => {
        // A refused send closes `to`, whose close listener below closes `from`.
        to.send(frame);
      }),
      from.onClose((reason) => {
        unpipe();
        to.close(reason);
      }),
    );
  };
  forward(first, second);
  forward(second, first);
  return unpipe;
}
