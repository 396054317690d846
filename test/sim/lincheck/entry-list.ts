import type { Operation } from './history.js';
import { returnTimeOf } from './history.js';

/**
 * The call and return events of a history, in real-time order, as a doubly linked list. Linearizing
 * an operation *lifts* its call and return out of the list; backtracking *unlifts* them back into
 * the same place (they remember their neighbours), in O(1) each.
 */
export interface EventNode {
  readonly kind: 'head' | 'call' | 'return';
  /** The operation's index in its partition (-1 for the head). */
  readonly operationIndex: number;
  readonly time: number;
  prev: EventNode | null;
  next: EventNode | null;
  /** A call's return event (null for returns and the head). */
  match: EventNode | null;
}

/**
 * Builds the list: events sorted by time; at equal times calls come before returns (touching
 * operations overlap); ties broken by operation index so the order is deterministic.
 * Returns the head sentinel.
 */
export function buildEventList(operations: readonly Operation<unknown, unknown>[]): EventNode {
  const events: EventNode[] = [];
  operations.forEach((operation, operationIndex) => {
    const returnEvent: EventNode = { kind: 'return', operationIndex, time: returnTimeOf(operation), prev: null, next: null, match: null };
    const callEvent: EventNode = { kind: 'call', operationIndex, time: operation.callTime, prev: null, next: null, match: returnEvent };
    events.push(callEvent, returnEvent);
  });
  events.sort((a, b) => {
    if (a.time !== b.time) return a.time < b.time ? -1 : 1;
    if (a.kind !== b.kind) return a.kind === 'call' ? -1 : 1;
    return a.operationIndex - b.operationIndex;
  });
  const head: EventNode = { kind: 'head', operationIndex: -1, time: -Infinity, prev: null, next: null, match: null };
  let previous = head;
  for (const event of events) {
    previous.next = event;
    event.prev = previous;
    previous = event;
  }
  return head;
}

/** Removes a call and its return from the list. */
export function lift(call: EventNode): void {
  const returnEvent = call.match!;
  call.prev!.next = call.next;
  call.next!.prev = call.prev;
  returnEvent.prev!.next = returnEvent.next;
  if (returnEvent.next !== null) returnEvent.next.prev = returnEvent.prev;
}

/** Puts back a call and its return lifted by `lift` (the most recent lift first). */
export function unlift(call: EventNode): void {
  const returnEvent = call.match!;
  returnEvent.prev!.next = returnEvent;
  if (returnEvent.next !== null) returnEvent.next.prev = returnEvent;
  call.prev!.next = call;
  call.next!.prev = call;
}
