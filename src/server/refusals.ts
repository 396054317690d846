import type { ReplicaId } from '../consensus/types.js';
import { MAX_FORWARD_REQUESTS } from '../wire/limits.js';
import type { LeaderWork } from './leader-pipeline.js';
import type { ForwardRefusedMessage, ForwardedRequest } from './peer-message.js';

/**
 * The leader's refusal of forwarded requests (the origin fails them with CONNECTIONLOSS), in
 * messages of at most MAX_FORWARD_REQUESTS.
 */
export function refusalMessages(requests: readonly ForwardedRequest[], leader: ReplicaId | null): ForwardRefusedMessage[] {
  const messages: ForwardRefusedMessage[] = [];
  for (let start = 0; start < requests.length; start += MAX_FORWARD_REQUESTS) {
    const slice = requests.slice(start, start + MAX_FORWARD_REQUESTS);
    messages.push({ type: 'forwardRefused', requests: slice.map((r) => ({ sessionId: r.sessionId, cxid: r.cxid })), leader });
  }
  return messages;
}

/** Work the pipeline gave back, grouped by the replica each request came from (arrival order kept). */
export function groupByOrigin(work: readonly LeaderWork[]): Map<ReplicaId, ForwardedRequest[]> {
  const byOrigin = new Map<ReplicaId, ForwardedRequest[]>();
  for (const item of work) {
    const list = byOrigin.get(item.origin);
    if (list === undefined) byOrigin.set(item.origin, [item.request]);
    else list.push(item.request);
  }
  return byOrigin;
}

/** The sessions and connect numbers a refusal names, for the origin to fail. */
export function refusedKeys(requests: readonly { readonly sessionId: bigint; readonly cxid: number }[]): {
  readonly sessions: Set<bigint>;
  readonly connectNumbers: Set<number>;
} {
  const sessions = new Set<bigint>();
  const connectNumbers = new Set<number>();
  for (const request of requests) {
    if (request.sessionId !== 0n) sessions.add(request.sessionId);
    connectNumbers.add(request.cxid);
  }
  return { sessions, connectNumbers };
}
