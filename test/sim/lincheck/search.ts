import { Bitset } from './bitset.js';
import { buildEventList, lift, unlift, type EventNode } from './entry-list.js';
import { isPending, type Operation } from './history.js';
import type { Model } from './model.js';
import { StateCache } from './state-cache.js';

export type Verdict = 'ok' | 'illegal' | 'unknown';

/** Where the search got furthest: the longest linearizable prefix it found and what stopped it. */
export interface DeepestPoint<State> {
  /** Operation indices in linearization order. */
  readonly order: readonly number[];
  readonly state: State;
  /** Operations that had been called but not linearized when the blocking one had to return. */
  readonly candidates: readonly number[];
  /** The operation whose return forced the search back (its effect had to be placed before it). */
  readonly blocking: number;
}

export interface SearchOutcome<State> {
  readonly verdict: Verdict;
  /** Calls of `model.step`. */
  readonly steps: number;
  /** A linearization (operation indices in order) when the verdict is 'ok'. */
  readonly linearization: readonly number[] | null;
  readonly deepest: DeepestPoint<State> | null;
}

/** The choices made so far, as a persistent stack: keeping a pointer to it is a snapshot. */
interface Frame<State> {
  readonly call: EventNode;
  readonly stateBefore: State;
  readonly parent: Frame<State> | null;
  readonly depth: number;
}

function pushFrame<State>(parent: Frame<State> | null, call: EventNode, stateBefore: State): Frame<State> {
  return { call, stateBefore, parent, depth: parent === null ? 1 : parent.depth + 1 };
}

function orderOf(top: Frame<unknown> | null): number[] {
  const order: number[] = [];
  for (let frame = top; frame !== null; frame = frame.parent) order.push(frame.call.operationIndex);
  return order.reverse();
}

/**
 * Wing & Gong's search with Lowe's memo (the state cache) and Porcupine's linked-list layout:
 * repeatedly take the first call in the list whose operation the model accepts and whose
 * (linearized set, state) has not been seen, lift it out, and restart from the head; on reaching a
 * return event (an operation that had to take effect already but could not) undo the last choice.
 * A pending operation need never be placed: the search succeeds once every returned operation is.
 */
export function searchLinearization<State, Input, Output>(
  model: Model<State, Input, Output>,
  operations: readonly Operation<Input, Output>[],
  maxSteps: number,
  maxCacheWords: number,
): SearchOutcome<State> {
  const head = buildEventList(operations);
  const linearized = new Bitset(operations.length);
  const cache = new StateCache<State>(model as Model<State, unknown, unknown>, maxCacheWords);
  let top: Frame<State> | null = null;
  let state = model.init();
  const returnedCount = operations.filter((operation) => !isPending(operation)).length;
  let unplacedReturned = returnedCount;
  let steps = 0;
  let deepest: { readonly top: Frame<State> | null; readonly state: State; readonly blocking: EventNode; readonly candidates: readonly number[] } | null = null;
  let deepestPlacedReturned = -1;
  let deepestDepth = 0;
  const deepestPoint = (): DeepestPoint<State> | null =>
    deepest === null ? null : { order: orderOf(deepest.top), state: deepest.state, candidates: deepest.candidates, blocking: deepest.blocking.operationIndex };
  let entry = head.next;

  while (unplacedReturned > 0) {
    if (entry === null) throw new Error('meshkeeper assertion failed: the event list ended before its returns');
    if (entry.kind === 'call') {
      if (steps >= maxSteps) return { verdict: 'unknown', steps, linearization: null, deepest: deepestPoint() };
      steps += 1;
      const operation = operations[entry.operationIndex]!;
      const result = model.step(state, operation.input, operation.output, operation.clientId);
      if (result.ok) {
        linearized.set(entry.operationIndex);
        if (cache.addIfAbsent(linearized, result.state)) {
          top = pushFrame(top, entry, state);
          state = result.state;
          lift(entry);
          if (!isPending(operation)) unplacedReturned -= 1;
          entry = head.next;
          continue;
        }
        linearized.clear(entry.operationIndex);
      }
      entry = entry.next;
    } else {
      const placedReturned = returnedCount - unplacedReturned;
      const depth = top?.depth ?? 0;
      if (placedReturned > deepestPlacedReturned || (placedReturned === deepestPlacedReturned && depth < deepestDepth)) {
        // Depth counts returned operations only (placing a pending one proves nothing); at equal
        // depth, the prefix with fewer pending operations reads better.
        deepestPlacedReturned = placedReturned;
        deepestDepth = depth;
        deepest = { top, state, blocking: entry, candidates: callsBefore(head, entry) };
      }
      const frame: Frame<State> | null = top;
      if (frame === null) return { verdict: 'illegal', steps, linearization: null, deepest: deepestPoint() };
      top = frame.parent;
      const operation = operations[frame.call.operationIndex]!;
      linearized.clear(frame.call.operationIndex);
      state = frame.stateBefore;
      unlift(frame.call);
      if (!isPending(operation)) unplacedReturned += 1;
      entry = frame.call.next;
    }
  }
  return { verdict: 'ok', steps, linearization: orderOf(top), deepest: null };
}

/** The calls still in the list before `blocking`: the operations that could have come next. */
function callsBefore(head: EventNode, blocking: EventNode): number[] {
  const candidates: number[] = [];
  for (let event = head.next; event !== null && event !== blocking; event = event.next) {
    if (event.kind === 'call') candidates.push(event.operationIndex);
  }
  return candidates;
}
