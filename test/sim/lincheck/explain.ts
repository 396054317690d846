import type { IllegalPartition } from './check.js';
import { isPending, type Operation } from './history.js';
import type { Model } from './model.js';

/** How many prefix operations an explanation shows (the last ones, which matter most). */
export const MAX_EXPLAINED_PREFIX = 30;

export function describeOperation<Input, Output>(model: Model<unknown, Input, Output>, operation: Operation<Input, Output>): string {
  const text = model.describeOperation?.(operation.input, operation.output) ?? defaultDescription(operation);
  const interval = isPending(operation) ? `[${operation.callTime} .. never returned]` : `[${operation.callTime} .. ${operation.returnTime}]`;
  return `client ${operation.clientId}: ${text} ${interval}`;
}

function defaultDescription(operation: Operation<unknown, unknown>): string {
  const output = isPending(operation) ? '?' : JSON.stringify(operation.output);
  return `${JSON.stringify(operation.input)} -> ${output}`;
}

/** A readable account of why one partition is not linearizable. */
export function formatIllegal<State, Input, Output>(
  model: Model<State, Input, Output>,
  illegal: IllegalPartition<Input, Output>,
  illegalPartitionCount: number,
): string {
  const describe = (operation: Operation<Input, Output>) => describeOperation(model as Model<unknown, Input, Output>, operation);
  const lines: string[] = [];
  const others = illegalPartitionCount > 1 ? ` (and ${illegalPartitionCount - 1} other partition(s))` : '';
  lines.push(`not linearizable: ${model.name} partition ${illegal.key}${others}`);
  const prefix = illegal.longestPrefix;
  lines.push(`longest linearizable prefix: ${prefix.length} operation(s)`);
  const shownFrom = Math.max(0, prefix.length - MAX_EXPLAINED_PREFIX);
  if (shownFrom > 0) lines.push(`  ... ${shownFrom} earlier operation(s)`);
  for (let i = shownFrom; i < prefix.length; i++) lines.push(`  ${i + 1}. ${describe(prefix[i]!)}`);
  lines.push(`state after it: ${illegal.stateAfterPrefix}`);
  lines.push(`must take effect before it returns, but cannot: ${describe(illegal.blocking)}`);
  lines.push('none of these could come next (rejected here, or every continuation from them fails):');
  for (const candidate of illegal.candidates) {
    lines.push(`  - ${describe(candidate.operation)}${candidate.rejectedByModel ? '  <- the model rejects it in this state' : ''}`);
  }
  return lines.join('\n');
}
