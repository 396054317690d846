import { assert } from '../../../src/errors/keeper-error.js';
import { MAX_HISTORY_OPERATIONS, type Operation } from './history.js';

interface OpenCall<Input, Output> {
  readonly clientId: number;
  readonly input: Input;
  readonly callTime: number;
  output?: Output;
  returnTime?: number;
}

/**
 * Records a history as a simulation runs: `invoke` when a client sends a request, `complete` when
 * its answer arrives. A call never completed stays pending (it may or may not have taken effect),
 * which is exactly what a timeout, a lost connection or a crash leaves behind.
 */
export class HistoryRecorder<Input, Output> {
  private readonly calls: OpenCall<Input, Output>[] = [];

  constructor(private readonly maxOperations: number = MAX_HISTORY_OPERATIONS) {
    assert(maxOperations <= MAX_HISTORY_OPERATIONS, `a recorder holds at most ${MAX_HISTORY_OPERATIONS} operations`);
  }

  get size(): number {
    return this.calls.length;
  }

  /** False once the recorder is full: the caller should stop issuing operations. */
  get hasRoom(): boolean {
    return this.calls.length < this.maxOperations;
  }

  /** Records a call; returns its handle for `complete`. */
  invoke(clientId: number, input: Input, callTime: number): number {
    assert(this.hasRoom, `history recorder is full (${this.maxOperations} operations)`);
    this.calls.push({ clientId, input, callTime });
    return this.calls.length - 1;
  }

  /** Records the answer to a call. A call completes once; its answer cannot precede its call. */
  complete(handle: number, output: Output, returnTime: number): void {
    const call = this.calls[handle];
    assert(call !== undefined, `no call with handle ${handle}`);
    assert(call.returnTime === undefined, `call ${handle} already completed`);
    assert(returnTime >= call.callTime, `call ${handle} completes at ${returnTime}, before its call at ${call.callTime}`);
    call.output = output;
    call.returnTime = returnTime;
  }

  isCompleted(handle: number): boolean {
    return this.calls[handle]?.returnTime !== undefined;
  }

  /** The history so far; calls not completed are pending. */
  operations(): Operation<Input, Output>[] {
    return this.calls.map((call) =>
      call.returnTime === undefined
        ? { clientId: call.clientId, input: call.input, callTime: call.callTime }
        : { clientId: call.clientId, input: call.input, output: call.output, callTime: call.callTime, returnTime: call.returnTime },
    );
  }
}
